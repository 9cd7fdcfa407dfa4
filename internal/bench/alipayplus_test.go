package bench

import (
	"bytes"
	"context"
	"crypto/tls"
	"log/slog"
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"github.com/paybridge/paybridge/money"
	"github.com/paybridge/paybridge/payment"
	"github.com/paybridge/paybridge/providers/alipayplus"
	"github.com/paybridge/paybridge/providers/alipayplus/alipayplustest"
	"github.com/paybridge/paybridge/signing"
)

// The Alipay+ scenario is the cashier payment (the only one): the wallet
// answers S with a redirectActionForm to its cashier page.
const (
	appDescription = "Two coffees"
	appRedirect    = "https://merchant.example/done"
)

var appAmountValue = money.MustParse("199.00 PHP")

// appEnvironment is one Alipay+ wallet simulator with what the benchmarks
// need around it (see apEnv).
type appEnvironment struct {
	srv            *alipayplustest.Server // nil when it runs in another process
	cr             alipayplustest.Credentials
	tls            *tls.Config
	complete       func(paymentID string) error
	paid           string
	reqMsg, ansMsg []byte
}

var _ adapterEnv = (*appEnvironment)(nil)

func newAppEnv(tb testing.TB, m simMode) *appEnvironment {
	tb.Helper()
	e := &appEnvironment{}
	switch {
	case m.remote:
		r := startRemote(tb, "alipayplus", m.tls)
		h := r.hello
		e.cr = alipayplustest.Credentials{BaseURL: h.BaseURL, Prefix: h.Prefix, ClientID: h.ClientID, KeyVersion: h.KeyVersion,
			MerchantPrivateKey: h.MerchantPrivateKey, WalletPublicKey: h.ProviderPublicKey, WalletPrivateKey: h.ProviderPrivateKey}
		e.tls, e.complete = r.tlsConfig(tb), r.complete
	default:
		if m.tls {
			e.srv = alipayplustest.NewTLSServer()
		} else {
			e.srv = alipayplustest.NewServer()
		}
		tb.Cleanup(e.srv.Close)
		e.cr, e.complete = e.srv.Credentials(), e.srv.Complete
		e.tls = inProcessTLS(tb, e.srv.Client())
	}

	c, hc, _ := e.client(tb, nil)
	defer closeIdle(hc)
	p, err := c.Pay(context.Background(), appRequest(nextRequestID("APP-SETUP-")))
	if err != nil {
		tb.Fatal(err)
	}
	if err := e.complete(p.PaymentID); err != nil {
		tb.Fatal(err)
	}
	e.paid = p.PaymentID

	bl, bhc, _ := e.baselineClient(tb)
	defer closeIdle(bhc)
	bl.capture = func(req, ans []byte) { e.reqMsg, e.ansMsg = req, ans }
	if _, err := appBaselinePay(context.Background(), bl, nextRequestID("APP-SETUP-")); err != nil {
		tb.Fatal(err)
	}
	return e
}

func appRequest(id string) *payment.PayRequest {
	return &payment.PayRequest{
		PaymentRequestID: id,
		Scenario:         payment.ScenarioCashier,
		Amount:           appAmountValue,
		Description:      appDescription,
		RedirectURL:      appRedirect,
		Device:           &payment.Device{OS: payment.OSAndroid, TerminalType: payment.TerminalMiniApp},
	}
}

func (e *appEnvironment) client(tb testing.TB, log *slog.Logger) (*alipayplus.Client, *http.Client, *atomic.Int64) {
	tb.Helper()
	hc, dials := countingClient(e.tls)
	c, err := alipayplus.New(alipayplus.Config{
		BaseURL: e.cr.BaseURL, PathPrefix: e.cr.Prefix, ClientID: e.cr.ClientID, KeyVersion: e.cr.KeyVersion,
		PrivateKey: e.cr.MerchantPrivateKey, WalletPublicKey: e.cr.WalletPublicKey,
		HTTPClient: hc, Logger: log,
	})
	if err != nil {
		tb.Fatal(err)
	}
	return c, hc, dials
}

func (e *appEnvironment) baselineClient(tb testing.TB) (*appBaseline, *http.Client, *atomic.Int64) {
	tb.Helper()
	hc, dials := countingClient(e.tls)
	key, err := signing.ParsePrivateKey(e.cr.MerchantPrivateKey)
	if err != nil {
		tb.Fatal(err)
	}
	pub, err := signing.ParsePublicKey(e.cr.WalletPublicKey)
	if err != nil {
		tb.Fatal(err)
	}
	return &appBaseline{base: e.cr.BaseURL, prefix: e.cr.Prefix, clientID: e.cr.ClientID, key: key, wallet: pub, http: hc}, hc, dials
}

func appBaselinePay(ctx context.Context, c *appBaseline, id string) (appPaid, error) {
	return c.Pay(ctx, id, appAmountValue.MinorString(), appAmountValue.Currency().Code(), appDescription, appRedirect)
}

func (e *appEnvironment) paybridge(tb testing.TB, log *slog.Logger) ops {
	c, hc, dials := e.client(tb, log)
	ref := payment.Ref{PaymentID: e.paid}
	return ops{
		pay: func(ctx context.Context) error {
			_, err := c.Pay(ctx, appRequest(nextRequestID("APP-PB-")))
			return err
		},
		inquire: func(ctx context.Context) error {
			p, err := c.Inquire(ctx, ref)
			if err == nil && p.Status != payment.StatusSucceeded {
				tb.Fatalf("inquire: %+v", p)
			}
			return err
		},
		dials: dials,
		close: hc.CloseIdleConnections,
	}
}

func (e *appEnvironment) baseline(tb testing.TB) ops {
	c, hc, dials := e.baselineClient(tb)
	return ops{
		pay: func(ctx context.Context) error {
			_, err := appBaselinePay(ctx, c, nextRequestID("APP-BL-"))
			return err
		},
		inquire: func(ctx context.Context) error {
			p, err := c.Inquire(ctx, e.paid)
			if err == nil && p.Status != "SUCCESS" {
				tb.Fatalf("inquire: %+v", p)
			}
			return err
		},
		dials: dials,
		close: hc.CloseIdleConnections,
	}
}

func (e *appEnvironment) floor() (string, string, []byte, []byte) {
	return e.cr.MerchantPrivateKey, e.cr.WalletPrivateKey, e.reqMsg, e.ansMsg
}

// BenchmarkAlipayPlus: see benchAdapter. The scenario is the cashier
// payment.
func BenchmarkAlipayPlus(b *testing.B) {
	benchAdapter(b, func(tb testing.TB, m simMode) adapterEnv { return newAppEnv(tb, m) })
}

func (e *appEnvironment) notifySet(tb testing.TB) notifySet {
	tb.Helper()
	c, _, _ := e.client(tb, nil)
	r, err := e.srv.SignedNotification(e.paid, notifyTarget)
	if err != nil {
		tb.Fatal(err)
	}
	verify := notificationVerifier(tb, r, e.cr.WalletPublicKey, r.Header.Get("Client-Id"), r.Header.Get("Request-Time"))
	pub, err := signing.ParsePublicKey(e.cr.WalletPublicKey)
	if err != nil {
		tb.Fatal(err)
	}
	at := sentAt(tb, r)
	baseline := appBaselineNotify(e.cr.ClientID, pub, func() time.Time { return at })
	return notifySet{src: c, req: r, verify: verify, baseline: baseline}
}

// BenchmarkNotifyAlipayPlus is the notification handler with the Alipay+
// adapter as its source, next to one RSA verification.
func BenchmarkNotifyAlipayPlus(b *testing.B) {
	benchNotify(b, newAppEnv(b, simMode{}).notifySet(b))
}

// TestAlipayPlusSmoke runs every benchmarked Alipay+ operation once, and
// checks that the baseline sends the adapter's request bytes.
func TestAlipayPlusSmoke(t *testing.T) {
	t.Parallel()
	e := newAppEnv(t, simMode{})
	ctx := context.Background()
	c, hc, dials := e.client(t, nil)
	defer closeIdle(hc)
	bl, bhc, bdials := e.baselineClient(t)
	defer closeIdle(bhc)

	id := nextRequestID("APP-SMOKE-")
	p, err := c.Pay(ctx, appRequest(id))
	if err != nil || p.Status != payment.StatusPending || p.Action == nil || p.Action.Kind != payment.ActionRedirect {
		t.Fatalf("paybridge pay: %+v, %v", p, err)
	}
	bp, err := appBaselinePay(ctx, bl, id+"-BL")
	if err != nil || bp.PaymentID == "" || bp.RedirectURL == "" {
		t.Fatalf("baseline pay: %+v, %v", bp, err)
	}
	path := "/v1/payments/pay" // without the prefix
	reqs := e.srv.Requests(path)
	if len(reqs) < 2 {
		t.Fatalf("%d requests recorded on %s", len(reqs), path)
	}
	pbBody, blBody := reqs[len(reqs)-2].Body, reqs[len(reqs)-1].Body
	if want := bytes.ReplaceAll(pbBody, []byte(id), []byte(id+"-BL")); !bytes.Equal(blBody, want) {
		t.Errorf("the baseline's pay body differs from the adapter's:\n%s\n%s", blBody, pbBody)
	}

	q, err := c.Inquire(ctx, payment.Ref{PaymentID: e.paid})
	if err != nil || q.Status != payment.StatusSucceeded || !q.Amount.Equal(appAmountValue) {
		t.Fatalf("paybridge inquire: %+v, %v", q, err)
	}
	bq, err := bl.Inquire(ctx, e.paid)
	if err != nil || bq.Status != "SUCCESS" {
		t.Fatalf("baseline inquire: %+v, %v", bq, err)
	}
	path = "/v1/payments/inquiryPayment"
	reqs = e.srv.Requests(path)
	if a, b := reqs[len(reqs)-2].Body, reqs[len(reqs)-1].Body; !bytes.Equal(a, b) {
		t.Errorf("the baseline's inquiry body differs from the adapter's:\n%s\n%s", b, a)
	}
	if dials.Load() != 1 || bdials.Load() != 1 {
		t.Errorf("dials: paybridge %d, baseline %d; want 1 each", dials.Load(), bdials.Load())
	}
	if len(e.reqMsg) == 0 || len(e.ansMsg) == 0 {
		t.Error("no exchange captured for the crypto floor")
	}
	smokeNotify(t, e.notifySet(t))
}
