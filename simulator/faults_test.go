package simulator_test

import (
	"context"
	"encoding/json"
	"errors"
	"net"
	"net/http"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/paybridge/paybridge/payment"
	"github.com/paybridge/paybridge/signing"
	"github.com/paybridge/paybridge/simulator"
)

func TestFaultResult(t *testing.T) {
	srv, c, _ := toyFixture(t, nil)
	srv.Script(pathPay, simulator.Fault{Result: &payment.Result{Status: payment.ResultUnknown, Code: "UNKNOWN_EXCEPTION", Message: "try again"}})
	r := c.post(pathPay, payReq("F-R", "100"))
	if string(r.Body) != `{"result":{"resultStatus":"U","resultCode":"UNKNOWN_EXCEPTION","resultMessage":"try again"}}` {
		t.Errorf("body %s", r.Body)
	}
	if srv.Orders("F-R") != 0 {
		t.Errorf("scripted result changed state")
	}
	if got := srv.Requests(pathPay)[0].Result; got != (payment.Result{Status: payment.ResultUnknown, Code: "UNKNOWN_EXCEPTION", Message: "try again"}) {
		t.Errorf("recorded result %+v", got)
	}
	// The script is used up: the next request is processed.
	wantCode(t, c.post(pathPay, payReq("F-R", "100")), "ACCEPT")
}

func TestFaultResultStillVerifies(t *testing.T) {
	srv, c, _ := toyFixture(t, nil)
	srv.Script(pathPay, simulator.Fault{Result: &payment.Result{Status: payment.ResultSucceeded, Code: "SUCCESS"}})
	req := c.request(pathPay, payReq("F-RV", "100"))
	req.Header.Set("Signature", "algorithm=RSA256,keyVersion=1,signature=AAAA")
	r, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	wantCode(t, r, "INVALID_SIGNATURE")
}

func TestFaultHTTPStatus(t *testing.T) {
	srv, c, _ := toyFixture(t, nil)
	srv.Script(pathPay, simulator.Fault{HTTPStatus: http.StatusServiceUnavailable, RetryAfter: "2"}, simulator.Fault{HTTPStatus: 42})
	r, err := c.Do(c.request(pathPay, payReq("F-H", "100")))
	if err != nil {
		t.Fatal(err)
	}
	if r.Status != http.StatusServiceUnavailable || r.Header.Get("Retry-After") != "2" || json.Valid(r.Body) || r.Header.Get("Signature") != "" {
		t.Errorf("status %d Retry-After %q body %q", r.Status, r.Header.Get("Retry-After"), r.Body)
	}
	if r, _ = c.Do(c.request(pathPay, payReq("F-H", "100"))); r.Status != http.StatusInternalServerError {
		t.Errorf("invalid scripted status answered %d, want 500", r.Status)
	}
	if srv.Orders("F-H") != 0 {
		t.Errorf("HTTP fault changed state")
	}
	if r := srv.Requests(pathPay); len(r) != 2 || !r[0].Result.IsZero() {
		t.Errorf("recorded %+v", r)
	}
}

func TestFaultDelay(t *testing.T) {
	_, c, _ := toyFixture(t, nil)
	c.srv.Script(pathPay, simulator.Fault{Delay: 50 * time.Millisecond})
	start := time.Now()
	r := c.post(pathPay, payReq("F-D", "100"))
	if time.Since(start) < 50*time.Millisecond {
		t.Errorf("answered before the delay")
	}
	wantCode(t, r, "ACCEPT")
}

// withEvents reports recorded requests and finished API handlers.
func withEvents(recorded, done chan<- string) func(*simulator.Config) {
	return func(cfg *simulator.Config) {
		cfg.OnRecorded = func(p string) { recorded <- p }
		cfg.OnDone = func(p string) { done <- p }
	}
}

func TestFaultDelayHonoursContext(t *testing.T) {
	recorded, done := make(chan string, 8), make(chan string, 8)
	srv, c, _ := toyFixture(t, withEvents(recorded, done))
	// A client that gives up during the delay changes nothing, and the
	// handler returns at once instead of waiting out the hour.
	srv.Script(pathPay, simulator.Fault{Delay: time.Hour})
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() {
		_, err := c.Do(c.request(pathPay, payReq("F-D2", "100")).WithContext(ctx))
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
	srv, c, _ := toyFixture(t, withEvents(recorded, done))
	srv.Script(pathPay, simulator.Fault{Hang: true})
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	_, err := c.Do(c.request(pathPay, payReq("F-HG", "100")).WithContext(ctx))
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v", err)
	}
	<-done
	if srv.Orders("F-HG") != 0 {
		t.Errorf("hang changed state")
	}
	if r := srv.Requests(pathPay); len(r) != 1 || !r[0].Result.IsZero() {
		t.Errorf("recorded %+v", r)
	}
}

// Close ends hangs and delays, so it never waits on a client that does
// not give up.
func TestFaultHangAndDelayEndOnClose(t *testing.T) {
	for name, f := range map[string]simulator.Fault{"hang": {Hang: true}, "delay": {Delay: time.Hour}} {
		t.Run(name, func(t *testing.T) {
			recorded, done := make(chan string, 8), make(chan string, 8)
			srv, c, _ := toyFixture(t, withEvents(recorded, done))
			srv.Script(pathPay, f)
			errc := make(chan error, 1)
			go func() {
				_, err := c.Do(c.request(pathPay, payReq("F-HC", "100")))
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
		})
	}
}

func TestFaultDropBefore(t *testing.T) {
	srv, c, _ := toyFixture(t, nil)
	srv.Script(pathPay, simulator.Fault{DropBefore: true})
	if _, err := c.Do(c.request(pathPay, payReq("F-DB", "100"))); err == nil {
		t.Fatal("dropped connection answered")
	}
	if srv.Orders("F-DB") != 0 {
		t.Errorf("DropBefore changed state")
	}
	if r := srv.Requests(pathPay); len(r) != 1 || !r[0].Result.IsZero() {
		t.Errorf("recorded %+v", r)
	}
}

func TestFaultDropAfter(t *testing.T) {
	srv, c, _ := toyFixture(t, nil)
	srv.Script(pathPay, simulator.Fault{DropAfter: true})
	if _, err := c.Do(c.request(pathPay, payReq("F-DA", "100"))); err == nil {
		t.Fatal("dropped connection answered")
	}
	if srv.Orders("F-DA") != 1 {
		t.Fatalf("DropAfter did not change state")
	}
	if r := srv.Requests(pathPay); len(r) != 1 || !r[0].Result.IsZero() {
		t.Errorf("recorded %+v", r)
	}
	wantCode(t, c.post(pathPay, payReq("F-DA", "100")), "REPEAT_REQUEST")
}

func TestFaultSignatures(t *testing.T) {
	for name, f := range map[string]simulator.Fault{
		"NoSignature":  {NoSignature: true},
		"BadSignature": {BadSignature: true},
		"TamperBody":   {TamperBody: true},
	} {
		t.Run(name, func(t *testing.T) {
			srv, c, _ := toyFixture(t, nil)
			srv.Script(pathPay, f)
			r, err := c.Do(c.request(pathPay, payReq("F-S", "100")))
			if err != nil {
				t.Fatal(err)
			}
			if r.Signed() {
				t.Fatalf("answer verifies")
			}
			if r.Status != http.StatusOK || !json.Valid(r.Body) || r.Result.Result.Status != "A" {
				t.Fatalf("status %d body %s", r.Status, r.Body)
			}
			if (r.Header.Get("Signature") == "") != f.NoSignature {
				t.Errorf("Signature header %q", r.Header.Get("Signature"))
			}
			if f.BadSignature {
				if _, err := signing.ParseHeader(r.Header.Get("Signature")); err != nil {
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
	srv, c, _ := toyFixture(t, nil)
	srv.Script(pathPay, simulator.Fault{ChangeAmount: true})
	r := c.post(pathPay, payReq("F-CA", "1999")) // signed: correctly
	if r.Result.Amount.Value != "2000" {
		t.Errorf("amount %s, want 2000", r.Result.Amount.Value)
	}
	if p, _ := srv.ledger.Payment(r.Result.PaymentID); p.Amount.MinorString() != "1999" {
		t.Errorf("state amount changed: %v", p.Amount)
	}
	if r := c.post(pathInquiry, toyRequest{PaymentID: r.Result.PaymentID}); r.Result.Amount.Value != "1999" {
		t.Errorf("a fault leaked into later answers: %s", r.Result.Amount.Value)
	}
}

func TestFaultQueueOrder(t *testing.T) {
	srv, c, _ := toyFixture(t, nil)
	srv.Script(pathInquiry, simulator.Fault{HTTPStatus: 500}, simulator.Fault{HTTPStatus: 502})
	srv.Script(pathInquiry, simulator.Fault{HTTPStatus: 504})
	body := toyRequest{PaymentID: "1"}
	for _, want := range []int{500, 502, 504, 200} {
		r, err := c.Do(c.request(pathInquiry, body))
		if err != nil {
			t.Fatal(err)
		}
		if r.Status != want {
			t.Errorf("status %d, want %d", r.Status, want)
		}
	}
	// Faults are per endpoint.
	wantCode(t, c.post(pathRefund, body), "ORDER_STATUS_INVALID")
	if srv.RequestCount() != 5 {
		t.Errorf("RequestCount = %d", srv.RequestCount())
	}
}

// A fault aimed at a request ID waits for that request; the others pass it
// by and take the faults behind it in order, so that concurrent calls do
// not take each other's faults.
func TestFaultAimedByRequestID(t *testing.T) {
	srv, c, _ := toyFixture(t, nil)
	srv.Script(pathPay, simulator.Fault{RequestID: "AIM-2", HTTPStatus: 503}, simulator.Fault{HTTPStatus: 502})
	status := func(id string) int {
		r, err := c.Do(c.request(pathPay, payReq(id, "100")))
		if err != nil {
			t.Fatal(err)
		}
		return r.Status
	}
	if got := status("AIM-1"); got != 502 {
		t.Errorf("AIM-1: %d, want the unaimed 502", got)
	}
	if got := status("AIM-1"); got != 200 {
		t.Errorf("AIM-1 again: %d; it took the aimed fault", got)
	}
	if got := status("AIM-2"); got != 503 {
		t.Errorf("AIM-2: %d, want its 503", got)
	}
	if srv.Orders("AIM-1") != 1 || srv.Orders("AIM-2") != 0 {
		t.Errorf("orders %d %d", srv.Orders("AIM-1"), srv.Orders("AIM-2"))
	}
	// Refunds are aimed at by their refund request ID.
	id := c.paid("AIM-3")
	srv.Script(pathRefund, simulator.Fault{RequestID: "R-2", DropBefore: true})
	refund := func(rid string) error {
		_, err := c.Do(c.request(pathRefund, toyRequest{PaymentID: id, RefundRequestID: rid, Amount: &toyAmount{"100", "USD"}}))
		return err
	}
	if refund("R-1") != nil || refund("R-2") == nil || refund("R-2") != nil {
		t.Error("the aimed refund fault hit the wrong request")
	}
	if rs := srv.Requests(pathRefund); len(rs) != 3 || rs[0].RequestID != "R-1" || rs[1].RequestID != "R-2" {
		t.Errorf("recorded %+v", rs)
	}
}

// Concurrent requests each meet the fault aimed at them.
func TestFaultAimedConcurrently(t *testing.T) {
	srv, c, _ := toyFixture(t, nil)
	const n = 8
	var faults []simulator.Fault
	for i := range n {
		faults = append(faults, simulator.Fault{RequestID: "C-" + itoa(i), HTTPStatus: 500 + i})
	}
	srv.Script(pathPay, faults...)
	var wg sync.WaitGroup
	got := make([]int, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if r, err := c.Do(c.request(pathPay, payReq("C-"+itoa(i), "100"))); err == nil {
				got[i] = r.Status
			}
		}()
	}
	wg.Wait()
	for i, s := range got {
		if s != 500+i {
			t.Errorf("C-%d met %d, want %d", i, s, 500+i)
		}
	}
}

func TestFaultAimedByMatch(t *testing.T) {
	srv, c, _ := toyFixture(t, nil)
	srv.Script(pathInquiry, simulator.Fault{
		Match:  func(r simulator.Request) bool { return string(r.Body) == `{"paymentId":"2"}` },
		Result: &payment.Result{Status: payment.ResultUnknown, Code: "BUSY"},
	})
	wantCode(t, c.post(pathInquiry, toyRequest{PaymentID: "1"}), "ORDER_NOT_EXIST")
	wantCode(t, c.post(pathInquiry, toyRequest{PaymentID: "2"}), "BUSY")
	wantCode(t, c.post(pathInquiry, toyRequest{PaymentID: "2"}), "ORDER_NOT_EXIST")
}

// An outage answers every request of its path while the server's clock is
// within it, and leaves the queue alone.
func TestOutage(t *testing.T) {
	srv, c, clk := toyFixture(t, nil)
	srv.Script(pathInquiry, simulator.Fault{HTTPStatus: 502})
	srv.Outage(pathInquiry, 10*time.Minute, simulator.Fault{})
	status := func(path string) int {
		r, err := c.Do(c.request(path, toyRequest{PaymentID: "1"}))
		if err != nil {
			t.Fatal(err)
		}
		return r.Status
	}
	for range 3 {
		if got := status(pathInquiry); got != http.StatusServiceUnavailable {
			t.Fatalf("during the outage: %d", got)
		}
	}
	if got := status(pathRefund); got != 200 {
		t.Errorf("another endpoint: %d", got)
	}
	clk.Advance(10 * time.Minute)
	if got := status(pathInquiry); got != 502 {
		t.Errorf("after the outage: %d, want the queued 502", got)
	}
	// Every endpoint, aimed at one request ID.
	srv.Outage("", time.Minute, simulator.Fault{RequestID: "OUT-1", DropBefore: true})
	if _, err := c.Do(c.request(pathPay, payReq("OUT-1", "100"))); err == nil {
		t.Error("the aimed outage did not drop OUT-1")
	}
	wantCode(t, c.post(pathPay, payReq("OUT-2", "100")), "ACCEPT")
	clk.Advance(time.Minute)
	wantCode(t, c.post(pathPay, payReq("OUT-1", "100")), "ACCEPT")
}

// A refused connection: Client's transport fails the dial, nothing reaches
// the server; a client of its own meets a dropped connection instead.
func TestFaultRefuse(t *testing.T) {
	srv, c, clk := toyFixture(t, nil)
	srv.Script(pathPay, simulator.Fault{Refuse: true}, simulator.Fault{RequestID: "REF-2", Refuse: true})
	_, err := c.Do(c.request(pathPay, payReq("REF-1", "100")))
	var oe *net.OpError
	if !errors.As(err, &oe) || oe.Op != "dial" || !errors.Is(err, syscall.ECONNREFUSED) {
		t.Fatalf("err = %v, want a refused dial", err)
	}
	if n := srv.RequestCount(); n != 0 || srv.Orders("REF-1") != 0 {
		t.Fatalf("a refused request reached the server: %d requests", n)
	}
	wantCode(t, c.post(pathPay, payReq("REF-1", "100")), "ACCEPT")
	// Aimed: the transport reads the request ID from a copy of the body.
	if _, err := c.Do(c.request(pathPay, payReq("REF-2", "100"))); !errors.Is(err, syscall.ECONNREFUSED) {
		t.Fatalf("REF-2: %v", err)
	}
	wantCode(t, c.post(pathPay, payReq("REF-2", "100")), "ACCEPT")

	// An outage of refusals.
	srv.Outage(pathInquiry, time.Minute, simulator.Fault{Refuse: true})
	for range 2 {
		if _, err := c.Do(c.request(pathInquiry, toyRequest{PaymentID: "1"})); !errors.Is(err, syscall.ECONNREFUSED) {
			t.Fatalf("during the outage: %v", err)
		}
	}
	clk.Advance(time.Minute)
	wantCode(t, c.post(pathInquiry, toyRequest{PaymentID: "1"}), "ORDER_NOT_EXIST")

	// A client of its own cannot be refused: the connection drops.
	srv.Script(pathPay, simulator.Fault{Refuse: true})
	c.HTTP = &http.Client{}
	if _, err := c.Do(c.request(pathPay, payReq("REF-3", "100"))); err == nil || errors.Is(err, syscall.ECONNREFUSED) {
		t.Fatalf("another client: %v, want a dropped connection", err)
	}
	if srv.Orders("REF-3") != 0 {
		t.Error("the dropped request changed state")
	}
}
