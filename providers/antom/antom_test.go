package antom_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/paybridge/paybridge/clock"
	"github.com/paybridge/paybridge/internal/redacttest"
	"github.com/paybridge/paybridge/internal/simtest"
	"github.com/paybridge/paybridge/money"
	"github.com/paybridge/paybridge/notify"
	"github.com/paybridge/paybridge/payment"
	"github.com/paybridge/paybridge/providers/alipayfamily"
	"github.com/paybridge/paybridge/providers/antom"
	"github.com/paybridge/paybridge/providers/antom/antomtest"
)

func newClient(t *testing.T, mutate func(c *antom.Config)) (*antom.Client, *antomtest.Server, context.Context) {
	srv := antomtest.NewServer()
	t.Cleanup(srv.Close)
	cr := srv.Credentials()
	cfg := antom.Config{BaseURL: cr.BaseURL, ClientID: cr.ClientID, PrivateKey: cr.MerchantPrivateKey, AntomPublicKey: cr.AntomPublicKey,
		HTTPClient: srv.Client(), Retry: payment.RetryPolicy{MaxAttempts: 2, BaseWait: time.Millisecond, MaxWait: time.Millisecond},
		Clock: clock.NewAuto(time.Now())}
	if mutate != nil {
		mutate(&cfg)
	}
	c, err := antom.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return c, srv, simtest.Context(t)
}

func payReq(id string, s payment.Scenario, m payment.Method) *payment.PayRequest {
	return &payment.PayRequest{PaymentRequestID: id, Scenario: s, Method: m, Amount: money.MustParse("12.50 USD"),
		Description: "tea", RedirectURL: "https://shop.example/done", NotifyURL: "https://shop.example/notify"}
}

// Each scenario opens the method's page; H5 uses the applink; the method
// travels as Antom's paymentMethodType and comes back on inquiry.
func TestScenariosAndMethods(t *testing.T) {
	c, srv, ctx := newClient(t, nil)
	for _, tc := range []struct {
		s    payment.Scenario
		m    payment.Method
		wire string
	}{
		{payment.ScenarioWeb, payment.MethodGCash, "GCASH"},
		{payment.ScenarioH5, payment.MethodTouchNGo, "TNG"},
		{payment.ScenarioCashier, payment.MethodKakaoPay, "KAKAOPAY"},
	} {
		p, err := c.Pay(ctx, payReq("S-"+string(tc.s), tc.s, tc.m))
		if err != nil {
			t.Fatal(err)
		}
		if p.Status != payment.StatusPending || p.Action == nil || p.Action.Kind != payment.ActionRedirect || !strings.HasPrefix(p.Action.URL, srv.URL+"/checkout/"+p.PaymentID+"?redirect=") ||
			strings.HasSuffix(p.Action.URL, "&applink=1") != (tc.s == payment.ScenarioH5) {
			t.Errorf("%s: %+v %+v", tc.s, p, p.Action)
		}
		snap, _ := srv.Payment(p.PaymentID)
		q, err := c.Inquire(ctx, payment.Ref{PaymentRequestID: p.PaymentRequestID})
		if err != nil || snap.PaymentMethodType != tc.wire || q.Method != tc.m || q.Status != payment.StatusPending {
			t.Errorf("%s: sent %s, inquiry %+v %v", tc.s, snap.PaymentMethodType, q, err)
		}
	}
	if _, err := c.Pay(ctx, payReq("S-no", payment.ScenarioWeb, "boost")); !errors.Is(err, payment.ErrUnsupported) {
		t.Errorf("a method the config does not enable: %v", err)
	}
	r := payReq("S-req", payment.ScenarioWeb, payment.MethodDANA)
	r.RedirectURL, r.Description = "", ""
	if _, err := c.Pay(ctx, r); !errors.Is(err, payment.ErrInvalidRequest) {
		t.Errorf("no redirect URL and description: %v", err)
	}
	if _, err := c.Refund(ctx, &payment.RefundRequest{RefundRequestID: "R", Payment: payment.Ref{PaymentRequestID: "S-web"}, Amount: money.MustParse("1 USD")}); !errors.Is(err, payment.ErrInvalidRequest) {
		t.Errorf("refund without PaymentID: %v", err)
	}
}

// An unsigned answer is never believed: the outcome is unknown, and the
// error says why.
func TestUnsignedAnswer(t *testing.T) {
	c, srv, ctx := newClient(t, nil)
	srv.Script(antomtest.PathPay, antomtest.Fault{NoSignature: true, Result: &payment.Result{Status: payment.ResultFailed, Code: "RISK_REJECT"}})
	_, err := c.Pay(ctx, payReq("U-1", payment.ScenarioWeb, payment.MethodGCash))
	if !errors.Is(err, payment.ErrUnknownOutcome) || !errors.Is(err, antom.ErrUnsigned) || !errors.Is(err, alipayfamily.ErrUnsigned) {
		t.Errorf("unsigned F: %v", err)
	}
}

// Notifications verify with Antom's key and parse into events; a forged
// or unknown one does not.
func TestNotifications(t *testing.T) {
	c, srv, ctx := newClient(t, nil)
	p, err := c.Pay(ctx, payReq("N-1", payment.ScenarioWeb, payment.MethodGCash))
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.Complete(p.PaymentID); err != nil {
		t.Fatal(err)
	}
	req, err := srv.SignedNotification(p.PaymentID, "https://shop.example/notify?x=1")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(req.Body)
	if _, err := c.VerifyNotification(req.Header, req.URL.RequestURI(), body); err != nil {
		t.Fatal(err)
	}
	ev, err := c.ParseNotification(body)
	if err != nil || ev.Kind != payment.EventPayment || ev.Payment.Status != payment.StatusSucceeded || ev.Payment.Method != payment.MethodGCash || !ev.Payment.Amount.Equal(money.MustParse("12.50 USD")) {
		t.Errorf("payment event %+v %v", ev, err)
	}
	if _, err := c.VerifyNotification(req.Header, req.URL.RequestURI(), append(body, ' ')); err == nil {
		t.Error("an altered notification verified")
	}
	for body, wantErr := range map[string]error{
		`{"notifyType":"REFUND_RESULT","refundStatus":"SUCCESS","refundId":"9","refundRequestId":"R-1","refundAmount":{"currency":"USD","value":"100"}}`: nil,
		`{"notifyType":"PAYMENT_RESULT","paymentId":"1","result":{"resultStatus":"F","resultCode":"USER_CANCELLED"}}`:                                    nil,
		`{"notifyType":"PAYMENT_PENDING","paymentId":"1","result":{"resultStatus":"U","resultCode":"PAYMENT_IN_PROCESS"}}`:                               payment.ErrUnknownEvent,
		`{"notifyType":"REFUND_RESULT","refundStatus":"PROCESSING","refundId":"9"}`:                                                                      payment.ErrUnknownEvent,
		`{"notifyType":"PAYMENT_RESULT","paymentId":"1"}`:                                                                                                payment.ErrUnknownEvent,
	} {
		if _, err := c.ParseNotification([]byte(body)); (wantErr == nil) != (err == nil) || (wantErr != nil && !errors.Is(err, wantErr)) {
			t.Errorf("%s: %v", body, err)
		}
	}
	if s, ct, b := c.Acknowledgement(); s != http.StatusOK || ct == "" || string(b) != alipayfamily.AckBody {
		t.Error("acknowledgement")
	}
}

// A whole refund: notified to its URL, shown by InquireRefund.
func TestRefund(t *testing.T) {
	c, srv, ctx := newClient(t, nil)
	p, err := c.Pay(ctx, payReq("R-1", payment.ScenarioCashier, payment.MethodAlipayCN))
	if err != nil || srv.Complete(p.PaymentID) != nil {
		t.Fatal(err)
	}
	r, err := c.Refund(ctx, &payment.RefundRequest{RefundRequestID: "RR-1", Payment: p.Ref(), Amount: money.MustParse("2.50 USD")})
	if err != nil || r.Status != payment.RefundSucceeded {
		t.Fatalf("%+v %v", r, err)
	}
	q, err := c.InquireRefund(ctx, payment.RefundRef{RefundRequestID: "RR-1"})
	if err != nil || q.RefundID != r.RefundID || !q.Amount.Equal(money.MustParse("2.50 USD")) {
		t.Errorf("%+v %v", q, err)
	}
	if _, err := c.Refund(ctx, &payment.RefundRequest{RefundRequestID: "RR-2", Payment: p.Ref(), Amount: money.MustParse("10.01 USD")}); !errors.Is(err, payment.ErrFailed) {
		t.Errorf("over-refund: %v", err)
	}
}

// New names the wrong field; a Config never shows its keys.
func TestConfig(t *testing.T) {
	srv := antomtest.NewServer()
	defer srv.Close()
	cr := srv.Credentials()
	good := antom.Config{BaseURL: cr.BaseURL, ClientID: cr.ClientID, PrivateKey: cr.MerchantPrivateKey, AntomPublicKey: cr.AntomPublicKey}
	for field, mutate := range map[string]func(c *antom.Config){
		"ClientID":           func(c *antom.Config) { c.ClientID = "" },
		"PrivateKey":         func(c *antom.Config) { c.PrivateKey = "nope" },
		"AntomPublicKey":     func(c *antom.Config) { c.AntomPublicKey = "" },
		"AntomPublicKeys[0]": func(c *antom.Config) { c.AntomPublicKeys = []string{"x"} },
		"Methods":            func(c *antom.Config) { c.Methods = []payment.Method{"GCash"} },
		"BaseURL":            func(c *antom.Config) { c.BaseURL = "http://antom.example" },
		"TimeLayout":         func(c *antom.Config) { c.TimeLayout = "2006" },
	} {
		c := good
		mutate(&c)
		_, err := antom.New(c)
		var ce *antom.ConfigError
		if !errors.As(err, &ce) || ce.Field != field || !errors.Is(err, antom.ErrInvalidConfig) {
			t.Errorf("%s: %v", field, err)
		}
	}
	redacttest.Check(t, good, []string{redacttest.PEMBody(t, cr.MerchantPrivateKey)}, []string{cr.ClientID})
}

// The simulator's notifications of a payment and of its refund reach a
// notify.Handler on the adapter, verified and parsed, within a bounded
// wait.
func TestNotificationsEndToEnd(t *testing.T) {
	c, srv, ctx := newClient(t, nil)
	events := make(chan payment.Event, 4)
	site := httptest.NewServer(notify.NewHandler(c, func(_ context.Context, ev payment.Event) error {
		events <- ev
		return nil
	}))
	defer site.Close()
	req := payReq("E2E-1", payment.ScenarioWeb, payment.MethodGCash)
	req.NotifyURL = site.URL + "/notify/antom"
	p, err := c.Pay(ctx, req)
	if err != nil || srv.Complete(p.PaymentID) != nil {
		t.Fatal(err)
	}
	if _, err := c.Refund(ctx, &payment.RefundRequest{RefundRequestID: "E2E-R", Payment: p.Ref(), Amount: money.MustParse("1.50 USD"),
		NotifyURL: site.URL + "/notify/antom"}); err != nil {
		t.Fatal(err)
	}
	got := map[payment.EventKind]payment.Event{}
	for len(got) < 2 {
		select {
		case ev := <-events:
			got[ev.Kind] = ev
		case <-ctx.Done():
			t.Fatalf("events so far: %v", got)
		}
	}
	if got[payment.EventPayment].Payment.Status != payment.StatusSucceeded || got[payment.EventRefund].Refund.RefundRequestID != "E2E-R" ||
		!got[payment.EventRefund].Refund.Amount.Equal(money.MustParse("1.50 USD")) {
		t.Errorf("events %+v", got)
	}
}
