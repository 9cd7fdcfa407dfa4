package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/paybridge/paybridge/signing"
)

func TestKeygen(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "keys") // created by keygen
	r := runCLI("keygen", "--out", dir, "--name", "shop")
	if r.code != exitOK {
		t.Fatalf("keygen: %s", r)
	}
	files := keyPaths(dir, "shop")
	read := func(path string) string {
		t.Helper()
		info, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		if info.Mode().Perm() != 0o600 {
			t.Errorf("%s has mode %v, want 0600", path, info.Mode().Perm())
		}
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	privPEM, pubPEM, b64 := read(files.private), read(files.public), read(files.base64)

	priv, err := signing.ParsePrivateKey(privPEM)
	if err != nil || !strings.Contains(privPEM, "-----BEGIN PRIVATE KEY-----") {
		t.Fatalf("private key is not PKCS#8 PEM: %v", err)
	}
	if priv.N.BitLen() != 2048 {
		t.Errorf("key has %d bits", priv.N.BitLen())
	}
	for name, text := range map[string]string{"PEM": pubPEM, "base64": b64} {
		pub, err := signing.ParsePublicKey(text)
		if err != nil || !pub.Equal(&priv.PublicKey) {
			t.Errorf("%s public key: %v, or not the private key's half", name, err)
		}
	}
	if !strings.Contains(pubPEM, "-----BEGIN PUBLIC KEY-----") || strings.Contains(b64, "-----") {
		t.Errorf("public key forms: PEM %q, base64 %q", pubPEM, b64)
	}

	// stdout has the paths and the public key to paste, and nothing of the
	// private key.
	if !strings.Contains(r.stdout, strings.TrimSpace(b64)) || !strings.Contains(r.stdout, files.private) {
		t.Errorf("keygen output lacks the base64 public key or the paths:\n%s", r.stdout)
	}
	privB64 := signing.PrivateKeyBase64(priv)
	for _, secret := range []string{"PRIVATE KEY-----", privB64[:64], privB64[len(privB64)-64:]} {
		if strings.Contains(r.stdout+r.stderr, secret) {
			t.Fatalf("keygen printed the private key")
		}
	}

	// Existing keys are never overwritten without --force.
	r = runCLI("keygen", "--out", dir, "--name", "shop")
	if r.code != exitFailed || !strings.Contains(r.stderr, "--force") {
		t.Errorf("second keygen: %s", r)
	}
	if read(files.private) != privPEM {
		t.Fatal("the private key was overwritten without --force")
	}
	// One existing file of the three is enough to refuse, and nothing is
	// written then.
	if err := os.Remove(files.private); err != nil {
		t.Fatal(err)
	}
	if r := runCLI("keygen", "--out", dir, "--name", "shop"); r.code != exitFailed {
		t.Errorf("keygen over a partial pair: %s", r)
	}
	if _, err := os.Stat(files.private); !os.IsNotExist(err) {
		t.Errorf("keygen wrote a private key next to an existing public key: %v", err)
	}

	// --force replaces the pair, still 0600 even if the old files were not.
	if err := os.Chmod(files.public, 0o644); err != nil {
		t.Fatal(err)
	}
	if r := runCLI("keygen", "--out", dir, "--name", "shop", "--force"); r.code != exitOK {
		t.Fatalf("keygen --force: %s", r)
	}
	if read(files.public) == pubPEM {
		t.Error("--force did not replace the public key")
	}
	read(files.private)
}

func TestKeygenRejectsBadFlags(t *testing.T) {
	dir := t.TempDir()
	for _, args := range [][]string{
		{"--out", dir, "--bits", "1024"},
		{"--out", dir, "--name", "../escape"},
		{"--out", dir, "extra"},
	} {
		if r := runCLI(append([]string{"keygen"}, args...)...); r.code != exitUsage {
			t.Errorf("keygen %q: %s", args, r)
		}
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("rejected keygen runs wrote %d files", len(entries))
	}
}
