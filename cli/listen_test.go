package cli

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/paybridge/paybridge/notify"
	"github.com/paybridge/paybridge/payment"
	"github.com/paybridge/paybridge/providers"
)

// refusing is a notify endpoint that is down: every notification is
// answered 500.
func refusing(t *testing.T) string {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "down", http.StatusInternalServerError)
	}))
	t.Cleanup(srv.Close)
	return srv.URL + "/notify"
}

// approve plays the customer on the sandbox's cashier through the URL the
// sandbox printed for the payment.
func approve(t *testing.T, out *output, paymentID string) {
	t.Helper()
	text := out.waitFor(t, paymentID+"/approve)")
	m := regexp.MustCompile(`curl -X POST (\S+/` + paymentID + `/approve)\)`).FindStringSubmatch(text)
	require.NotNil(t, m, "no approve command for %s:\n%s", paymentID, text)
	resp, err := http.Post(m[1], "", nil)
	require.NoError(t, err)
	resp.Body.Close()
}

// The sandbox says what happens: a line per API call (with where the
// customer pays), per cashier action and per notification attempt, with
// the receiver's answer and the provider's retry plan.
func TestSandboxLogsCallsActionsAndNotifications(t *testing.T) {
	keys := t.TempDir()
	cfg, out := startSandbox(t, "--keys", keys)
	ignore, err := os.ReadFile(filepath.Join(keys, ".gitignore"))
	require.NoError(t, err)
	assert.Contains(t, string(ignore), "\n*\n", "the keys directory ignores itself")

	down := refusing(t)
	pay := runCLI("pay", "--config", cfg, "--wallet", "alphapay-sandbox", "--id", "LOG-1", "--amount", "12.00 CAD",
		"--method", "alipay", "--notify-url", down, "--json")
	require.Equal(t, exitOK, pay.code, "%s", pay)
	var p map[string]any
	require.NoError(t, json.Unmarshal([]byte(pay.stdout), &p))
	id := str(p, "paymentId")

	out.waitFor(t, "alphapay pay LOG-1 12.00 CAD → U PAYMENT_IN_PROCESS; payment "+id+" pending (PAYMENT_IN_PROCESS)")
	out.waitFor(t, "the customer pays at ")
	approve(t, out, id)
	out.waitFor(t, "cashier: the customer approved payment "+id+" → succeeded (SUCCESS); its notification goes to "+down)
	out.waitFor(t, "notification payment "+id+" SUCCESS → "+down+": HTTP 500, not acknowledged (attempt 1); AlphaPay tries again at once")
	out.waitFor(t, "(attempt 3); AlphaPay tries again in 30 minutes, every 30 minutes until 24 hours after the first attempt")

	r := runCLI("inquire", "--config", cfg, "--wallet", "alphapay-sandbox", "--payment-id", id)
	require.Equal(t, exitOK, r.code, "%s", r)
	out.waitFor(t, "alphapay inquiryPayment "+id+" → S SUCCESS; payment "+id+" SUCCESS")

	// The wallet: a refused notification, then its schedule.
	pay = runCLI("pay", "--config", cfg, "--wallet", "wallet-sandbox", "--id", "LOG-2", "--amount", "250.00 PHP",
		"--notify-url", down, "--terminal-type", "web", "--json")
	require.Equal(t, exitOK, pay.code, "%s", pay)
	require.NoError(t, json.Unmarshal([]byte(pay.stdout), &p))
	id = str(p, "paymentId")
	out.waitFor(t, "wallet   pay LOG-2 250.00 PHP → S SUCCESS; payment "+id+" pending (PROCESSING)")
	approve(t, out, id)
	out.waitFor(t, "notification payment "+id+" SUCCESS → "+down+": HTTP 500, not acknowledged (attempt 1); the wallet tries again in 2 minutes (try 2 of 8)")

	// A wrong cashier URL is answered 404 and logged so.
	resp, err := http.Post(strings.Replace(p["action"].(map[string]any)["url"].(string), "/cashier/", "/cashiers/", 1)+"/approve", "", nil)
	require.NoError(t, err)
	resp.Body.Close()
	out.waitFor(t, "404 not found (the cashier page is ")
}

// The tour of notifications: listen receives what trigger makes the sandbox
// send, checks and saves it, and verify-notification checks the saved copy.
func TestTriggerListenAndVerify(t *testing.T) {
	cfg, sandbox := startSandbox(t, "--keys", t.TempDir())
	saved := t.TempDir()
	lis := start(t, "Press Ctrl-C", "listen", "--config", cfg, "--addr", "127.0.0.1:0", "--save", saved)
	notifyURL := regexp.MustCompile(`pass (http://\S+/notify)`).FindStringSubmatch(lis.String())[1]

	// A new payment, paid at once: the wallet sandbox notifies listen.
	r := runCLI("trigger", "--config", cfg, "--wallet", "wallet-sandbox", "--notify-url", notifyURL)
	require.Equal(t, exitOK, r.code, "%s", r)
	assert.Contains(t, r.stdout, "the sandbox notified "+notifyURL+": HTTP 200, acknowledged")
	lis.waitFor(t, "wallet-sandbox: genuine, signed ")
	lis.waitFor(t, "succeeded 1.00 USD, dedupe key alipayplus:payment:")
	lis.waitFor(t, "→ acknowledged (HTTP 200); saved as "+filepath.Join(saved, "1"))
	sandbox.waitFor(t, "(attempt 1)")

	// verify-notification checks the saved copy and finds the wallet by
	// its key.
	r = runCLI("verify-notification", "--config", cfg, "--body", filepath.Join(saved, "1.body"), "--headers", filepath.Join(saved, "1.headers"), "--json")
	require.Equal(t, exitOK, r.code, "%s", r)
	var v map[string]any
	require.NoError(t, json.Unmarshal([]byte(r.stdout), &v))
	assert.Equal(t, true, v["valid"])
	assert.Equal(t, "wallet-sandbox", v["wallet"])
	assert.Equal(t, "succeeded", str(v, "event", "payment", "status"))

	// An existing payment's notification, re-sent on demand.
	pay := runCLI("pay", "--config", cfg, "--wallet", "alphapay-sandbox", "--id", "TRIGGER-ME", "--amount", "3.00 CAD", "--method", "alipay", "--json")
	require.Equal(t, exitOK, pay.code, "%s", pay)
	require.NoError(t, json.Unmarshal([]byte(pay.stdout), &v))
	r = runCLI("trigger", "--config", cfg, "--wallet", "alphapay-sandbox", "--payment-id", str(v, "paymentId"), "--notify-url", notifyURL+"?shop=1", "--json")
	require.Equal(t, exitOK, r.code, "%s", r)
	var tr map[string]any
	require.NoError(t, json.Unmarshal([]byte(r.stdout), &tr))
	assert.Equal(t, true, tr["notification"].(map[string]any)["acked"])
	lis.waitFor(t, "POST /notify?shop=1  alphapay-sandbox: genuine")
	sandbox.waitFor(t, "notification (triggered) payment "+str(v, "paymentId")+" PAYMENT_IN_PROCESS")

	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"unknown payment", []string{"--wallet", "alphapay-sandbox", "--payment-id", "NOPE", "--notify-url", notifyURL}, "the sandbox has no payment NOPE"},
		{"no notify URL", []string{"--wallet", "alphapay-sandbox", "--payment-id", str(v, "paymentId")}, "the payment has no notify URL"},
		{"new payment without a notify URL", []string{"--wallet", "alphapay-sandbox"}, "--notify-url is required"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := runCLI(append([]string{"trigger", "--config", cfg}, tc.args...)...)
			assert.Equal(t, exitUsage, r.code, "%s", r)
			assert.Contains(t, r.stderr, tc.want)
		})
	}

	// A forgery is refused (the provider would retry) and said so.
	resp, err := http.Post(notifyURL, "application/json", strings.NewReader(`{"paymentId":"1"}`))
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusUnauthorized, resp.StatusCode)
	lis.waitFor(t, "NOT ACCEPTABLE: notify: signature does not verify")
}

// listen --forward-to hands each notification to the app unchanged, on the
// path it was posted to, and relays the app's answer to the provider.
func TestListenForwardsToTheApp(t *testing.T) {
	cfg, _ := startSandbox(t, "--keys", t.TempDir())
	wallets, err := providers.LoadFile(context.Background(), cfg)
	require.NoError(t, err)
	src, err := wallets.Source("wallet-sandbox")
	require.NoError(t, err)

	var mu sync.Mutex
	var got []payment.Event
	var paths []string
	handler := notify.NewHandler(src, func(_ context.Context, ev payment.Event) error {
		mu.Lock()
		defer mu.Unlock()
		got = append(got, ev)
		return nil
	})
	app := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		paths = append(paths, r.URL.RequestURI())
		mu.Unlock()
		handler.ServeHTTP(w, r)
	}))
	t.Cleanup(app.Close)

	lis := start(t, "Press Ctrl-C", "listen", "--config", cfg, "--wallet", "wallet-sandbox", "--addr", "127.0.0.1:0", "--forward-to", app.URL)
	base := regexp.MustCompile(`Listening on (http://\S+):`).FindStringSubmatch(lis.String())[1]
	r := runCLI("trigger", "--config", cfg, "--wallet", "wallet-sandbox", "--notify-url", base+"/hooks/wallet?shop=7")
	require.Equal(t, exitOK, r.code, "%s", r)
	lis.waitFor(t, "forwarded to "+app.URL+"/hooks/wallet?shop=7: HTTP 200, acknowledged")
	mu.Lock()
	defer mu.Unlock()
	assert.Equal(t, []string{"/hooks/wallet?shop=7"}, paths)
	require.Len(t, got, 1, "the app's notify handler verified and delivered it")
	assert.Equal(t, payment.StatusSucceeded, got[0].Payment.Status)

	r = runCLI("listen", "--config", cfg, "--forward-to", "http://localhost:8080/notify")
	assert.Equal(t, exitUsage, r.code, "%s", r)
	assert.Contains(t, r.stderr, "want your app's origin")
}

// trigger creates payments only at a sandbox: against anything else it
// stops before a byte of a payment is sent.
func TestTriggerRefusesWhatIsNotASandbox(t *testing.T) {
	e := newCLIEnv(t) // a bare simulator: no sandbox control endpoints
	r := e.op("trigger", "--notify-url", "http://127.0.0.1:1/notify")
	assert.Equal(t, exitUsage, r.code, "%s", r)
	assert.Contains(t, r.stderr, "does not answer as a paybridge sandbox")
	assert.Zero(t, e.sim.RequestCount(), "a payment reached a provider that is not a sandbox")

	// A wallet away from loopback is not even asked.
	b, err := os.ReadFile(e.config)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(e.config, []byte(strings.Replace(string(b), e.sim.URL, "https://api.alphapay.example", 1)), 0o600))
	r = e.op("trigger", "--notify-url", "http://127.0.0.1:1/notify")
	assert.Equal(t, exitUsage, r.code, "%s", r)
	assert.Contains(t, r.stderr, "is not a sandbox: its baseURL \"https://api.alphapay.example\" is not on loopback")
}
