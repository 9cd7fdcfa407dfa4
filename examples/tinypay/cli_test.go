package tinypay_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http/httputil"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"example.com/tinypay"
	"example.com/tinypay/tinypaytest"
	"github.com/paybridge/paybridge/cli"
	"github.com/paybridge/paybridge/payment"
	"github.com/paybridge/paybridge/providers"
)

// The CLI is paybridge's with one kind more (cmd/tinypay-cli): cli.Main
// given a registry that holds "tinypay" pays, inquires, listens and checks
// notifications for a TinyPay wallet of a configuration file, as it does
// for paybridge's own kinds.

// cliRun is one run of cli.Main.
type cliRun struct {
	code           int
	stdout, stderr string
}

func (r cliRun) String() string {
	return fmt.Sprintf("exit %d\nstdout:\n%s\nstderr:\n%s", r.code, r.stdout, r.stderr)
}

func runCLI(t *testing.T, opts cli.Options, args ...string) cliRun {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var out, errs bytes.Buffer
	code := cli.Main(ctx, args, strings.NewReader(""), &out, &errs, opts)
	return cliRun{code, out.String(), errs.String()}
}

// tinyRegistry is paybridge's kinds and "tinypay", as cmd/tinypay-cli
// builds it.
func tinyRegistry(t *testing.T) *providers.Registry {
	t.Helper()
	reg := providers.NewRegistry()
	if err := tinypay.Register(reg); err != nil {
		t.Fatal(err)
	}
	return reg
}

// decode reads the one JSON object a --json run prints.
func decode(t *testing.T, r cliRun, v any) {
	t.Helper()
	dec := json.NewDecoder(strings.NewReader(r.stdout))
	if err := dec.Decode(v); err != nil {
		t.Fatalf("stdout is not one JSON object: %v\n%s", err, r)
	}
	if dec.More() {
		t.Fatalf("stdout holds more than one JSON object:\n%s", r)
	}
}

// cliPayment is the part of a payment --json prints that the test reads.
type cliPayment struct {
	Provider         string   `json:"provider"`
	PaymentID        string   `json:"paymentId"`
	PaymentRequestID string   `json:"paymentRequestId"`
	Status           string   `json:"status"`
	Method           string   `json:"method"`
	Amount           struct { // minor units
		Value    string `json:"value"`
		Currency string `json:"currency"`
	} `json:"amount"`
	Action *struct {
		Kind   string `json:"kind"`
		QRCode string `json:"qrCode"`
	} `json:"action"`
}

func TestCLIPaysInquiresAndListensWithTinyPay(t *testing.T) {
	srv := tinypaytest.NewServer(tinypaytest.Options{})
	defer srv.Close()
	config := writeConfig(t, srv)
	t.Setenv("TINYPAY_PRIVATE_KEY", srv.Credentials().MerchantPrivateKey) // the configuration's env:TINYPAY_PRIVATE_KEY
	opts := cli.Options{Registry: tinyRegistry(t)}

	// listen checks TinyPay's notifications with the wallet's key and
	// acknowledges them as TinyPay expects.
	lis := startListen(t, opts, "listen", "--config", config, "--addr", "127.0.0.1:0")
	notifyURL := lis.url + "/notify/tinypay"

	r := runCLI(t, opts, "pay", "--config", config, "--id", "CLI-ORDER-1", "--amount", "100.00 PHP",
		"--scenario", "qr_code", "--method", string(tinypay.MethodPoints), "--description", "CLI test",
		"--notify-url", notifyURL, "--json")
	if r.code != 0 {
		t.Fatalf("pay: %s", r)
	}
	var paid cliPayment
	decode(t, r, &paid)
	if paid.Provider != tinypay.Name || paid.PaymentID == "" || paid.PaymentRequestID != "CLI-ORDER-1" || paid.Status != "pending" ||
		paid.Amount.Value != "10000" || paid.Amount.Currency != "PHP" || paid.Action == nil || paid.Action.Kind != "show_qr" || paid.Action.QRCode == "" {
		t.Fatalf("pay --json: %+v\n%s", paid, r)
	}

	if err := srv.Complete(paid.PaymentID); err != nil {
		t.Fatal(err)
	}
	r = runCLI(t, opts, "inquire", "--config", config, "--request-id", "CLI-ORDER-1", "--json")
	if r.code != 0 {
		t.Fatalf("inquire: %s", r)
	}
	var got cliPayment
	decode(t, r, &got)
	if got.PaymentID != paid.PaymentID || got.Status != "succeeded" || got.Provider != tinypay.Name {
		t.Fatalf("inquire --json: %+v\n%s", got, r)
	}

	// The payment's notification reached listen, which found it genuine
	// and acknowledged it, so that TinyPay stops.
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := srv.AwaitDeliveries(ctx, 1); err != nil {
		t.Fatal(err)
	}
	if d := srv.Deliveries()[0]; !d.Acked {
		t.Errorf("listen did not acknowledge the notification: %+v\n%s", d, lis.out)
	}
	lis.waitFor(t, "tinypay-ph: genuine, signed")

	// A code a wallet does not know: nothing is sent, exit 4.
	r = runCLI(t, opts, "pay", "--config", config, "--id", "CLI-ORDER-2", "--amount", "1.00 PHP", "--method", "dana", "--json")
	if r.code != 4 || !strings.Contains(r.stdout, `"error"`) {
		t.Errorf("pay with a method TinyPay does not take: %s", r)
	}
}

func TestCLIVerifiesATinyPayNotification(t *testing.T) {
	srv := tinypaytest.NewServer(tinypaytest.Options{})
	defer srv.Close()
	config := writeConfig(t, srv)
	t.Setenv("TINYPAY_PRIVATE_KEY", srv.Credentials().MerchantPrivateKey)
	opts := cli.Options{Registry: tinyRegistry(t)}

	r := runCLI(t, opts, "pay", "--config", config, "--id", "CLI-ORDER-3", "--amount", "5.00 PHP",
		"--method", string(tinypay.MethodPoints), "--json")
	if r.code != 0 {
		t.Fatalf("pay: %s", r)
	}
	var paid cliPayment
	decode(t, r, &paid)
	if err := srv.Complete(paid.PaymentID); err != nil {
		t.Fatal(err)
	}
	// Saved as listen --save saves it: the body, and the request line and
	// headers.
	req, err := srv.SignedNotification(paid.PaymentID, "http://127.0.0.1:4000/notify/tinypay")
	if err != nil {
		t.Fatal(err)
	}
	body, err := io.ReadAll(req.Body)
	if err != nil {
		t.Fatal(err)
	}
	req.Body = io.NopCloser(bytes.NewReader(nil))
	head, err := httputil.DumpRequest(req, false)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	bodyFile, headersFile := filepath.Join(dir, "1.body"), filepath.Join(dir, "1.headers")
	if err := os.WriteFile(bodyFile, body, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(headersFile, head, 0o600); err != nil {
		t.Fatal(err)
	}

	r = runCLI(t, opts, "verify-notification", "--config", config, "--body", bodyFile, "--headers", headersFile, "--json")
	var report struct {
		Valid    bool   `json:"valid"`
		Wallet   string `json:"wallet"`
		Provider string `json:"provider"`
		Event    *struct {
			Payment *cliPayment `json:"payment"`
		} `json:"event"`
	}
	decode(t, r, &report)
	if r.code != 0 || !report.Valid || report.Wallet != "tinypay-ph" || report.Provider != tinypay.Name ||
		report.Event == nil || report.Event.Payment == nil || report.Event.Payment.PaymentID != paid.PaymentID || report.Event.Payment.Status != "succeeded" {
		t.Fatalf("verify-notification: %+v\n%s", report, r)
	}

	// One byte changed: not genuine, exit 1.
	if err := os.WriteFile(bodyFile, bytes.Replace(body, []byte("5"), []byte("6"), 1), 0o600); err != nil {
		t.Fatal(err)
	}
	r = runCLI(t, opts, "verify-notification", "--config", config, "--body", bodyFile, "--headers", headersFile)
	if r.code != 1 || !strings.Contains(r.stdout, "INVALID") {
		t.Errorf("a changed body: %s", r)
	}
}

// paybridge's own CLI does not know "tinypay": the configuration is a
// usage error (exit 2) naming the kind, and nothing is sent.
func TestPaybridgeCLIRefusesTheTinyPayKind(t *testing.T) {
	srv := tinypaytest.NewServer(tinypaytest.Options{})
	defer srv.Close()
	config := writeConfig(t, srv)
	t.Setenv("TINYPAY_PRIVATE_KEY", srv.Credentials().MerchantPrivateKey)

	r := runCLI(t, cli.Options{}, "pay", "--config", config, "--id", "CLI-ORDER-4", "--amount", "1.00 PHP")
	if r.code != 2 || !strings.Contains(r.stderr, `unknown provider kind: "tinypay"`) || !strings.Contains(r.stderr, `wallet "tinypay-ph"`) {
		t.Errorf("pay: %s", r)
	}
	r = runCLI(t, cli.Options{}, "inquire", "--config", config, "--request-id", "CLI-ORDER-4", "--json")
	var failed struct {
		Error struct {
			Kind    string `json:"kind"`
			Message string `json:"message"`
		} `json:"error"`
	}
	decode(t, r, &failed)
	if r.code != 2 || failed.Error.Kind != "config" || !strings.Contains(failed.Error.Message, `"tinypay"`) {
		t.Errorf("inquire --json: %+v\n%s", failed, r)
	}
	r = runCLI(t, cli.Options{}, "listen", "--config", config, "--addr", "127.0.0.1:0")
	if r.code != 2 || !strings.Contains(r.stderr, `unknown provider kind: "tinypay"`) {
		t.Errorf("listen: %s", r)
	}
	if n := len(srv.Requests("/v1/pay")); n != 0 {
		t.Errorf("%d pay requests reached TinyPay, want none", n)
	}
}

// quiet is a provider of a kind whose notifications are not signed: it
// is not a notify.Source.
type quiet struct{ payment.Provider }

// A kind whose providers receive no signed notifications cannot be
// listened to or checked: listen and verify-notification say so, naming
// the wallet and its kind.
func TestCLIListenNamesAKindWithoutNotifications(t *testing.T) {
	srv := tinypaytest.NewServer(tinypaytest.Options{})
	defer srv.Close()
	first := writeConfig(t, srv)
	raw, err := os.ReadFile(first)
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Dir(first) // where tinypay.pub is
	config := writeFile(t, filepath.Join(dir, "quiet.json"), strings.Replace(string(raw), `"provider": "tinypay"`, `"provider": "quietpay"`, 1))
	headers := writeFile(t, filepath.Join(dir, "1.headers"), "Content-Type: application/json\n")
	t.Setenv("TINYPAY_PRIVATE_KEY", srv.Credentials().MerchantPrivateKey)
	reg := tinyRegistry(t)
	if err := reg.Register("quietpay", func(ctx context.Context, raw json.RawMessage, o providers.Options) (payment.Provider, error) {
		p, err := tinypay.Open(ctx, raw, o)
		return quiet{p}, err
	}); err != nil {
		t.Fatal(err)
	}
	opts := cli.Options{Registry: reg}

	r := runCLI(t, opts, "listen", "--config", config, "--addr", "127.0.0.1:0")
	if r.code != 2 || !strings.Contains(r.stderr, "tinypay-ph (quietpay)") {
		t.Errorf("listen: %s", r)
	}
	r = runCLI(t, opts, "verify-notification", "--config", config, "--wallet", "tinypay-ph", "--body", config, "--headers", headers, "--uri", "/notify")
	if r.code != 2 || !strings.Contains(r.stderr, `wallet "tinypay-ph" (quietpay) does not receive signed notifications`) {
		t.Errorf("verify-notification: %s", r)
	}
}

func writeFile(t *testing.T, path, content string) string {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// listening is a listen running until the test ends.
type listening struct {
	url string
	out *syncBuffer
}

var listeningOn = regexp.MustCompile(`Listening on (http://127\.0\.0\.1:\d+):`)

// startListen runs the CLI's listen until the test ends (then as Ctrl-C
// does) and returns once it prints the address it listens on.
func startListen(t *testing.T, opts cli.Options, args ...string) *listening {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	out := newSyncBuffer()
	done := make(chan int, 1)
	go func() { done <- cli.Main(ctx, args, strings.NewReader(""), out, out, opts) }()
	t.Cleanup(func() {
		cancel()
		select {
		case code := <-done:
			if code != 0 {
				t.Errorf("listen exited %d:\n%s", code, out)
			}
		case <-time.After(20 * time.Second):
			t.Errorf("listen did not stop within 20s of its context's end")
		}
	})
	l := &listening{out: out}
	deadline := time.After(10 * time.Second)
	for {
		if m := listeningOn.FindStringSubmatch(out.String()); m != nil {
			l.url = m[1]
			return l
		}
		select {
		case <-out.wrote:
		case code := <-done:
			t.Fatalf("listen exited %d:\n%s", code, out)
		case <-deadline:
			t.Fatalf("listen printed no address within 10s:\n%s", out)
		}
	}
}

// waitFor waits, 10s at most, until listen has printed want.
func (l *listening) waitFor(t *testing.T, want string) {
	t.Helper()
	deadline := time.After(10 * time.Second)
	for !strings.Contains(l.out.String(), want) {
		select {
		case <-l.out.wrote:
		case <-deadline:
			t.Fatalf("listen did not print %q within 10s:\n%s", want, l.out)
		}
	}
}

// syncBuffer is output written by one goroutine and read by another; wrote
// receives a value after writes.
type syncBuffer struct {
	mu    sync.Mutex
	buf   bytes.Buffer
	wrote chan struct{}
}

func newSyncBuffer() *syncBuffer { return &syncBuffer{wrote: make(chan struct{}, 1)} }

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	n, err := b.buf.Write(p)
	select {
	case b.wrote <- struct{}{}:
	default: // a wake-up is already pending
	}
	return n, err
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
