package alphapaytest

import (
	"encoding/json"
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/paybridge/paybridge/internal/simtest"
	"github.com/paybridge/paybridge/providers/alphapay/internal/wire"
	"github.com/paybridge/paybridge/signing"
)

// receiver is a merchant's notification endpoint that verifies every
// notification as AlphaPay signs it and answers as told.
type receiver struct {
	*simtest.Receiver
	t *testing.T
}

func newReceiver(t *testing.T, creds Credentials) *receiver {
	pub, err := signing.ParsePublicKey(creds.AlphaPayPublicKey)
	if err != nil {
		t.Fatal(err)
	}
	return &receiver{t: t, Receiver: simtest.NewReceiver(t, func(r *http.Request, body []byte) string {
		h, err := signing.ParseHeader(r.Header.Get(wire.HeaderSignature))
		switch {
		case r.Header.Get(wire.HeaderMerchantCode) != creds.MerchantCode:
			return "merchant code"
		case len(r.Header.Get(wire.HeaderNonce)) != 32:
			return "nonce"
		case err != nil:
			return "signature header: " + err.Error()
		}
		msg := signing.Message("POST", r.URL.RequestURI(), body, creds.MerchantCode, r.Header.Get(wire.HeaderRequestTime), r.Header.Get(wire.HeaderNonce))
		if signing.Verify(pub, msg, h.Signature) != nil {
			return "signature does not verify"
		}
		return ""
	})}
}

func (rc *receiver) ack()   { rc.Ack(wire.Ack) }
func (rc *receiver) check() { rc.Check(rc.t) }

func TestPaymentNotificationSchedule(t *testing.T) {
	srv, c, clk := newFakeServer(t)
	rc := newReceiver(t, srv.Credentials())
	r := qrPay("N-1")
	r.Order.NotifyURL = rc.Server.URL + "/hooks/alphapay?shop=1"
	resp, _ := c.pay(r)
	if err := srv.Complete(resp.PaymentID); err != nil {
		t.Fatal(err)
	}
	ctx := simtest.Context(t)
	if err := srv.AwaitDeliveries(ctx, 3); err != nil {
		t.Fatal(err)
	}
	clk.BlockUntilWaiters(1)
	ds := srv.Deliveries()
	if len(ds) != 3 {
		t.Fatalf("%d deliveries before the first wait, want 3", len(ds))
	}
	for i, d := range ds {
		if d.Kind != KindPayment || d.ID != resp.PaymentID || d.URL != r.Order.NotifyURL || d.Attempt != i+1 ||
			!d.Time.Equal(t0) || d.StatusCode != 500 || d.Acked || d.Err == "" {
			t.Errorf("delivery %d: %+v", i, d)
		}
	}
	// The fourth try waits 30 minutes of the server's clock.
	clk.Advance(29 * time.Minute)
	if n := len(srv.Deliveries()); n != 3 {
		t.Fatalf("%d deliveries after 29 minutes", n)
	}
	clk.Advance(time.Minute)
	if err := srv.AwaitDeliveries(ctx, 4); err != nil {
		t.Fatal(err)
	}
	if d := srv.Deliveries()[3]; d.Attempt != 4 || !d.Time.Equal(t0.Add(30*time.Minute)) || d.Acked {
		t.Errorf("4th delivery %+v", d)
	}
	// An acknowledgement stops the retries.
	rc.ack()
	clk.BlockUntilWaiters(1)
	clk.Advance(30 * time.Minute)
	if err := srv.AwaitDeliveries(ctx, 5); err != nil {
		t.Fatal(err)
	}
	awaitIdle(t, srv) // the delivery goroutine has ended
	ds = srv.Deliveries()
	if len(ds) != 5 || !ds[4].Acked || ds[4].Err != "" || ds[4].StatusCode != 200 {
		t.Fatalf("deliveries %+v", ds)
	}
	if clk.Waiters() != 0 {
		t.Errorf("a retry is still scheduled after the acknowledgement")
	}
	rc.check()

	var st wire.PaymentState
	body := rc.Bodies()[0]
	if err := json.Unmarshal(body, &st); err != nil {
		t.Fatal(err)
	}
	if st.Result != nil || st.PaymentStatus != wire.PaymentSuccess || st.PaymentID != resp.PaymentID || st.PaymentTime != t0.Format(wire.TimeLayout) || st.Order.OrderAmount.Value != "1999" {
		t.Errorf("notification body %s", body)
	}
}

func TestPaymentNotificationGivesUpAfter24Hours(t *testing.T) {
	srv, c, clk := newFakeServer(t)
	rc := newReceiver(t, srv.Credentials())
	r := qrPay("N-24")
	r.Order.NotifyURL = rc.Server.URL + "/n"
	resp, _ := c.pay(r)
	_ = srv.Complete(resp.PaymentID)
	ctx := simtest.Context(t)
	if err := srv.AwaitDeliveries(ctx, 3); err != nil {
		t.Fatal(err)
	}
	for i := 1; i <= 48; i++ {
		clk.BlockUntilWaiters(1)
		clk.Advance(30 * time.Minute)
		if err := srv.AwaitDeliveries(ctx, 3+i); err != nil {
			t.Fatal(err)
		}
	}
	clk.BlockUntilWaiters(1)
	clk.Advance(30 * time.Minute) // 24h30m after the first try: give up
	awaitIdle(t, srv)
	ds := srv.Deliveries()
	if len(ds) != 51 {
		t.Fatalf("%d deliveries, want 3 + 48", len(ds))
	}
	if last := ds[50]; !last.Time.Equal(t0.Add(24*time.Hour)) || last.Attempt != 51 {
		t.Errorf("last delivery %+v", last)
	}
	rc.check()
}

func TestRefundNotificationOnce(t *testing.T) {
	srv, c, _ := newFakeServer(t)
	rc := newReceiver(t, srv.Credentials())
	id := c.paid("N-R") // no notifyUrl on the order
	var resp wire.RefundResponse
	res := c.Call(wire.PathRefund, wire.RefundRequest{PaymentID: id, RefundRequestID: "N-R-1", Refund: wire.RefundDetail{
		RefundAmount: wire.Amount{Value: "100", Currency: "CAD"}, NotifyURL: rc.Server.URL + "/refunds",
	}}, &resp)
	wantResult(t, res, wire.CodeSuccess, wire.StatusS)
	if err := srv.AwaitDeliveries(simtest.Context(t), 1); err != nil {
		t.Fatal(err)
	}
	awaitIdle(t, srv)
	ds := srv.Deliveries()
	if len(ds) != 1 || ds[0].Kind != KindRefund || ds[0].ID != resp.RefundID || ds[0].Acked {
		t.Fatalf("deliveries %+v", ds)
	}
	rc.check()
	var st wire.RefundState
	_ = json.Unmarshal(rc.Bodies()[0], &st)
	if st.RefundID != resp.RefundID || st.RefundStatus != wire.RefundSuccess || st.Result != nil || st.PaymentID != id {
		t.Errorf("refund notification %+v", st)
	}
	// Replaying the refund does not notify again.
	c.refund(id, "N-R-1", "100")
	if n := len(srv.Deliveries()); n != 1 {
		t.Errorf("%d deliveries after a replay", n)
	}
}

func TestSignedNotification(t *testing.T) {
	srv, c, _ := newFakeServer(t)
	rc := newReceiver(t, srv.Credentials())
	rc.ack()
	id := c.paid("N-S")
	rc.Deliver(srv.SignedNotification(id, rc.Server.URL+"/webhook?a=b"))
	r, _ := c.refund(id, "N-S-R", "100")
	rc.Deliver(srv.SignedRefundNotification(r.RefundID, rc.Server.URL+"/refund"))
	rc.check()
	var st wire.PaymentState
	_ = json.Unmarshal(rc.Bodies()[0], &st)
	if st.PaymentStatus != wire.PaymentSuccess || st.Result != nil {
		t.Errorf("body %+v", st)
	}
	if len(srv.Deliveries()) != 0 {
		t.Errorf("SignedNotification sent something itself")
	}
	if _, err := srv.SignedNotification("nope", rc.Server.URL); err == nil {
		t.Error("unknown payment")
	}
	if _, err := srv.SignedRefundNotification("nope", rc.Server.URL); err == nil {
		t.Error("unknown refund")
	}
	if _, err := srv.SignedNotification(id, "/relative"); err == nil {
		t.Error("relative URL")
	}
}

// WithNotifyPathOnly signs a notification to a URL with a query over its
// path alone; by default the signature covers the path and query.
func TestNotifyPathOnly(t *testing.T) {
	for _, pathOnly := range []bool{false, true} {
		srv, c, _ := newFakeServer(t, WithNotifyPathOnly(pathOnly))
		id := c.paid("N-P")
		req, err := srv.SignedNotification(id, "https://shop.example/webhook?a=b")
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(req.Body)
		h, err := signing.ParseHeader(req.Header.Get(wire.HeaderSignature))
		if err != nil {
			t.Fatal(err)
		}
		verifies := func(uri string) bool {
			msg := signing.Message("POST", uri, body, srv.Credentials().MerchantCode, req.Header.Get(wire.HeaderRequestTime), req.Header.Get(wire.HeaderNonce))
			return signing.Verify(c.apPub, msg, h.Signature) == nil
		}
		if verifies("/webhook?a=b") == pathOnly || verifies("/webhook") != pathOnly {
			t.Errorf("path only %v: verifies over path and query %v, over the path %v", pathOnly, verifies("/webhook?a=b"), verifies("/webhook"))
		}
	}
}

// awaitIdle waits until every delivery goroutine has ended; one still
// waiting on the clock fails the test instead of hanging it.
func awaitIdle(t *testing.T, srv *Server) {
	t.Helper()
	if err := srv.AwaitIdle(simtest.Context(t)); err != nil {
		t.Fatal("a notification delivery is still running")
	}
}
