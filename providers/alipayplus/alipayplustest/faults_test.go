package alipayplustest

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/paybridge/paybridge/payment"
	"github.com/paybridge/paybridge/providers/alipayplus/internal/wire"
	"github.com/paybridge/paybridge/signing"
)

func TestFaultResult(t *testing.T) {
	srv, c, _ := newFakeServer(t)
	srv.Script(wire.PathPay, Fault{Result: &payment.Result{Status: payment.ResultUnknown, Code: wire.CodeUnknownException, Message: "try again"}})
	a := c.post(wire.PathPay, payBody("F-R"))
	wantResult(t, a.result, wire.CodeUnknownException, wire.StatusU)
	if string(a.body) != `{"result":{"resultCode":"UNKNOWN_EXCEPTION","resultStatus":"U","resultMessage":"try again"}}` {
		t.Errorf("body %s", a.body)
	}
	if srv.Orders("F-R") != 0 {
		t.Errorf("scripted result changed state")
	}
	if got := srv.Requests(wire.PathPay)[0].Result; got.Code != wire.CodeUnknownException || got.Status != payment.ResultUnknown {
		t.Errorf("recorded result %+v", got)
	}
	// The script is used up: the next request is processed.
	a = c.post(wire.PathPay, payBody("F-R"))
	wantResult(t, a.result, wire.CodeSuccess, wire.StatusS)
}

func TestFaultResultStillVerifies(t *testing.T) {
	srv, c, _ := newFakeServer(t)
	srv.Script(wire.PathPay, Fault{Result: &payment.Result{Status: payment.ResultSucceeded, Code: wire.CodeSuccess}})
	req := c.signedRequest(wire.PathPay, payBody("F-RV"))
	req.Header.Set(wire.HeaderSignature, "algorithm=RSA256,keyVersion=1,signature=AAAA")
	a, err := c.do(req)
	if err != nil {
		t.Fatal(err)
	}
	wantResult(t, a.result, wire.CodeInvalidSignature, wire.StatusF)
}

func TestFaultHTTPStatus(t *testing.T) {
	srv, c, _ := newFakeServer(t)
	srv.Script(wire.PathPay, Fault{HTTPStatus: http.StatusServiceUnavailable, RetryAfter: "2"}, Fault{HTTPStatus: 42})
	a, err := c.do(c.signedRequest(wire.PathPay, payBody("F-H")))
	if err != nil {
		t.Fatal(err)
	}
	if a.status != http.StatusServiceUnavailable || a.header.Get("Retry-After") != "2" || json.Valid(a.body) || a.header.Get(wire.HeaderSignature) != "" {
		t.Errorf("status %d Retry-After %q body %q", a.status, a.header.Get("Retry-After"), a.body)
	}
	if a, _ = c.do(c.signedRequest(wire.PathPay, payBody("F-H"))); a.status != http.StatusInternalServerError {
		t.Errorf("invalid scripted status answered %d, want 500", a.status)
	}
	if srv.Orders("F-H") != 0 {
		t.Errorf("HTTP fault changed state")
	}
	if r := srv.Requests(wire.PathPay); len(r) != 2 || !r[0].Result.IsZero() {
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
	wantResult(t, a.result, wire.CodeSuccess, wire.StatusS)
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
	// handler returns at once instead of waiting out the hour.
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
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() {
		_, err := c.do(c.signedRequest(wire.PathPay, payBody("F-HG")).WithContext(ctx))
		errc <- err
	}()
	<-recorded
	cancel() // the client gives up
	if err := <-errc; !errors.Is(err, context.Canceled) {
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
	// The retry with the same paymentRequestId finds the same payment.
	resp, res := c.pay(cashierPay("F-DA"))
	wantResult(t, res, wire.CodeRepeatRequest, wire.StatusS)
	if resp.PaymentID != p.PaymentID || srv.Orders("F-DA") != 1 {
		t.Errorf("retry after drop: %s vs %s", resp.PaymentID, p.PaymentID)
	}
	// A refund dropped after it was made: the retry gets the same refund.
	_ = srv.Complete(p.PaymentID)
	srv.Script(wire.PathRefund, Fault{DropAfter: true})
	body, _ := json.Marshal(wire.RefundRequest{RefundRequestID: "F-DA-R", PaymentID: p.PaymentID, RefundAmount: wire.Amount{Currency: "USD", Value: "100"}})
	if _, err := c.do(c.signedRequest(wire.PathRefund, body)); err == nil {
		t.Fatal("dropped connection answered")
	}
	_, res = c.refund(p.PaymentID, "F-DA-R", "100", "USD")
	wantResult(t, res, wire.CodeSuccess, wire.StatusS)
	if q, _ := srv.Payment(p.PaymentID); q.Refunded.String() != "1.00 USD" {
		t.Errorf("refunded %s", q.Refunded)
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
			if a.signed() {
				t.Fatalf("answer verifies")
			}
			if a.status != http.StatusOK || !json.Valid(a.body) || a.result.ResultStatus != wire.StatusS {
				t.Fatalf("status %d body %s", a.status, a.body)
			}
			if (a.header.Get(wire.HeaderSignature) == "") != f.NoSignature {
				t.Errorf("Signature header %q", a.header.Get(wire.HeaderSignature))
			}
			if f.BadSignature {
				if _, err := signing.ParseHeader(a.header.Get(wire.HeaderSignature)); err != nil {
					t.Errorf("a bad signature must still parse: %v", err)
				}
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
	resp, res := c.pay(cashierPay("F-CA")) // signature checked by c.post
	wantResult(t, res, wire.CodeSuccess, wire.StatusS)
	if resp.PaymentAmount.Value != "2000" || resp.PaymentAmount.Currency != "USD" {
		t.Errorf("amount %+v, want 2000 USD", resp.PaymentAmount)
	}
	if p, _ := srv.Payment(resp.PaymentID); p.Amount.MinorString() != "1999" {
		t.Errorf("state amount changed: %v", p.Amount)
	}
	_ = srv.Complete(resp.PaymentID)
	srv.Script(wire.PathInquiry, Fault{ChangeAmount: true})
	if inq, _ := c.inquiry(wire.PaymentRef{PaymentID: resp.PaymentID}); inq.PaymentAmount.Value != "2000" {
		t.Errorf("inquiry amount %s", inq.PaymentAmount.Value)
	}
	srv.Script(wire.PathRefund, Fault{ChangeAmount: true})
	r, _ := c.refund(resp.PaymentID, "F-CA-R", "100", "USD")
	if r.RefundAmount == nil || r.RefundAmount.Value != "101" {
		t.Errorf("refund amount %+v", r.RefundAmount)
	}
	srv.Script(wire.PathInquiryRefund, Fault{ChangeAmount: true})
	var ir wire.InquiryRefundResponse
	c.call(wire.PathInquiryRefund, wire.RefundRef{RefundID: r.RefundID}, &ir)
	if ir.RefundAmount.Value != "101" {
		t.Errorf("inquiryRefund amount %s", ir.RefundAmount.Value)
	}
	if inq, _ := c.inquiry(wire.PaymentRef{PaymentID: resp.PaymentID}); inq.PaymentAmount.Value != "1999" {
		t.Errorf("a fault leaked into later answers: %s", inq.PaymentAmount.Value)
	}
}

func TestFaultRedirectField(t *testing.T) {
	srv, c, _ := newFakeServer(t)
	srv.Script(wire.PathPay, Fault{Variant: RedirectURL}, Fault{Variant: "bogus"})
	resp, _ := c.pay(cashierPay("F-RF"))
	f := resp.RedirectActionForm
	if f.RedirectURL == "" || f.RedirectionURL != "" || f.URL() != srv.CashierURL(resp.PaymentID) || f.Method != "GET" {
		t.Errorf("form %+v", f)
	}
	resp, _ = c.pay(cashierPay("F-RF"))
	if f := resp.RedirectActionForm; f.RedirectionURL == "" || f.RedirectURL != "" {
		t.Errorf("form after an ignored override %+v", f)
	}
	// And the other way round.
	srv2, c2, _ := newFakeServer(t, WithRedirectField(RedirectURL))
	srv2.Script(wire.PathPay, Fault{Variant: RedirectionURL})
	resp, _ = c2.pay(cashierPay("F-RF2"))
	if f := resp.RedirectActionForm; f.RedirectionURL == "" || f.RedirectURL != "" {
		t.Errorf("form %+v", f)
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
	// Recorded requests carry their headers and Request-Time.
	r := srv.Requests(wire.PathCancel)[0]
	if r.RequestTime != t0.Format(wire.TimeLayout) || r.Header.Get(wire.HeaderClientID) != DefaultClientID || string(r.Body) != string(body) || !r.Time.Equal(t0) {
		t.Errorf("recorded %+v", r)
	}
}
