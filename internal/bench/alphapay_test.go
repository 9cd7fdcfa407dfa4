package bench

import (
	"context"
	"crypto/tls"
	"log/slog"
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"github.com/paybridge/paybridge/money"
	"github.com/paybridge/paybridge/payment"
	"github.com/paybridge/paybridge/providers/alphapay"
	"github.com/paybridge/paybridge/providers/alphapay/alphapaytest"
	"github.com/paybridge/paybridge/signing"
)

// The AlphaPay scenario measured is JSAPI: its simulated answer is a small
// JSON object with a payUrl. (QR_CODE's answer carries a PNG the simulator
// draws for every order, which would dominate the exchange.)
const (
	apScenario    = payment.ScenarioJSAPI
	apMethod      = payment.MethodWeChatPay
	apWireMethod  = "Wechat"
	apDescription = "Green tea x2"
	apRedirect    = "https://merchant.example/done"
)

var apAmountValue = money.MustParse("19.99 CAD")

// apEnv is one AlphaPay simulator with what the benchmarks need around it.
type apEnv struct {
	// srv is the simulator when it runs in this process (nil when it runs
	// in another).
	srv *alphapaytest.Server
	cr  alphapaytest.Credentials
	// tls is the clients' TLS configuration, nil for plain HTTP.
	tls      *tls.Config
	complete func(paymentID string) error
	// paid is a completed payment, for Inquire.
	paid string
	// reqMsg and ansMsg are the strings signed and verified in one real
	// pay exchange, for the crypto floor.
	reqMsg, ansMsg []byte
}

var _ adapterEnv = (*apEnv)(nil)

// newAPEnv starts an AlphaPay simulator as m says, makes a payment and
// completes it (for Inquire) and captures one exchange (for the floor).
func newAPEnv(tb testing.TB, m simMode) *apEnv {
	tb.Helper()
	e := &apEnv{}
	switch {
	case m.remote:
		r := startRemote(tb, "alphapay", m.tls)
		h := r.hello
		e.cr = alphapaytest.Credentials{BaseURL: h.BaseURL, MerchantCode: h.MerchantCode,
			MerchantPrivateKey: h.MerchantPrivateKey, AlphaPayPublicKey: h.ProviderPublicKey, AlphaPayPrivateKey: h.ProviderPrivateKey}
		e.tls, e.complete = r.tlsConfig(tb), r.complete
	default:
		if m.tls {
			e.srv = alphapaytest.NewTLSServer()
		} else {
			e.srv = alphapaytest.NewServer()
		}
		tb.Cleanup(e.srv.Close)
		e.cr, e.complete = e.srv.Credentials(), e.srv.Complete
		e.tls = inProcessTLS(tb, e.srv.Client())
	}

	c, hc, _ := e.client(tb)
	defer closeIdle(hc)
	p, err := c.Pay(context.Background(), apRequest(nextRequestID("AP-SETUP-")))
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
	if _, err := apBaselinePay(context.Background(), bl, nextRequestID("AP-SETUP-")); err != nil {
		tb.Fatal(err)
	}
	return e
}

// apRequest is the benchmarked pay request.
func apRequest(id string) *payment.PayRequest {
	return &payment.PayRequest{
		PaymentRequestID: id,
		Scenario:         apScenario,
		Method:           apMethod,
		Amount:           apAmountValue,
		Description:      apDescription,
		RedirectURL:      apRedirect,
	}
}

// client returns an adapter with the default configuration, except that its
// pooled transport counts dials.
func (e *apEnv) client(tb testing.TB, mutate ...func(*alphapay.Config)) (*alphapay.Client, *http.Client, *atomic.Int64) {
	tb.Helper()
	hc, dials := countingClient(e.tls)
	cfg := alphapay.Config{
		BaseURL: e.cr.BaseURL, MerchantCode: e.cr.MerchantCode,
		PrivateKey: e.cr.MerchantPrivateKey, AlphaPayPublicKey: e.cr.AlphaPayPublicKey,
		HTTPClient: hc,
	}
	for _, m := range mutate {
		m(&cfg)
	}
	c, err := alphapay.New(cfg)
	if err != nil {
		tb.Fatal(err)
	}
	return c, hc, dials
}

func (e *apEnv) baselineClient(tb testing.TB) (*apBaseline, *http.Client, *atomic.Int64) {
	tb.Helper()
	hc, dials := countingClient(e.tls)
	key, err := signing.ParsePrivateKey(e.cr.MerchantPrivateKey)
	if err != nil {
		tb.Fatal(err)
	}
	pub, err := signing.ParsePublicKey(e.cr.AlphaPayPublicKey)
	if err != nil {
		tb.Fatal(err)
	}
	return &apBaseline{base: e.cr.BaseURL, merchant: e.cr.MerchantCode, key: key, alphaPay: pub, http: hc}, hc, dials
}

func apBaselinePay(ctx context.Context, c *apBaseline, id string) (apPaid, error) {
	return c.Pay(ctx, id, apAmountValue.MinorString(), apAmountValue.Currency().Code(), apDescription, apWireMethod, apRedirect)
}

func (e *apEnv) paybridge(tb testing.TB, log *slog.Logger) ops {
	c, hc, dials := e.client(tb, func(cfg *alphapay.Config) { cfg.Logger = log })
	ref := payment.Ref{PaymentID: e.paid}
	return ops{
		pay: func(ctx context.Context) error {
			_, err := c.Pay(ctx, apRequest(nextRequestID("AP-PB-")))
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

func (e *apEnv) baseline(tb testing.TB) ops {
	c, hc, dials := e.baselineClient(tb)
	return ops{
		pay: func(ctx context.Context) error {
			_, err := apBaselinePay(ctx, c, nextRequestID("AP-BL-"))
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

func (e *apEnv) floor() (string, string, []byte, []byte) {
	return e.cr.MerchantPrivateKey, e.cr.AlphaPayPrivateKey, e.reqMsg, e.ansMsg
}

// BenchmarkAlphaPay: see benchAdapter. The scenario is JSAPI.
func BenchmarkAlphaPay(b *testing.B) {
	benchAdapter(b, func(tb testing.TB, m simMode) adapterEnv { return newAPEnv(tb, m) })
}

// notifySet is a signed notification of the completed payment.
func (e *apEnv) notifySet(tb testing.TB) notifySet {
	tb.Helper()
	c, _, _ := e.client(tb)
	r, err := e.srv.SignedNotification(e.paid, notifyTarget)
	if err != nil {
		tb.Fatal(err)
	}
	verify := notificationVerifier(tb, r, e.cr.AlphaPayPublicKey,
		r.Header.Get("Merchant-Code"), r.Header.Get("Request-Time"), r.Header.Get("Nonce"))
	pub, err := signing.ParsePublicKey(e.cr.AlphaPayPublicKey)
	if err != nil {
		tb.Fatal(err)
	}
	at := sentAt(tb, r)
	baseline := apBaselineNotify(e.cr.MerchantCode, pub, func() time.Time { return at })
	return notifySet{src: c, req: r, verify: verify, baseline: baseline}
}

// BenchmarkNotifyAlphaPay is the notification handler with the AlphaPay
// adapter as its source, next to one RSA verification.
func BenchmarkNotifyAlphaPay(b *testing.B) {
	benchNotify(b, newAPEnv(b, simMode{}).notifySet(b))
}
