package bench

import (
	"bufio"
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/paybridge/paybridge/providers/alipayplus/alipayplustest"
	"github.com/paybridge/paybridge/providers/alphapay/alphapaytest"
)

// simMode says where a benchmark's simulator runs and how the clients
// reach it.
type simMode struct {
	// tls: the simulator serves HTTPS (httptest's certificate, HTTP/1.1),
	// and the clients trust its certificate.
	tls bool
	// remote: the simulator runs in a child process (see TestMain), so
	// that the benchmark process's CPU time and allocations are the
	// client's alone.
	remote bool
}

func (m simMode) String() string {
	s := "in-process"
	if m.remote {
		s = "remote"
	}
	if m.tls {
		return s + "+tls"
	}
	return s
}

// simulatorEnv names the environment variable that turns the test binary
// into a simulator server: its value is the provider ("alphapay" or
// "alipayplus"), with "+tls" for HTTPS.
const simulatorEnv = "PAYBRIDGE_BENCH_SIMULATOR"

// TestMain runs the tests and benchmarks, or, started by startRemote with
// simulatorEnv set, serves one simulator instead (serveSimulator).
func TestMain(m *testing.M) {
	if spec := os.Getenv(simulatorEnv); spec != "" {
		os.Exit(serveSimulator(spec, os.Stdin, os.Stdout, os.Stderr))
	}
	os.Exit(m.Run())
}

// simHello is the one line a simulator process writes when it serves: what
// a client needs to reach it. It carries the simulator's private keys
// (generated for the run) for the crypto floor.
type simHello struct {
	BaseURL, Prefix, ClientID, KeyVersion, MerchantCode       string
	MerchantPrivateKey, ProviderPrivateKey, ProviderPublicKey string
	// CertPEM is the TLS server's certificate, for the client to trust;
	// empty for plain HTTP.
	CertPEM string
}

// serveSimulator is the simulator process: it starts the simulator spec
// names, writes a simHello line to out, then obeys one command per input
// line until in ends — "complete <paymentId>", answered "ok" or
// "error: …" — and closes the server.
func serveSimulator(spec string, in io.Reader, out, errOut io.Writer) int {
	provider, tlsOn := strings.CutSuffix(spec, "+tls")
	var (
		hello    simHello
		complete func(string) error
		closeSrv func()
	)
	switch provider {
	case "alphapay":
		s := alphapaytest.NewUnstartedServer()
		start(s.Start, s.StartTLS, tlsOn)
		cr := s.Credentials()
		hello = simHello{BaseURL: cr.BaseURL, MerchantCode: cr.MerchantCode,
			MerchantPrivateKey: cr.MerchantPrivateKey, ProviderPrivateKey: cr.AlphaPayPrivateKey, ProviderPublicKey: cr.AlphaPayPublicKey}
		complete, closeSrv = s.Complete, s.Close
	case "alipayplus":
		s := alipayplustest.NewUnstartedServer()
		start(s.Start, s.StartTLS, tlsOn)
		cr := s.Credentials()
		hello = simHello{BaseURL: cr.BaseURL, Prefix: cr.Prefix, ClientID: cr.ClientID, KeyVersion: cr.KeyVersion,
			MerchantPrivateKey: cr.MerchantPrivateKey, ProviderPrivateKey: cr.WalletPrivateKey, ProviderPublicKey: cr.WalletPublicKey}
		complete, closeSrv = s.Complete, s.Close
	default:
		fmt.Fprintf(errOut, "%s: unknown simulator %q\n", simulatorEnv, spec)
		return 2
	}
	defer closeSrv()
	if tlsOn {
		cert, err := peerCertificate(hello.BaseURL)
		if err != nil {
			fmt.Fprintln(errOut, "simulator:", err)
			return 1
		}
		hello.CertPEM = string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: cert.Raw}))
	}
	line, err := json.Marshal(hello)
	if err != nil {
		fmt.Fprintln(errOut, "simulator:", err)
		return 1
	}
	w := bufio.NewWriter(out)
	fmt.Fprintf(w, "%s\n", line)
	if err := w.Flush(); err != nil {
		return 1
	}
	sc := bufio.NewScanner(in)
	for sc.Scan() {
		cmd, arg, _ := strings.Cut(sc.Text(), " ")
		switch cmd {
		case "complete":
			if err := complete(arg); err != nil {
				fmt.Fprintf(w, "error: %v\n", err)
			} else {
				fmt.Fprintln(w, "ok")
			}
		default:
			fmt.Fprintf(w, "error: unknown command %q\n", cmd)
		}
		if err := w.Flush(); err != nil {
			return 1
		}
	}
	return 0
}

func start(plain, withTLS func(), tlsOn bool) {
	if tlsOn {
		withTLS()
	} else {
		plain()
	}
}

// peerCertificate fetches the certificate a TLS server on base presents,
// without verifying it: the simulator passes it on for its clients to
// trust (and verify).
func peerCertificate(base string) (*x509.Certificate, error) {
	u, err := url.Parse(base)
	if err != nil {
		return nil, err
	}
	conn, err := tls.Dial("tcp", u.Host, &tls.Config{InsecureSkipVerify: true}) //nolint:gosec // fetching the certificate to pin it
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	certs := conn.ConnectionState().PeerCertificates
	if len(certs) == 0 {
		return nil, errors.New("no certificate")
	}
	return certs[0], nil
}

// remoteSim is a simulator running in a child process: this test binary
// started again with simulatorEnv set.
type remoteSim struct {
	hello simHello
	cmd   *exec.Cmd
	mu    sync.Mutex
	in    io.WriteCloser
	out   *bufio.Reader
}

// startRemote starts a simulator process for provider ("alphapay",
// "alipayplus"), over TLS if tlsOn, and stops it when tb ends.
func startRemote(tb testing.TB, provider string, tlsOn bool) *remoteSim {
	tb.Helper()
	exe, err := os.Executable()
	if err != nil {
		tb.Fatal(err)
	}
	spec := provider
	if tlsOn {
		spec += "+tls"
	}
	cmd := exec.Command(exe, "-test.run=^$")
	cmd.Env = append(os.Environ(), simulatorEnv+"="+spec)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	in, err := cmd.StdinPipe()
	if err != nil {
		tb.Fatal(err)
	}
	outPipe, err := cmd.StdoutPipe()
	if err != nil {
		tb.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		tb.Fatal(err)
	}
	r := &remoteSim{cmd: cmd, in: in, out: bufio.NewReader(outPipe)}
	tb.Cleanup(func() {
		// Closing its input ends the simulator; kill it if it lingers.
		_ = in.Close()
		done := make(chan struct{})
		go func() { _ = cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			_ = cmd.Process.Kill()
			<-done
		}
	})
	line, err := r.out.ReadBytes('\n')
	if err == nil {
		err = json.Unmarshal(line, &r.hello)
	}
	if err != nil {
		tb.Fatalf("simulator process %s: %v; stderr: %s", spec, err, stderr.String())
	}
	return r
}

// complete makes the customer pay paymentID, in the simulator process.
func (r *remoteSim) complete(paymentID string) error {
	if strings.ContainsAny(paymentID, " \n") {
		return fmt.Errorf("payment ID %q", paymentID)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if _, err := fmt.Fprintf(r.in, "complete %s\n", paymentID); err != nil {
		return err
	}
	line, err := r.out.ReadString('\n')
	if err != nil {
		return err
	}
	if line = strings.TrimSpace(line); line != "ok" {
		return errors.New(line)
	}
	return nil
}

// tlsConfig is a client configuration that trusts the simulator's
// certificate, or nil for plain HTTP.
func (r *remoteSim) tlsConfig(tb testing.TB) *tls.Config {
	tb.Helper()
	if r.hello.CertPEM == "" {
		return nil
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM([]byte(r.hello.CertPEM)) {
		tb.Fatal("simulator certificate unreadable")
	}
	return &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}
}

// inProcessTLS is the client TLS configuration of an in-process TLS
// simulator (its Client trusts its certificate), or nil for plain HTTP.
func inProcessTLS(tb testing.TB, c *http.Client) *tls.Config {
	tb.Helper()
	t, ok := c.Transport.(*http.Transport)
	if !ok {
		tb.Fatalf("simulator client transport %T", c.Transport)
	}
	if t.TLSClientConfig == nil {
		return nil
	}
	return t.TLSClientConfig.Clone()
}

// TestTransportsSmoke runs Pay and Inquire once through the adapter and
// the baseline against each provider's simulator over TLS in this process,
// and over plain HTTP and TLS in another process: the set-ups the
// InterleavedTLS and ClientOnly benchmarks use.
func TestTransportsSmoke(t *testing.T) {
	t.Parallel()
	for _, m := range []simMode{{tls: true}, {remote: true}, {remote: true, tls: true}} {
		for name, mk := range map[string]func(testing.TB, simMode) adapterEnv{
			"alphapay":   func(tb testing.TB, m simMode) adapterEnv { return newAPEnv(tb, m) },
			"alipayplus": func(tb testing.TB, m simMode) adapterEnv { return newAppEnv(tb, m) },
		} {
			t.Run(name+"/"+m.String(), func(t *testing.T) {
				t.Parallel()
				e := mk(t, m)
				ctx := context.Background()
				for who, o := range map[string]ops{"paybridge": e.paybridge(t, nil), "baseline": e.baseline(t)} {
					if err := o.pay(ctx); err != nil {
						t.Fatalf("%s pay: %v", who, err)
					}
					if err := o.inquire(ctx); err != nil {
						t.Fatalf("%s inquire: %v", who, err)
					}
					if n := o.dials.Load(); n != 1 {
						t.Errorf("%s dialled %d connections; want 1", who, n)
					}
					o.close()
				}
			})
		}
	}
}
