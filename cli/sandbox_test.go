package cli

import (
	"bytes"
	"context"
	cryptotls "crypto/tls"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/paybridge/paybridge/money"
	"github.com/paybridge/paybridge/payment"
	"github.com/paybridge/paybridge/providers"
)

// output collects a long-running command's output and lets a test wait,
// bounded, for a line to appear: the command acts on its own time.
type output struct {
	mu      sync.Mutex
	buf     bytes.Buffer
	changed chan struct{} // closed and replaced on every write
}

func newOutput() *output { return &output{changed: make(chan struct{})} }

func (w *output) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	n, err := w.buf.Write(p)
	close(w.changed)
	w.changed = make(chan struct{})
	return n, err
}

func (w *output) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.buf.String()
}

// waitFor waits until the output contains want, at most 20 seconds, and
// returns the output.
func (w *output) waitFor(t *testing.T, want string) string {
	t.Helper()
	timeout := time.NewTimer(20 * time.Second)
	defer timeout.Stop()
	for {
		text, changed := w.snapshot()
		if strings.Contains(text, want) {
			return text
		}
		select {
		case <-changed:
		case <-timeout.C:
			t.Fatalf("no %q in the output within 20s:\n%s", want, text)
		}
	}
}

// start runs a long-running command (sandbox, listen) until the test ends,
// and returns its output once it printed ready.
func start(t *testing.T, ready string, args ...string) *output {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	out := newOutput()
	done := make(chan int, 1)
	go func() { done <- Main(ctx, args, nil, out, out, Options{}) }()
	t.Cleanup(func() {
		cancel() // Ctrl-C
		select {
		case code := <-done:
			if code != exitOK {
				t.Errorf("%s exited %d:\n%s", args[0], code, out)
			}
		case <-time.After(20 * time.Second):
			t.Errorf("%s did not stop within 20s of Ctrl-C", args[0])
		}
	})
	started := make(chan struct{})
	go func() {
		defer close(started)
		for {
			text, changed := out.snapshot()
			if strings.Contains(text, ready) {
				return
			}
			select {
			case <-ctx.Done():
				return
			case <-changed:
			}
		}
	}()
	select {
	case <-started:
	case code := <-done:
		done <- code // for the cleanup
		t.Fatalf("%s exited %d:\n%s", args[0], code, out)
	case <-time.After(30 * time.Second):
		t.Fatalf("%s did not start:\n%s", args[0], out)
	}
	return out
}

// snapshot is the output so far and the channel closed at the next write.
func (w *output) snapshot() (string, chan struct{}) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.buf.String(), w.changed
}

// startSandbox runs the sandbox command until the test ends and returns its
// configuration file and output.
func startSandbox(t *testing.T, args ...string) (configPath string, out *output) {
	t.Helper()
	out = start(t, "Press Ctrl-C", append([]string{"sandbox", "--addr", "127.0.0.1:0"}, args...)...)
	text := out.String()
	i := strings.Index(text, "written to ")
	if i < 0 {
		t.Fatalf("no config file named:\n%s", text)
	}
	configPath, _, _ = strings.Cut(text[i+len("written to "):], ":\n")
	return configPath, out
}

func TestSandboxServesBothProvidersToItsPrintedConfig(t *testing.T) {
	keys := t.TempDir()
	for _, tls := range []bool{false, true} {
		name := "http"
		args := []string{"--keys", keys}
		if tls {
			name = "tls"
			args = append(args, "--tls")
		}
		t.Run(name, func(t *testing.T) {
			cfg, out := startSandbox(t, args...)
			if tls && !strings.Contains(out.String(), "caFile") {
				t.Fatalf("the TLS sandbox's config does not trust its certificate:\n%s", out.String())
			}
			ctx := context.Background()
			w, err := providers.LoadFile(ctx, cfg)
			if err != nil {
				t.Fatalf("the printed config does not load: %v\n%s", err, out.String())
			}
			for _, wallet := range w.Names() {
				p, _ := w.Get(wallet)
				req := &payment.PayRequest{PaymentRequestID: "SANDBOX-" + name + "-" + wallet, Amount: money.MustParse("12.00 CNY"), Description: "Sandbox test",
					RedirectURL: "https://shop.example/done"}
				switch caps := p.Capabilities(); {
				case caps.SupportsScenario(payment.ScenarioQRCode):
					req.Scenario, req.Method = payment.ScenarioQRCode, payment.MethodAlipay
				case len(caps.Methods) > 0: // antom: the cashier of a method
					req.Scenario, req.Method = payment.ScenarioCashier, payment.MethodAlipayCN
				default:
					req.Scenario = payment.ScenarioCashier
				}
				pay, err := p.Pay(ctx, req)
				if err != nil {
					t.Fatalf("%s: pay: %v", wallet, err)
				}
				// Play the customer through the documented HTTP endpoint.
				approve := strings.TrimSuffix(pay.Action.URL, "/") + "/approve"
				if i := strings.Index(approve, "?"); i >= 0 {
					approve = pay.Action.URL[:i] + "/approve"
				}
				client := &http.Client{Transport: http.DefaultTransport, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
				if tls {
					client = insecureLoopbackClient()
				}
				resp, err := client.Post(approve, "application/x-www-form-urlencoded", nil)
				if err != nil {
					t.Fatalf("%s: approve: %v", wallet, err)
				}
				resp.Body.Close()
				got, err := p.Inquire(ctx, pay.Ref())
				if err != nil || got.Status != payment.StatusSucceeded {
					t.Fatalf("%s: after approving at %s: %+v, %v", wallet, approve, got, err)
				}
				// trigger reaches the sandbox's control endpoints with the
				// configuration's certificate too; the receiver refuses.
				r := runCLI("trigger", "--config", cfg, "--wallet", wallet, "--payment-id", pay.PaymentID, "--notify-url", refusing(t))
				if r.code != exitFailed || !strings.Contains(r.stdout, "HTTP 500, not acknowledged") {
					t.Errorf("%s: trigger: %s", wallet, r)
				}
			}
		})
	}
	// The keys were generated once and reused by the second run.
	for _, who := range []string{"merchant", "alphapay", "wallet", "antom"} {
		info, err := os.Stat(filepath.Join(keys, who+"_private.pem"))
		if err != nil || info.Mode().Perm() != 0o600 {
			t.Errorf("%s key: %v %v", who, info, err)
		}
	}
}

// insecureLoopbackClient plays the customer's browser against the TLS
// sandbox's self-signed certificate (loopback only, test only).
func insecureLoopbackClient() *http.Client {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.TLSClientConfig = &cryptotls.Config{InsecureSkipVerify: true} //nolint:gosec // loopback test server
	return &http.Client{Transport: t, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}
