package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/paybridge/paybridge/providers/alphapay/alphapaytest"
)

// testWallet is the wallet name of the configurations tests write.
const testWallet = "alphapay-test"

// cliEnv is a simulated AlphaPay and a configuration file for it, as a
// merchant would write one: the private key in a file next to the
// configuration, the provider's public key inline.
type cliEnv struct {
	sim    *alphapaytest.Server
	dir    string
	config string
}

func newCLIEnv(t *testing.T) *cliEnv {
	t.Helper()
	sim := alphapaytest.NewServer()
	t.Cleanup(sim.Close)
	cr := sim.Credentials()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "merchant.pem"), []byte(cr.MerchantPrivateKey), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg := map[string]any{"wallets": []any{map[string]any{
		"name": testWallet, "provider": "alphapay",
		"settings": map[string]any{
			"baseURL": cr.BaseURL, "merchantCode": cr.MerchantCode,
			"privateKey": "file:merchant.pem", "alphaPayPublicKey": cr.AlphaPayPublicKey,
			// Retries as in production, minus the waiting.
			"retry": map[string]any{"maxAttempts": 4, "baseWait": "1ms", "maxWait": "2ms"},
		},
	}}}
	js, _ := json.Marshal(cfg)
	path := filepath.Join(dir, "paybridge.json")
	if err := os.WriteFile(path, js, 0o600); err != nil {
		t.Fatal(err)
	}
	return &cliEnv{sim: sim, dir: dir, config: path}
}

// result is one CLI run.
type result struct {
	code           int
	stdout, stderr string
}

func (r result) String() string {
	return "exit " + strconv.Itoa(r.code) + "\nstdout:\n" + r.stdout + "\nstderr:\n" + r.stderr
}

func runCLI(args ...string) result {
	var out, errs bytes.Buffer
	code := Main(context.Background(), args, nil, &out, &errs, Options{})
	return result{code, out.String(), errs.String()}
}

// op runs an operation command against the env's wallet.
func (e *cliEnv) op(cmd string, args ...string) result {
	return runCLI(append([]string{cmd, "--config", e.config, "--wallet", testWallet}, args...)...)
}

// jsonOp runs an operation with --json and decodes its one object.
func (e *cliEnv) jsonOp(t *testing.T, want int, cmd string, args ...string) map[string]any {
	t.Helper()
	r := e.op(cmd, append([]string{"--json"}, args...)...)
	if r.code != want {
		t.Fatalf("%s: want exit %d, got %s", cmd, want, r)
	}
	var v map[string]any
	if err := json.Unmarshal([]byte(r.stdout), &v); err != nil {
		t.Fatalf("%s --json printed no JSON object: %v\n%s", cmd, err, r)
	}
	return v
}

func str(v map[string]any, path ...string) string {
	var cur any = v
	for _, k := range path {
		m, _ := cur.(map[string]any)
		cur = m[k]
	}
	s, _ := cur.(string)
	return s
}

func TestPayPrintsWhatToDoNext(t *testing.T) {
	e := newCLIEnv(t)

	r := e.op("pay", "--id", "CLI-HUMAN", "--amount", "19.99 CAD", "--method", "wechat_pay", "--description", "Two green teas")
	if r.code != exitOK {
		t.Fatalf("pay: %s", r)
	}
	for _, want := range []string{"provider:", "alphapay", "payment id:", "request id:", "CLI-HUMAN", "status:", "pending",
		"amount:", "19.99 CAD", "show this QR code", "qr code:", "call result:"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("human output lacks %q:\n%s", want, r.stdout)
		}
	}

	v := e.jsonOp(t, exitOK, "pay", "--id", "CLI-JSON", "--amount", "19.99 CAD", "--method", "alipay", "--scenario", "qr_code")
	if str(v, "provider") != "alphapay" || str(v, "paymentRequestId") != "CLI-JSON" || str(v, "paymentId") == "" ||
		str(v, "status") != "pending" || str(v, "scenario") != "qr_code" {
		t.Errorf("pay --json: %v", v)
	}
	if str(v, "amount", "currency") != "CAD" || str(v, "amount", "value") != "1999" {
		t.Errorf("amount is not {currency CAD, value \"1999\"}: %v", v["amount"])
	}
	if str(v, "action", "kind") != "show_qr" || str(v, "action", "qrCode") == "" {
		t.Errorf("action: %v", v["action"])
	}
	if str(v, "result", "code") == "" || str(v, "createdAt") == "" {
		t.Errorf("result or createdAt missing: %v", v)
	}
	if e.sim.Orders("CLI-JSON") != 1 {
		t.Errorf("orders under CLI-JSON: %d", e.sim.Orders("CLI-JSON"))
	}
}

// AlphaPay requires order.description: without --description the CLI sends
// "Payment <id>", says so on stderr, and sends the same on a repeat.
func TestPayWithoutDescriptionSendsADefault(t *testing.T) {
	e := newCLIEnv(t)
	for range 2 {
		r := e.op("pay", "--id", "CLI-NODESC", "--amount", "5.00 CAD", "--method", "alipay")
		if r.code != exitOK || !strings.Contains(r.stderr, `the customer sees "Payment CLI-NODESC"`) {
			t.Fatalf("pay without --description: %s", r)
		}
	}
	reqs := e.sim.Requests(alphapaytest.PathPay)
	if len(reqs) != 2 || !bytes.Contains(reqs[0].Body, []byte(`"description":"Payment CLI-NODESC"`)) || !bytes.Equal(reqs[0].Body, reqs[1].Body) {
		t.Fatalf("the simulator received %d pays: %s", len(reqs), reqs[0].Body)
	}
	if e.sim.Orders("CLI-NODESC") != 1 {
		t.Errorf("orders: %d", e.sim.Orders("CLI-NODESC"))
	}
}

func TestInquireRefundAndCancel(t *testing.T) {
	e := newCLIEnv(t)
	paid := e.jsonOp(t, exitOK, "pay", "--id", "CLI-LIFE-1", "--amount", "20.00 CAD", "--method", "alipay")
	pid := str(paid, "paymentId")
	if err := e.sim.Complete(pid); err != nil {
		t.Fatal(err)
	}

	r := e.op("inquire", "--payment-id", pid)
	if r.code != exitOK || !strings.Contains(r.stdout, "succeeded") {
		t.Fatalf("inquire after Complete: %s", r)
	}

	ref := e.jsonOp(t, exitOK, "refund", "--refund-request-id", "CLI-REFUND-1", "--payment-id", pid, "--amount", "5.00 CAD", "--reason", "one tea spilt")
	rid := str(ref, "refundId")
	if rid == "" || str(ref, "refundRequestId") != "CLI-REFUND-1" || str(ref, "amount", "value") != "500" || str(ref, "paymentId") != pid {
		t.Fatalf("refund --json: %v", ref)
	}
	got := e.jsonOp(t, exitOK, "inquire-refund", "--refund-id", rid)
	if str(got, "status") != "succeeded" || str(got, "refundId") != rid {
		t.Errorf("inquire-refund: %v", got)
	}
	if v := e.jsonOp(t, exitOK, "inquire", "--payment-id", pid); str(v, "status") != "partially_refunded" {
		t.Errorf("inquire after the refund: %v", v)
	}

	// A paid payment cannot be cancelled: AlphaPay answers F ORDER_PAID.
	r = e.op("cancel", "--payment-id", pid)
	if r.code != exitFailed || !strings.Contains(r.stderr, "ORDER_PAID") {
		t.Errorf("cancel of a paid payment: %s", r)
	}
	errObj := e.jsonOp(t, exitFailed, "cancel", "--payment-id", pid)
	if str(errObj, "error", "kind") != "failed" || str(errObj, "error", "code") != "ORDER_PAID" || str(errObj, "error", "requestId") != pid {
		t.Errorf("cancel --json error: %v", errObj)
	}

	unpaid := e.jsonOp(t, exitOK, "pay", "--id", "CLI-LIFE-2", "--amount", "3.00 CAD", "--method", "alipay")
	r = e.op("cancel", "--payment-id", str(unpaid, "paymentId"))
	if r.code != exitOK || !strings.Contains(r.stdout, "cancelled") {
		t.Errorf("cancel of an unpaid payment: %s", r)
	}
}

func TestExitCodes(t *testing.T) {
	e := newCLIEnv(t)

	// Invalid requests fail before any byte is sent.
	for name, args := range map[string][]string{
		"excess precision":     {"--id", "CLI-BAD-1", "--amount", "1.999 CAD", "--method", "alipay"},
		"scenario it lacks":    {"--id", "CLI-BAD-2", "--amount", "1.99 CAD", "--scenario", "cashier"},
		"method required":      {"--id", "CLI-BAD-3", "--amount", "1.99 CAD"},
		"currency it lacks":    {"--id", "CLI-BAD-4", "--amount", "1.99 EUR", "--method", "alipay"},
		"unknown method":       {"--id", "CLI-BAD-5", "--amount", "1.99 CAD", "--method", "bitcoin"},
		"notify url not a url": {"--id", "CLI-BAD-6", "--amount", "1.99 CAD", "--method", "alipay", "--notify-url", "notify"},
	} {
		r := e.op("pay", args...)
		if r.code != exitInvalid || !strings.Contains(r.stderr, "nothing was sent") {
			t.Errorf("%s: want exit %d and a hint, got %s", name, exitInvalid, r)
		}
	}
	if r := e.op("inquire", "--request-id", "CLI-BAD-1"); r.code != exitInvalid || !strings.Contains(r.stderr, "--payment-id") {
		t.Errorf("inquire by request id on AlphaPay: %s", r)
	}
	if r := e.op("refund", "--refund-request-id", "R", "--payment-id", "P", "--amount", "1.001 CAD"); r.code != exitInvalid {
		t.Errorf("refund with a bad amount: %s", r)
	}
	if n := e.sim.RequestCount(); n != 0 {
		t.Fatalf("invalid requests reached the provider: %d requests", n)
	}
	v := e.jsonOp(t, exitInvalid, "pay", "--id", "CLI-BAD-7", "--amount", "1.999 CAD", "--method", "alipay")
	if str(v, "error", "kind") != "invalid_request" || str(v, "error", "requestId") != "CLI-BAD-7" || str(v, "error", "message") == "" {
		t.Errorf("invalid --json error: %v", v)
	}

	// Usage and configuration errors.
	if r := runCLI("pay", "--config", e.config, "--wallet", "nope", "--id", "X", "--amount", "1.00 CAD"); r.code != exitUsage || !strings.Contains(r.stderr, testWallet) {
		t.Errorf("unknown wallet: want exit %d naming the wallets, got %s", exitUsage, r)
	}
	if r := runCLI("pay", "--config", filepath.Join(e.dir, "missing.json"), "--id", "X", "--amount", "1.00 CAD"); r.code != exitUsage {
		t.Errorf("missing config: %s", r)
	}
	for _, args := range [][]string{
		{"pay", "--config", e.config, "--amount", "1.00 CAD"},
		{"pay", "--id", "X", "--amount", "1.00 CAD"},
		{"pay", "--config", e.config, "--bogus"},
		{"inquire", "--config", e.config},
		{"refund", "--config", e.config, "--refund-id", "R", "--payment-id", "P", "--amount", "1.00 CAD"},
		{"inquire-refund", "--config", e.config},
		{"pay", "--config", e.config, "--id", "X", "--amount", "1.00 CAD", "--timeout", "0s"},
	} {
		if r := runCLI(args...); r.code != exitUsage {
			t.Errorf("%q: want exit %d, got %s", args, exitUsage, r)
		}
	}
	if r := runCLI("refund", "--refund-id", "R"); !strings.Contains(r.stderr, "--refund-request-id") {
		t.Errorf("refund --refund-id does not point to --refund-request-id: %s", r)
	}
	if n := e.sim.RequestCount(); n != 0 {
		t.Fatalf("usage errors reached the provider: %d requests", n)
	}

	// An unknown outcome: every attempt's answer is lost after the order
	// was made.
	e.sim.Script(alphapaytest.PathPay, dropAfter(4)...)
	r := e.op("pay", "--id", "CLI-UNKNOWN", "--amount", "19.99 CAD", "--method", "alipay")
	if r.code != exitUnknown || !strings.Contains(r.stderr, "do not retry with a new --id") || !strings.Contains(r.stderr, "--resolve") {
		t.Errorf("unknown outcome: want exit %d and the hint, got %s", exitUnknown, r)
	}
	e.sim.Script(alphapaytest.PathPay, dropAfter(4)...)
	v = e.jsonOp(t, exitUnknown, "pay", "--id", "CLI-UNKNOWN", "--amount", "19.99 CAD", "--method", "alipay")
	if str(v, "error", "kind") != "unknown_outcome" || !strings.Contains(str(v, "error", "hint"), "--resolve") {
		t.Errorf("unknown outcome --json: %v", v)
	}
	if n := e.sim.Orders("CLI-UNKNOWN"); n != 1 {
		t.Errorf("orders under CLI-UNKNOWN: %d", n)
	}

	// Not found is a definite answer.
	if r := e.op("inquire", "--payment-id", "NO-SUCH-PAYMENT"); r.code != exitFailed {
		t.Errorf("inquire of an unknown payment: %s", r)
	}
}

func dropAfter(n int) []alphapaytest.Fault {
	f := make([]alphapaytest.Fault, n)
	for i := range f {
		f[i] = alphapaytest.Fault{DropAfter: true}
	}
	return f
}

func TestPayResolveSettlesAnUnknownOutcome(t *testing.T) {
	e := newCLIEnv(t)
	e.sim.Script(alphapaytest.PathPay, dropAfter(4)...)
	r := e.op("pay", "--id", "CLI-RESOLVE", "--amount", "19.99 CAD", "--method", "wechat_pay", "--resolve", "--poll-interval", "5ms")
	if r.code != exitOK || !strings.Contains(r.stdout, "pending") || !strings.Contains(r.stderr, "resolving") {
		t.Fatalf("pay --resolve: %s", r)
	}
	if n := e.sim.Orders("CLI-RESOLVE"); n != 1 {
		t.Errorf("orders under CLI-RESOLVE: %d, want 1", n)
	}
}

// markerWriter collects output and closes seen the first time it
// contains marker, so a test can act on what the CLI printed, not on time.
type markerWriter struct {
	mu     sync.Mutex
	buf    bytes.Buffer
	marker string
	seen   chan struct{}
	once   sync.Once
}

func newMarkerWriter(marker string) *markerWriter {
	return &markerWriter{marker: marker, seen: make(chan struct{})}
}

func (w *markerWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	n, err := w.buf.Write(p)
	if strings.Contains(w.buf.String(), w.marker) {
		w.once.Do(func() { close(w.seen) })
	}
	return n, err
}

func (w *markerWriter) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.buf.String()
}

func TestPayWaitsForTheCustomer(t *testing.T) {
	e := newCLIEnv(t)
	const id = "CLI-WAIT"
	stderr := newMarkerWriter("still pending")
	var stdout bytes.Buffer
	customer := make(chan error, 1)
	go func() {
		<-stderr.seen
		snap, ok := e.sim.PaymentByRequestID(id)
		if !ok {
			customer <- os.ErrNotExist
			return
		}
		customer <- e.sim.Complete(snap.PaymentID)
	}()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	code := Main(ctx, []string{"pay", "--config", e.config, "--wallet", testWallet, "--id", id, "--amount", "19.99 CAD",
		"--method", "alipay", "--wait", "--poll-interval", "5ms", "--json"}, nil, &stdout, stderr, Options{})
	if code != exitOK {
		t.Fatalf("pay --wait: exit %d\n%s\n%s", code, stdout.String(), stderr.String())
	}
	if err := <-customer; err != nil {
		t.Fatalf("the customer could not pay: %v", err)
	}
	var v map[string]any
	if err := json.Unmarshal(stdout.Bytes(), &v); err != nil || str(v, "status") != "succeeded" || str(v, "paidAt") == "" {
		t.Fatalf("pay --wait printed %v (%v)\n%s", v, err, stdout.String())
	}
	if !strings.Contains(stderr.String(), "poll 1: still pending") {
		t.Errorf("no progress line: %s", stderr.String())
	}
	// Under --json the action goes to stderr, before the polls.
	if here, poll := strings.Index(stderr.String(), "the customer pays here:"), strings.Index(stderr.String(), "still pending"); here < 0 || here > poll {
		t.Errorf("the action is not shown before polling: %s", stderr.String())
	}
}

func TestPayWaitGivesUpAtTimeout(t *testing.T) {
	e := newCLIEnv(t)
	r := e.op("pay", "--id", "CLI-WAIT-TIMEOUT", "--amount", "1.00 CAD", "--method", "alipay", "--wait",
		"--poll-interval", "5ms", "--timeout", "300ms")
	if r.code != exitUnknown || !strings.Contains(r.stderr, "still pending") || !strings.Contains(r.stderr, "inquire --payment-id") {
		t.Errorf("pay --wait past --timeout: %s", r)
	}
}

func TestPayWaitReportsADecline(t *testing.T) {
	e := newCLIEnv(t)
	const id = "CLI-DECLINE"
	stderr := newMarkerWriter("still pending")
	var stdout bytes.Buffer
	go func() {
		<-stderr.seen
		if snap, ok := e.sim.PaymentByRequestID(id); ok {
			_ = e.sim.Decline(snap.PaymentID)
		}
	}()
	code := Main(context.Background(), []string{"pay", "--config", e.config, "--id", id, "--amount", "2.00 CAD",
		"--method", "alipay", "--wait", "--poll-interval", "5ms", "--timeout", "1m"}, nil, &stdout, stderr, Options{})
	if code != exitFailed || !strings.Contains(stdout.String(), "failed") {
		t.Errorf("declined payment: exit %d\n%s\n%s", code, stdout.String(), stderr.String())
	}
}

// --json promises one JSON object on stdout whatever happened: flag errors,
// a stray argument, a missing flag and a bad --timeout included.
func TestJSONIsOneObjectWhateverHappened(t *testing.T) {
	e := newCLIEnv(t)
	for _, tc := range []struct {
		name string
		args []string
		want string // in the error's message
	}{
		{"unknown flag", []string{"pay", "--json", "--config", e.config, "--bogus"}, "--bogus"},
		{"json after the bad flag", []string{"pay", "--config", e.config, "--bogus", "--json"}, "--bogus"},
		{"timeout 0", []string{"pay", "--json", "--config", e.config, "--id", "X", "--amount", "1.00 CAD", "--timeout", "0"}, "--timeout must be positive"},
		{"bad timeout", []string{"inquire", "--json=true", "--config", e.config, "--timeout", "soon"}, "--timeout"},
		{"stray argument", []string{"inquire", "--json", "--config", e.config, "ORDER-1"}, `unexpected argument "ORDER-1"`},
		{"misnamed refund flag", []string{"refund", "--json", "--config", e.config, "--refund-id", "R"}, "--refund-request-id"},
		{"missing config", []string{"inquire-refund", "--json", "--refund-id", "R"}, "--config is required"},
		{"missing value", []string{"verify-notification", "--json", "--body"}, "--body"},
		{"verify without files", []string{"verify-notification", "--json", "--config", e.config}, "--body and --headers are required"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := runCLI(tc.args...)
			assert.Equal(t, exitUsage, r.code, "%s", r)
			var v map[string]any
			require.NoError(t, json.Unmarshal([]byte(r.stdout), &v), "stdout is not one JSON object: %s", r)
			assert.Equal(t, "usage", str(v, "error", "kind"))
			assert.Contains(t, str(v, "error", "message"), tc.want)
			assert.Contains(t, r.stderr, tc.want, "the message for people")
		})
	}
	// Without --json, stdout stays empty on errors.
	r := runCLI("pay", "--config", e.config, "--bogus")
	assert.Empty(t, r.stdout)
}

// Errors name the flags to fix, never the library's Go fields, and only
// the ones actually missing.
func TestErrorsNameFlags(t *testing.T) {
	e := newCLIEnv(t)
	for _, tc := range []struct {
		name       string
		args       []string
		code       int
		want, nope string
	}{
		{"amount missing", []string{"pay", "--id", "X"}, exitUsage, "--amount is required", "--id and"},
		{"id missing", []string{"pay", "--amount", "1.00 CAD"}, exitUsage, "--id is required", "--amount"},
		{"both missing", []string{"pay"}, exitUsage, "--id and --amount are required", ""},
		{"refund lookup by request id", []string{"inquire-refund", "--refund-request-id", "R-1"}, exitInvalid,
			"--refund-id is required: alphapay cannot look up a refund by --refund-request-id", "RefundRef"},
		{"payment lookup by request id", []string{"inquire", "--request-id", "P-1"}, exitInvalid,
			"--payment-id is required", "Ref.PaymentID"},
		{"method required", []string{"pay", "--id", "X", "--amount", "1.00 CAD", "--scenario", "qr_code"}, exitInvalid,
			"--method is required for scenario qr_code", "Method is"},
		{"mini program extras", []string{"pay", "--id", "X", "--amount", "1.00 CAD", "--scenario", "mini_program", "--method", "wechat_pay"}, exitInvalid,
			"--app-id is required for scenario mini_program; --payer-id is required", "Customer."},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := e.op(tc.args[0], tc.args[1:]...)
			assert.Equal(t, tc.code, r.code, "%s", r)
			assert.Contains(t, r.stderr, tc.want)
			if tc.nope != "" {
				assert.NotContains(t, r.stderr, tc.nope)
			}
		})
	}
	assert.Zero(t, e.sim.RequestCount(), "nothing reached the provider")
}

// A provider that cannot be reached is exit 5, apart from a refusal (1):
// nothing happened, so running the command again is safe.
func TestUnavailableHasItsOwnExitCode(t *testing.T) {
	e := newCLIEnv(t)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	closed := "http://" + l.Addr().String()
	require.NoError(t, l.Close())
	b, err := os.ReadFile(e.config)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(e.config, bytes.Replace(b, []byte(e.sim.URL), []byte(closed), 1), 0o600))

	r := e.op("inquire", "--payment-id", "P-1")
	assert.Equal(t, exitUnavailable, r.code, "%s", r)
	assert.Contains(t, r.stderr, "safe to run the command again")
	v := e.jsonOp(t, exitUnavailable, "pay", "--id", "CLI-DOWN", "--amount", "1.00 CAD", "--method", "alipay")
	assert.Equal(t, "unavailable", str(v, "error", "kind"))
}

// pay --wait shows where to pay — the action and the QR code — before it
// polls: the customer here pays only once the QR code was printed.
func TestPayWaitShowsWhereToPayFirst(t *testing.T) {
	e := newCLIEnv(t)
	const id = "CLI-WAIT-QR"
	stdout := newMarkerWriter("The customer scans this with the wallet app:")
	var stderr bytes.Buffer
	customer := make(chan error, 1)
	go func() {
		<-stdout.seen
		snap, ok := e.sim.PaymentByRequestID(id)
		if !ok {
			customer <- os.ErrNotExist
			return
		}
		customer <- e.sim.Complete(snap.PaymentID)
	}()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	code := Main(ctx, []string{"pay", "--config", e.config, "--id", id, "--amount", "19.99 CAD",
		"--method", "wechat_pay", "--wait", "--poll-interval", "5ms"}, nil, stdout, &stderr, Options{})
	require.Equal(t, exitOK, code, "stdout:\n%s\nstderr:\n%s", stdout, stderr.String())
	require.NoError(t, <-customer)
	out := stdout.String()
	action, qr, ended := strings.Index(out, "qr code:"), strings.Index(out, "▄"), strings.Index(out, "The payment ended succeeded:")
	assert.True(t, action >= 0 && qr > action && ended > qr, "want the action, the QR code, then the end:\n%s", out)
	assert.Contains(t, out[ended:], "paid at:")
}

// Plain pay draws the QR code too, unless --no-qr; under --json stdout is
// the JSON object alone.
func TestPayDrawsTheQRCode(t *testing.T) {
	e := newCLIEnv(t)
	r := e.op("pay", "--id", "CLI-QR-1", "--amount", "1.00 CAD", "--method", "alipay")
	require.Equal(t, exitOK, r.code, "%s", r)
	assert.Contains(t, r.stdout, "▄")
	r = e.op("pay", "--id", "CLI-QR-2", "--amount", "1.00 CAD", "--method", "alipay", "--no-qr")
	require.Equal(t, exitOK, r.code, "%s", r)
	assert.NotContains(t, r.stdout, "▄")
	e.jsonOp(t, exitOK, "pay", "--id", "CLI-QR-3", "--amount", "1.00 CAD", "--method", "alipay")
}
