package cli

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/paybridge/paybridge/signing"
)

// Key sizes keygen accepts. 2048 is the floor both providers document (and
// the signing package enforces); above 8192 generation takes minutes and no
// provider asks for it.
const (
	minKeygenBits = 2048
	maxKeygenBits = 8192
)

// keyFiles are the three files keygen writes for one key pair.
type keyFiles struct {
	private, public, base64 string
}

func keyPaths(dir, name string) keyFiles {
	return keyFiles{
		private: filepath.Join(dir, name+"_private.pem"),
		public:  filepath.Join(dir, name+"_public.pem"),
		base64:  filepath.Join(dir, name+"_public.b64"),
	}
}

func (k keyFiles) all() []string { return []string{k.private, k.public, k.base64} }

func keygenCommand() *command {
	return &command{
		name:     "keygen",
		summary:  "generate an RSA key pair in the forms providers ask for",
		synopsis: "[--out DIR] [--name NAME] [--bits 2048] [--force]",
		about: `Generates an RSA key pair for signing requests to a provider, in the forms
providers ask for:
  DIR/NAME_private.pem   PKCS#8 PEM private key: the wallet's "privateKey" setting
  DIR/NAME_public.pem    PKIX PEM public key
  DIR/NAME_public.b64    bare base64 of the public key, as AlphaPay's and Alipay+
                         dashboards take it
All three are written with mode 0600. Existing files are never overwritten
without --force. The private key is never printed.`,
		setup: func(fset *flag.FlagSet) runFunc {
			dir := fset.String("out", ".", "`directory` to write the key files to (created if missing)")
			name := fset.String("name", "merchant", "file name `prefix`")
			bits := fset.Int("bits", minKeygenBits, fmt.Sprintf("RSA key size, %d to %d", minKeygenBits, maxKeygenBits))
			force := fset.Bool("force", false, "overwrite existing key files")
			return func(_ context.Context, pr printer) int { return runKeygen(pr, *dir, *name, *bits, *force) }
		},
	}
}

func runKeygen(pr printer, dir, name string, bits int, force bool) int {
	stdout, stderr := pr.stdout, pr.stderr
	switch {
	case bits < minKeygenBits || bits > maxKeygenBits:
		fmt.Fprintf(stderr, "paybridge keygen: --bits must be %d to %d (providers require at least %d)\n", minKeygenBits, maxKeygenBits, minKeygenBits)
		return exitUsage
	case name == "" || filepath.Base(name) != name:
		fmt.Fprintln(stderr, "paybridge keygen: --name must be a plain file name prefix, without a directory")
		return exitUsage
	}
	files := keyPaths(dir, name)
	if !force {
		if existing := existingFiles(files.all()); len(existing) > 0 {
			fmt.Fprintf(stderr, "paybridge keygen: %s already exists; not overwriting it (use --force to replace the key pair)\n", existing[0])
			return exitFailed
		}
	}
	key, err := rsa.GenerateKey(rand.Reader, bits)
	if err != nil {
		fmt.Fprintln(stderr, "paybridge keygen: generating the key:", err)
		return exitFailed
	}
	b64 := signing.PublicKeyBase64(&key.PublicKey)
	if err := writeKeyFiles(dir, files, key, b64, force); err != nil {
		fmt.Fprintln(stderr, "paybridge keygen:", err)
		return exitFailed
	}
	printKeygen(stdout, files, bits, b64)
	return exitOK
}

func existingFiles(paths []string) []string {
	var out []string
	for _, p := range paths {
		if _, err := os.Lstat(p); err == nil {
			out = append(out, p)
		}
	}
	return out
}

// writeKeyFiles writes the pair. Without force each file is created
// exclusively, so a key that appeared since the check is not clobbered; if
// any write fails, the files written so far are removed, so that no
// half-written pair (a public key without its private key) is left behind.
func writeKeyFiles(dir string, files keyFiles, key *rsa.PrivateKey, b64 string, force bool) (err error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	if b64 == "" {
		return errors.New("encoding the key failed")
	}
	contents := []struct {
		path string
		data []byte
	}{
		{files.private, signing.PrivateKeyPEM(key)},
		{files.public, signing.PublicKeyPEM(&key.PublicKey)},
		{files.base64, []byte(b64 + "\n")},
	}
	var written []string
	defer func() {
		if err != nil {
			for _, p := range written {
				_ = os.Remove(p)
			}
		}
	}()
	for _, c := range contents {
		if err := writeSecretFile(c.path, c.data, force); err != nil {
			return err
		}
		written = append(written, c.path)
	}
	return nil
}

// writeSecretFile writes data with mode 0600. An existing file replaced under
// force gets 0600 too: OpenFile keeps the mode of a file it truncates.
func writeSecretFile(path string, data []byte, force bool) error {
	flags := os.O_WRONLY | os.O_CREATE | os.O_EXCL
	if force {
		flags = os.O_WRONLY | os.O_CREATE | os.O_TRUNC
	}
	f, err := os.OpenFile(path, flags, 0o600)
	if errors.Is(err, fs.ErrExist) {
		return fmt.Errorf("%s already exists; not overwriting it (use --force)", path)
	}
	if err != nil {
		return err
	}
	if err := f.Chmod(0o600); err != nil {
		f.Close()
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

func printKeygen(w io.Writer, files keyFiles, bits int, b64 string) {
	b := &block{}
	b.add("private key", files.private+"  (keep it secret; never upload it)")
	b.add("public key", files.public)
	b.add("public key, base64", files.base64)
	fmt.Fprintf(w, "Generated an RSA-%d key pair:\n", bits)
	_ = b.write(w)
	fmt.Fprintf(w, "\nPaste this public key into the provider's dashboard:\n\n%s\n\n", b64)
	// An absolute path, because the configuration reads relative "file:"
	// paths from its own directory, which need not be this one.
	path := files.private
	if abs, err := filepath.Abs(path); err == nil {
		path = abs
	}
	fmt.Fprintf(w, "and point the wallet's configuration at the private key:\n  \"privateKey\": \"file:%s\"\n", path)
}
