package alphapaytest

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/paybridge/paybridge/payment"
	"github.com/paybridge/paybridge/providers/alphapay/internal/wire"
)

func payBody(id string) []byte {
	b, _ := json.Marshal(qrPay(id))
	return b
}

func TestFaultResult(t *testing.T) {
	srv, c, _ := newFakeServer(t)
	srv.Script(wire.PathPay, Fault{Result: &payment.Result{Code: wire.CodeUnknownException, Message: "try again", Status: payment.ResultUnknown}})
	a := c.post(wire.PathPay, payBody("F-R"))
	wantResult(t, a.result, wire.CodeUnknownException, wire.StatusU)
	if srv.Orders("F-R") != 0 {
		t.Errorf("scripted result changed state")
	}
	if got := srv.Requests(wire.PathPay)[0].Result; got.Code != wire.CodeUnknownException {
		t.Errorf("recorded result %+v", got)
	}
	// The script is used up: the next request is processed.
	a = c.post(wire.PathPay, payBody("F-R"))
	wantResult(t, a.result, wire.CodePaymentInProcess, wire.StatusU)
}

func TestFaultResultStillVerifies(t *testing.T) {
	srv, c, _ := newFakeServer(t)
	srv.Script(wire.PathPay, Fault{Result: &payment.Result{Code: wire.CodeSuccess, Status: payment.ResultSucceeded}})
	req := c.signedRequest(wire.PathPay, payBody("F-RV"))
	req.Header.Set(wire.HeaderSignature, "algorithm=RS256,keyVersion=1,signature=AAAA")
	a, err := c.do(req)
	if err != nil {
		t.Fatal(err)
	}
	wantResult(t, a.result, wire.CodeInvalidSign, wire.StatusF)
}

func TestFaultHTTPStatus(t *testing.T) {
	srv, c, _ := newFakeServer(t)
	srv.Script(wire.PathPay, Fault{HTTPStatus: http.StatusServiceUnavailable, RetryAfter: "2"})
	a, err := c.do(c.signedRequest(wire.PathPay, payBody("F-H")))
	if err != nil {
		t.Fatal(err)
	}
	if a.status != http.StatusServiceUnavailable || a.header.Get("Retry-After") != "2" || json.Valid(a.body) {
		t.Errorf("status %d Retry-After %q body %q", a.status, a.header.Get("Retry-After"), a.body)
	}
	if srv.Orders("F-H") != 0 {
		t.Errorf("HTTP fault changed state")
	}
	if r := srv.Requests(wire.PathPay); len(r) != 1 || !r[0].Result.IsZero() {
		t.Errorf("recorded %+v", r)
	}
}

func TestFaultDelay(t *testing.T) {
	srv, c, _ := newFakeServer(t)
	srv.Script(wire.PathPay, Fault{Delay: 50 * time.Millisecond})
	start := time.Now()
	a := c.post(wire.PathPay, payBody("F-D"))
	if time.Since(start) < 50*time.Millisecond {
		t.Errorf("answered before the delay")
	}
	wantResult(t, a.result, wire.CodePaymentInProcess, wire.StatusU)

}

// withEvents reports recorded requests and finished API handlers.
func withEvents(recorded, done chan<- string) Option {
	return func(cfg *config) {
		cfg.OnRecorded = func(p string) { recorded <- p }
		cfg.OnDone = func(p string) { done <- p }
	}
}

func TestFaultDelayHonoursContext(t *testing.T) {
	recorded, done := make(chan string, 8), make(chan string, 8)
	srv, c, _ := newFakeServer(t, withEvents(recorded, done))
	// A client that gives up during the delay changes nothing, and the
	// handler returns at once instead of waiting out the minute.
	srv.Script(wire.PathPay, Fault{Delay: time.Hour})
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() {
		_, err := c.do(c.signedRequest(wire.PathPay, payBody("F-D2")).WithContext(ctx))
		errc <- err
	}()
	<-recorded
	cancel()
	if err := <-errc; !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v", err)
	}
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("delayed handler still running after the client went away")
	}
	if srv.Orders("F-D2") != 0 {
		t.Errorf("abandoned delayed request changed state")
	}
}

func TestFaultHang(t *testing.T) {
	recorded, done := make(chan string, 8), make(chan string, 8)
	srv, c, _ := newFakeServer(t, withEvents(recorded, done))
	srv.Script(wire.PathPay, Fault{Hang: true})
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	_, err := c.do(c.signedRequest(wire.PathPay, payBody("F-HG")).WithContext(ctx))
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v", err)
	}
	<-done
	if srv.Orders("F-HG") != 0 {
		t.Errorf("hang changed state")
	}
	if r := srv.Requests(wire.PathPay); len(r) != 1 || !r[0].Result.IsZero() {
		t.Errorf("recorded %+v", r)
	}
}

func TestFaultHangEndsOnClose(t *testing.T) {
	recorded, done := make(chan string, 8), make(chan string, 8)
	srv, c, _ := newFakeServer(t, withEvents(recorded, done))
	srv.Script(wire.PathPay, Fault{Hang: true})
	errc := make(chan error, 1)
	go func() {
		_, err := c.do(c.signedRequest(wire.PathPay, payBody("F-HC")))
		errc <- err
	}()
	<-recorded
	closed := make(chan struct{})
	go func() { srv.Close(); close(closed) }()
	select {
	case <-closed:
	case <-time.After(10 * time.Second):
		t.Fatal("Close hangs on a hanging request")
	}
	if err := <-errc; err == nil {
		t.Errorf("hung request got an answer")
	}
}

func TestFaultDropBefore(t *testing.T) {
	srv, c, _ := newFakeServer(t)
	srv.Script(wire.PathPay, Fault{DropBefore: true})
	if _, err := c.do(c.signedRequest(wire.PathPay, payBody("F-DB"))); err == nil {
		t.Fatal("dropped connection answered")
	}
	if srv.Orders("F-DB") != 0 {
		t.Errorf("DropBefore changed state")
	}
	if r := srv.Requests(wire.PathPay); len(r) != 1 || !r[0].Result.IsZero() {
		t.Errorf("recorded %+v", r)
	}
}

func TestFaultDropAfter(t *testing.T) {
	srv, c, _ := newFakeServer(t)
	srv.Script(wire.PathPay, Fault{DropAfter: true})
	if _, err := c.do(c.signedRequest(wire.PathPay, payBody("F-DA"))); err == nil {
		t.Fatal("dropped connection answered")
	}
	if srv.Orders("F-DA") != 1 {
		t.Fatalf("DropAfter did not change state")
	}
	p, _ := srv.PaymentByRequestID("F-DA")
	// The replay settles the unknown outcome with the same order.
	resp, res := c.pay(qrPay("F-DA"))
	wantResult(t, res, wire.CodePaymentInProcess, wire.StatusU)
	if resp.PaymentID != p.PaymentID || srv.Orders("F-DA") != 1 {
		t.Errorf("replay after drop: %s vs %s", resp.PaymentID, p.PaymentID)
	}
}

func TestFaultSignatures(t *testing.T) {
	for name, f := range map[string]Fault{
		"NoSignature":  {NoSignature: true},
		"BadSignature": {BadSignature: true},
		"TamperBody":   {TamperBody: true},
	} {
		t.Run(name, func(t *testing.T) {
			srv, c, _ := newFakeServer(t)
			srv.Script(wire.PathPay, f)
			a, err := c.do(c.signedRequest(wire.PathPay, payBody("F-S")))
			if err != nil {
				t.Fatal(err)
			}
			if a.signed {
				t.Fatalf("answer verifies")
			}
			if a.status != http.StatusOK || !json.Valid(a.body) {
				t.Fatalf("status %d body %s", a.status, a.body)
			}
			if (a.header.Get(wire.HeaderSignature) == "") != f.NoSignature {
				t.Errorf("Signature header %q", a.header.Get(wire.HeaderSignature))
			}
			if srv.Orders("F-S") != 1 {
				t.Errorf("request was not processed")
			}
		})
	}
}

func TestFaultChangeAmount(t *testing.T) {
	srv, c, _ := newFakeServer(t)
	srv.Script(wire.PathPay, Fault{ChangeAmount: true})
	resp, res := c.pay(qrPay("F-CA")) // signature checked by c.post
	wantResult(t, res, wire.CodePaymentInProcess, wire.StatusU)
	if resp.Order.OrderAmount.Value != "2000" {
		t.Errorf("amount %s, want 2000", resp.Order.OrderAmount.Value)
	}
	if p, _ := srv.Payment(resp.PaymentID); p.Amount.MinorString() != "1999" {
		t.Errorf("state amount changed: %v", p.Amount)
	}
	_ = srv.Complete(resp.PaymentID)
	srv.Script(wire.PathInquiry, Fault{ChangeAmount: true})
	if st := c.inquiry(resp.PaymentID); st.Order.OrderAmount.Value != "2000" {
		t.Errorf("inquiry amount %s", st.Order.OrderAmount.Value)
	}
	srv.Script(wire.PathRefund, Fault{ChangeAmount: true})
	r, _ := c.refund(resp.PaymentID, "F-CA-R", "100")
	if r.Refund.RefundAmount.Value != "101" {
		t.Errorf("refund amount %s", r.Refund.RefundAmount.Value)
	}
	if st := c.inquiry(resp.PaymentID); st.Order.OrderAmount.Value != "1999" {
		t.Errorf("a fault leaked into later answers: %s", st.Order.OrderAmount.Value)
	}
}

func TestFaultQueueOrder(t *testing.T) {
	srv, c, _ := newFakeServer(t)
	srv.Script(wire.PathInquiry, Fault{HTTPStatus: 500}, Fault{HTTPStatus: 502})
	srv.Script(wire.PathInquiry, Fault{HTTPStatus: 504})
	body := []byte(`{"paymentId":"1"}`)
	for _, want := range []int{500, 502, 504, 200} {
		a, err := c.do(c.signedRequest(wire.PathInquiry, body))
		if err != nil {
			t.Fatal(err)
		}
		if a.status != want {
			t.Errorf("status %d, want %d", a.status, want)
		}
	}
	// Faults are per endpoint.
	a := c.post(wire.PathCancel, body)
	wantResult(t, a.result, wire.CodeOrderNotExist, wire.StatusF)
	if srv.RequestCount() != 5 {
		t.Errorf("RequestCount = %d", srv.RequestCount())
	}
}
