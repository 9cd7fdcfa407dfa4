package alphapaytest

import (
	"crypto/rsa"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/paybridge/paybridge/providers/alphapay/internal/wire"
	"github.com/paybridge/paybridge/signing"
)

// receiver is a merchant's notification endpoint that verifies every
// notification and answers as told.
type receiver struct {
	t      *testing.T
	srv    *httptest.Server
	pub    *rsa.PublicKey
	code   string
	answer atomic.Value // func(http.ResponseWriter)

	mu     sync.Mutex
	bodies [][]byte
	bad    []string
}

func newReceiver(t *testing.T, creds Credentials) *receiver {
	pub, err := signing.ParsePublicKey(creds.AlphaPayPublicKey)
	if err != nil {
		t.Fatal(err)
	}
	rc := &receiver{t: t, pub: pub, code: creds.MerchantCode}
	rc.fail()
	rc.srv = httptest.NewServer(http.HandlerFunc(rc.serve))
	t.Cleanup(rc.srv.Close)
	return rc
}

func (rc *receiver) fail() {
	rc.answer.Store(func(w http.ResponseWriter) { http.Error(w, "down", http.StatusInternalServerError) })
}

func (rc *receiver) ack() {
	rc.answer.Store(func(w http.ResponseWriter) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(wire.Ack)
	})
}

func (rc *receiver) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	problem := ""
	h, err := signing.ParseHeader(r.Header.Get(wire.HeaderSignature))
	switch {
	case r.Method != http.MethodPost:
		problem = "method " + r.Method
	case r.Header.Get(wire.HeaderMerchantCode) != rc.code:
		problem = "merchant code"
	case r.Header.Get("Content-Type") != "application/json; charset=UTF-8":
		problem = "content type"
	case len(r.Header.Get(wire.HeaderNonce)) != 32:
		problem = "nonce"
	case err != nil:
		problem = "signature header: " + err.Error()
	default:
		msg := signing.Message("POST", r.URL.RequestURI(), body, rc.code, r.Header.Get(wire.HeaderRequestTime), r.Header.Get(wire.HeaderNonce))
		if signing.Verify(rc.pub, msg, h.Signature) != nil {
			problem = "signature does not verify"
		}
	}
	rc.mu.Lock()
	rc.bodies = append(rc.bodies, body)
	if problem != "" {
		rc.bad = append(rc.bad, problem)
	}
	rc.mu.Unlock()
	rc.answer.Load().(func(http.ResponseWriter))(w)
}

func (rc *receiver) check() {
	rc.t.Helper()
	rc.mu.Lock()
	defer rc.mu.Unlock()
	for _, p := range rc.bad {
		rc.t.Errorf("bad notification: %s", p)
	}
}

func TestPaymentNotificationSchedule(t *testing.T) {
	srv, c, clk := newFakeServer(t)
	rc := newReceiver(t, srv.Credentials())
	r := qrPay("N-1")
	r.Order.NotifyURL = rc.srv.URL + "/hooks/alphapay?shop=1"
	resp, _ := c.pay(r)
	if err := srv.Complete(resp.PaymentID); err != nil {
		t.Fatal(err)
	}
	ctx := ctxTimeout(t)
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
	rc.mu.Lock()
	body := rc.bodies[0]
	rc.mu.Unlock()
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
	r.Order.NotifyURL = rc.srv.URL + "/n"
	resp, _ := c.pay(r)
	_ = srv.Complete(resp.PaymentID)
	ctx := ctxTimeout(t)
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

func TestNotificationAckRules(t *testing.T) {
	for name, answer := range map[string]func(http.ResponseWriter){
		"200 without body": func(w http.ResponseWriter) {},
		"200 F": func(w http.ResponseWriter) {
			_, _ = io.WriteString(w, `{"result":{"resultCode":"X","resultStatus":"F"}}`)
		},
		"200 not JSON":       func(w http.ResponseWriter) { _, _ = io.WriteString(w, "success") },
		"201 with ack body":  func(w http.ResponseWriter) { w.WriteHeader(201); _, _ = w.Write(wire.Ack) },
		"200 S without code": func(w http.ResponseWriter) { _, _ = io.WriteString(w, `{"result":{"resultStatus":"S"}}`) },
	} {
		t.Run(name, func(t *testing.T) {
			srv, c, _ := newFakeServer(t)
			rc := newReceiver(t, srv.Credentials())
			rc.answer.Store(answer)
			r := qrPay("N-A")
			r.Order.NotifyURL = rc.srv.URL + "/n"
			resp, _ := c.pay(r)
			_ = srv.Complete(resp.PaymentID)
			if err := srv.AwaitDeliveries(ctxTimeout(t), 1); err != nil {
				t.Fatal(err)
			}
			wantAck := name == "200 S without code"
			if d := srv.Deliveries()[0]; d.Acked != wantAck {
				t.Errorf("Acked = %v (%+v)", d.Acked, d)
			}
		})
	}
}

func TestRefundNotificationOnce(t *testing.T) {
	srv, c, _ := newFakeServer(t)
	rc := newReceiver(t, srv.Credentials())
	id := c.paid("N-R") // no notifyUrl on the order
	var resp wire.RefundResponse
	res := c.call(wire.PathRefund, wire.RefundRequest{PaymentID: id, RefundRequestID: "N-R-1", Refund: wire.RefundDetail{
		RefundAmount: wire.Amount{Value: "100", Currency: "CAD"}, NotifyURL: rc.srv.URL + "/refunds",
	}}, &resp)
	wantResult(t, res, wire.CodeSuccess, wire.StatusS)
	if err := srv.AwaitDeliveries(ctxTimeout(t), 1); err != nil {
		t.Fatal(err)
	}
	awaitIdle(t, srv)
	ds := srv.Deliveries()
	if len(ds) != 1 || ds[0].Kind != KindRefund || ds[0].ID != resp.RefundID || ds[0].Acked {
		t.Fatalf("deliveries %+v", ds)
	}
	rc.check()
	var st wire.RefundState
	rc.mu.Lock()
	_ = json.Unmarshal(rc.bodies[0], &st)
	rc.mu.Unlock()
	if st.RefundID != resp.RefundID || st.RefundStatus != wire.RefundSuccess || st.Result != nil || st.PaymentID != id {
		t.Errorf("refund notification %+v", st)
	}
	// Replaying the refund does not notify again.
	c.refund(id, "N-R-1", "100")
	if n := len(srv.Deliveries()); n != 1 {
		t.Errorf("%d deliveries after a replay", n)
	}
}

func TestCloseStopsDeliveries(t *testing.T) {
	clkSrv, c, clk := newFakeServer(t)
	rc := newReceiver(t, clkSrv.Credentials())
	r := qrPay("N-C")
	r.Order.NotifyURL = rc.srv.URL + "/n"
	resp, _ := c.pay(r)
	_ = clkSrv.Complete(resp.PaymentID)
	if err := clkSrv.AwaitDeliveries(ctxTimeout(t), 3); err != nil {
		t.Fatal(err)
	}
	clk.BlockUntilWaiters(1) // waiting on a clock that will never move
	closed := make(chan struct{})
	go func() { clkSrv.Close(); close(closed) }()
	select {
	case <-closed:
	case <-time.After(10 * time.Second):
		t.Fatal("Close hangs with a delivery waiting on a frozen clock")
	}
	// After Close nothing new starts.
	if n := len(clkSrv.Deliveries()); n != 3 {
		t.Errorf("%d deliveries", n)
	}
}

func TestSignedNotification(t *testing.T) {
	srv, c, _ := newFakeServer(t)
	rc := newReceiver(t, srv.Credentials())
	rc.ack()
	id := c.paid("N-S")
	req, err := srv.SignedNotification(id, rc.srv.URL+"/webhook?a=b")
	if err != nil {
		t.Fatal(err)
	}
	resp, err := rc.srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	r, _ := c.refund(id, "N-S-R", "100")
	req, err = srv.SignedRefundNotification(r.RefundID, rc.srv.URL+"/refund")
	if err != nil {
		t.Fatal(err)
	}
	resp, err = rc.srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	rc.check()
	rc.mu.Lock()
	var st wire.PaymentState
	_ = json.Unmarshal(rc.bodies[0], &st)
	rc.mu.Unlock()
	if st.PaymentStatus != wire.PaymentSuccess || st.Result != nil {
		t.Errorf("body %+v", st)
	}
	if len(srv.Deliveries()) != 0 {
		t.Errorf("SignedNotification sent something itself")
	}
	if _, err := srv.SignedNotification("nope", rc.srv.URL); err == nil {
		t.Error("unknown payment")
	}
	if _, err := srv.SignedRefundNotification("nope", rc.srv.URL); err == nil {
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
	if err := srv.AwaitIdle(ctxTimeout(t)); err != nil {
		t.Fatal("a notification delivery is still running")
	}
}
