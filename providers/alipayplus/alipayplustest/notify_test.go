package alipayplustest

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/paybridge/paybridge/internal/simtest"
	"github.com/paybridge/paybridge/providers/alipayplus/internal/wire"
	"github.com/paybridge/paybridge/signing"
)

// receiver is a merchant's notification endpoint that verifies every
// notification as the wallets document it and answers as told.
type receiver struct {
	*simtest.Receiver
	t        *testing.T
	raw      bool // expect a raw base64 signature
	pathOnly bool // expect the signature over the path alone
}

func newReceiver(t *testing.T, creds Credentials) *receiver {
	pub, err := signing.ParsePublicKey(creds.WalletPublicKey)
	if err != nil {
		t.Fatal(err)
	}
	rc := &receiver{t: t}
	rc.Receiver = simtest.NewReceiver(t, func(r *http.Request, body []byte) string {
		h, err := signing.ParseHeader(r.Header.Get(wire.HeaderSignature))
		_, terr := time.Parse(time.RFC3339, r.Header.Get(wire.HeaderRequestTime))
		switch {
		case r.Header.Get(wire.HeaderClientID) != creds.ClientID:
			return "client id"
		case terr != nil:
			return "request time"
		case err != nil:
			return "signature header: " + err.Error()
		case h.KeyVersion != creds.KeyVersion || h.Algorithm != wire.Algorithm:
			return "keyVersion or algorithm"
		case r.Header.Get(wire.HeaderSignature) != h.Format(!rc.raw):
			return "signature encoding"
		}
		uri := r.URL.RequestURI()
		if rc.pathOnly {
			uri = r.URL.EscapedPath()
		}
		if signing.Verify(pub, signing.Message("POST", uri, body, creds.ClientID, r.Header.Get(wire.HeaderRequestTime)), h.Signature) != nil {
			return "signature does not verify"
		}
		return ""
	})
	return rc
}

func (rc *receiver) ack()   { rc.Ack(wire.Ack) }
func (rc *receiver) check() { rc.Check(rc.t) }

// body returns the i-th notification body as a generic object.
func (rc *receiver) body(i int) map[string]any {
	rc.t.Helper()
	var m map[string]any
	if err := json.Unmarshal(rc.Bodies()[i], &m); err != nil {
		rc.t.Fatal(err)
	}
	return m
}

// awaitIdle waits until every delivery goroutine has ended; a goroutine
// still waiting on the clock fails the test instead of hanging it.
func awaitIdle(t *testing.T, srv *Server) {
	t.Helper()
	if err := srv.AwaitIdle(simtest.Context(t)); err != nil {
		t.Fatal("a notification delivery is still running")
	}
}

func keys(m map[string]any) string {
	var ks []string
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return strings.Join(ks, ",")
}

func TestNotificationSchedule(t *testing.T) {
	srv, c, clk := newFakeServer(t)
	rc := newReceiver(t, srv.Credentials())
	r := cashierPay("N-1")
	r.PaymentNotifyURL = rc.Server.URL + "/hooks/alipayplus?shop=1"
	resp, _ := c.pay(r)
	clk.Advance(time.Minute)
	if err := srv.Complete(resp.PaymentID); err != nil {
		t.Fatal(err)
	}
	ctx := simtest.Context(t)
	paidAt := t0.Add(time.Minute)
	// The first try at once, then after 2 min, 10 min, 10 min, 1 h, 2 h,
	// 6 h and 15 h of the server clock; eight in all.
	at := paidAt
	for i, wait := range notifySchedule.Waits {
		if i > 0 {
			clk.BlockUntilWaiters(1)
			clk.Advance(wait - time.Millisecond)
			if clk.Waiters() != 1 || len(srv.Deliveries()) != i {
				t.Fatalf("try %d came before its time", i+1)
			}
			clk.Advance(time.Millisecond)
			at = at.Add(wait)
		}
		if err := srv.AwaitDeliveries(ctx, i+1); err != nil {
			t.Fatal(err)
		}
		d := srv.Deliveries()[i]
		if d.Kind != KindPayment || d.ID != resp.PaymentID || d.URL != r.PaymentNotifyURL || d.Attempt != i+1 ||
			!d.Time.Equal(at) || d.StatusCode != 500 || d.Acked || d.Err == "" {
			t.Errorf("delivery %d: %+v", i, d)
		}
	}
	awaitIdle(t, srv) // eight tries: the delivery goroutine has ended
	if n := len(srv.Deliveries()); n != 8 || clk.Waiters() != 0 {
		t.Errorf("%d deliveries, %d waiters after the last try", n, clk.Waiters())
	}
	if got := srv.Deliveries()[7].Time.Sub(paidAt); got != 24*time.Hour+22*time.Minute {
		t.Errorf("last try %v after the first", got)
	}
	if got := clk.Waits(); len(got) != 7 || got[0] != 2*time.Minute || got[6] != 15*time.Hour {
		t.Errorf("waits %v", got)
	}
	rc.check()

	// Shape B, every attempt the same body.
	b := rc.body(0)
	if keys(b) != "paymentAmount,paymentCreateTime,paymentId,paymentRequestId,paymentResult,paymentTime" {
		t.Errorf("shape B keys %s", keys(b))
	}
	var n wire.Notification
	bodies := rc.Bodies()
	_ = json.Unmarshal(bodies[0], &n)
	same := string(bodies[0]) == string(bodies[7])
	if n.PaymentID != resp.PaymentID || n.PaymentRequestID != "N-1" || *n.PaymentAmount != (wire.Amount{Currency: "USD", Value: "1999"}) ||
		n.PaymentTime != paidAt.Format(wire.TimeLayout) || n.PaymentCreateTime != t0.Format(wire.TimeLayout) ||
		*n.PaymentResult != (wire.Result{ResultCode: wire.CodeSuccess, ResultStatus: wire.StatusS, ResultMessage: "success"}) || !same {
		t.Errorf("notification %+v", n)
	}
}

func TestNotificationShapes(t *testing.T) {
	for _, tc := range []struct {
		shape   string
		decline bool
		keys    string
		check   func(n wire.Notification) bool
	}{
		{ShapeB, false, "paymentAmount,paymentCreateTime,paymentId,paymentRequestId,paymentResult,paymentTime", func(n wire.Notification) bool {
			return n.PaymentResult.ResultStatus == wire.StatusS && n.PaymentResult.ResultCode == wire.CodeSuccess
		}},
		{ShapeB, true, "paymentAmount,paymentCreateTime,paymentId,paymentRequestId,paymentResult", func(n wire.Notification) bool {
			return n.PaymentResult.ResultStatus == wire.StatusF && n.PaymentResult.ResultCode == wire.CodeProcessFail && n.PaymentResult.ResultMessage != ""
		}},
		{ShapeA, false, "paymentAmount,paymentId,paymentRequestId,paymentStatus,paymentTime", func(n wire.Notification) bool {
			return n.PaymentStatus == wire.PaymentSuccess && n.PaymentTime == t0.Format(wire.TimeLayout)
		}},
		{ShapeA, true, "paymentAmount,paymentFailReason,paymentId,paymentRequestId,paymentStatus", func(n wire.Notification) bool {
			return n.PaymentStatus == wire.PaymentFail && n.PaymentFailReason == declineReason
		}},
		{ShapeC, false, "notifyType,paymentAmount,paymentCreateTime,paymentId,paymentRequestId,paymentTime,result", func(n wire.Notification) bool {
			return n.NotifyType == wire.NotifyPaymentResult && n.Result.ResultStatus == wire.StatusS && n.Result.ResultCode == wire.CodeSuccess
		}},
		{ShapeC, true, "notifyType,paymentAmount,paymentCreateTime,paymentId,paymentRequestId,result", func(n wire.Notification) bool {
			return n.NotifyType == wire.NotifyPaymentResult && n.Result.ResultStatus == wire.StatusF && n.Result.ResultCode == wire.CodeProcessFail
		}},
	} {
		name := "shape " + tc.shape
		if tc.decline {
			name += " declined"
		}
		t.Run(name, func(t *testing.T) {
			srv, c, _ := newFakeServer(t, WithNotificationShape(tc.shape))
			rc := newReceiver(t, srv.Credentials())
			rc.ack()
			r := cashierPay("N-S")
			r.PaymentNotifyURL = rc.Server.URL + "/n"
			resp, _ := c.pay(r)
			act := srv.Complete
			if tc.decline {
				act = srv.Decline
			}
			if err := act(resp.PaymentID); err != nil {
				t.Fatal(err)
			}
			if err := srv.AwaitDeliveries(simtest.Context(t), 1); err != nil {
				t.Fatal(err)
			}
			rc.check()
			if got := keys(rc.body(0)); got != tc.keys {
				t.Errorf("keys %s, want %s", got, tc.keys)
			}
			var n wire.Notification
			_ = json.Unmarshal(rc.Bodies()[0], &n)
			if !tc.check(n) || n.PaymentID != resp.PaymentID || n.PaymentRequestID != "N-S" || n.PaymentAmount.Value != "1999" {
				t.Errorf("notification %+v", n)
			}
			if d := srv.Deliveries()[0]; !d.Acked {
				t.Errorf("delivery %+v", d)
			}
		})
	}
}

func TestNotificationWhen(t *testing.T) {
	srv, c, clk := newFakeServer(t, WithRawSignature(true))
	rc := newReceiver(t, srv.Credentials())
	rc.raw = true
	rc.ack()
	notify := rc.Server.URL + "/n"
	// Agreement pay notifies at once, with the raw signature encoding.
	r := agreementPay("NW-1", "token")
	r.PaymentNotifyURL = notify
	ag, _ := c.pay(r)
	ctx := simtest.Context(t)
	if err := srv.AwaitDeliveries(ctx, 1); err != nil {
		t.Fatal(err)
	}
	if d := srv.Deliveries()[0]; d.ID != ag.PaymentID || !d.Acked {
		t.Errorf("delivery %+v", d)
	}
	// Cancel, expiry, refunds and repeats send nothing; neither does a
	// payment without a notify URL.
	for _, id := range []string{"NW-2", "NW-3"} {
		r := cashierPay(id)
		r.PaymentNotifyURL = notify
		c.pay(r)
	}
	p2, _ := srv.PaymentByRequestID("NW-2")
	c.cancel(wire.PaymentRef{PaymentID: p2.PaymentID})
	clk.Advance(time.Hour) // NW-3 expires
	c.refund(ag.PaymentID, "NW-R", "1", "USD")
	c.pay(r)
	c.paid("NW-4")
	srv.Close() // waits for any delivery goroutine
	if n := len(srv.Deliveries()); n != 1 {
		t.Errorf("%d deliveries, want 1", n)
	}
	rc.check()
}

func TestSignedNotification(t *testing.T) {
	for _, raw := range []bool{false, true} {
		srv, c, _ := newFakeServer(t, WithRawSignature(raw), WithClientID("C-77"), WithKeyVersion("3"))
		rc := newReceiver(t, srv.Credentials())
		rc.raw = raw
		rc.ack()
		id := c.paid("N-SN")
		rc.Deliver(srv.SignedNotification(id, rc.Server.URL+"/webhook/alipayplus?a=b&c=%2F"))
		rc.check()
		var n wire.Notification
		_ = json.Unmarshal(rc.Bodies()[0], &n)
		if n.PaymentID != id || n.PaymentResult == nil || n.PaymentResult.ResultStatus != wire.StatusS {
			t.Errorf("body %+v", n)
		}
		if len(srv.Deliveries()) != 0 {
			t.Errorf("SignedNotification sent something itself")
		}
		// Still available after the payment was reversed.
		c.cancel(wire.PaymentRef{PaymentID: id})
		if _, err := srv.SignedNotification(id, rc.Server.URL); err != nil {
			t.Errorf("after cancel: %v", err)
		}
	}
	srv, c, _ := newFakeServer(t)
	if _, err := srv.SignedNotification("nope", "https://shop.example/n"); !errors.Is(err, ErrNotFound) {
		t.Errorf("unknown payment: %v", err)
	}
	pending, _ := c.pay(cashierPay("N-P"))
	if _, err := srv.SignedNotification(pending.PaymentID, "https://shop.example/n"); !errors.Is(err, ErrNoNotification) {
		t.Errorf("pending payment: %v", err)
	}
	_ = srv.Expire(pending.PaymentID)
	if _, err := srv.SignedNotification(pending.PaymentID, "https://shop.example/n"); !errors.Is(err, ErrNoNotification) {
		t.Errorf("cancelled unpaid payment: %v", err)
	}
	declined, _ := c.pay(cashierPay("N-D"))
	_ = srv.Decline(declined.PaymentID)
	if _, err := srv.SignedNotification(declined.PaymentID, "https://shop.example/n"); err != nil {
		t.Errorf("declined payment: %v", err)
	}
	if _, err := srv.SignedNotification(declined.PaymentID, "/relative"); err == nil {
		t.Error("relative URL")
	}
}

// WithNotifyPathOnly signs notifications over the notify URL's path alone;
// by default the signature covers its path and query. Both are sent to a
// notify URL with a query, and each verifies only over its own URI.
func TestNotifyPathOnly(t *testing.T) {
	for _, pathOnly := range []bool{false, true} {
		srv, c, _ := newFakeServer(t, WithNotifyPathOnly(pathOnly))
		rc := newReceiver(t, srv.Credentials())
		rc.pathOnly = pathOnly
		rc.ack()
		id := c.paid("N-PO")
		target := rc.Server.URL + "/webhook/alipayplus?shop=7&x=%2F"
		rc.Deliver(srv.SignedNotification(id, target))
		rc.check()

		// The other reading does not verify: the two really differ.
		req, _ := srv.SignedNotification(id, target)
		body, _ := io.ReadAll(req.Body)
		h, _ := signing.ParseHeader(req.Header.Get(wire.HeaderSignature))
		other := req.URL.EscapedPath()
		if pathOnly {
			other = req.URL.RequestURI()
		}
		msg := signing.Message("POST", other, body, req.Header.Get(wire.HeaderClientID), req.Header.Get(wire.HeaderRequestTime))
		if signing.Verify(c.walletPub, msg, h.Signature) == nil {
			t.Errorf("pathOnly %v: the signature also verifies over %s", pathOnly, other)
		}
	}
}
