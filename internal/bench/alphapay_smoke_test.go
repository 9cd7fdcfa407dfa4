package bench

import (
	"bytes"
	"context"
	"net/http"
	"testing"

	"github.com/paybridge/paybridge/payment"
	"github.com/paybridge/paybridge/providers/alphapay/alphapaytest"
)

// TestAlphaPaySmoke runs every benchmarked AlphaPay operation once, and
// checks that the baseline sends the adapter's request bytes, so that the
// comparison is fair.
func TestAlphaPaySmoke(t *testing.T) {
	t.Parallel()
	e := newAPEnv(t, simMode{})
	ctx := context.Background()
	c, hc, dials := e.client(t)
	defer closeIdle(hc)
	bl, bhc, bdials := e.baselineClient(t)
	defer closeIdle(bhc)

	id := nextRequestID("AP-SMOKE-")
	p, err := c.Pay(ctx, apRequest(id))
	if err != nil || p.Status != payment.StatusPending || p.Action == nil || p.Action.Kind != payment.ActionRedirect {
		t.Fatalf("paybridge pay: %+v, %v", p, err)
	}
	bp, err := bl.Pay(ctx, id+"-BL", apAmountValue.MinorString(), apAmountValue.Currency().Code(), apDescription, "Wechat", apRedirect)
	if err != nil || bp.PaymentID == "" || bp.PayURL == "" {
		t.Fatalf("baseline pay: %+v, %v", bp, err)
	}
	reqs := e.srv.Requests(alphapaytest.PathPay)
	pbBody, blBody := reqs[len(reqs)-2].Body, reqs[len(reqs)-1].Body
	if want := bytes.Replace(pbBody, []byte(id), []byte(id+"-BL"), 1); !bytes.Equal(blBody, want) {
		t.Errorf("the baseline's pay body differs from the adapter's:\n%s\n%s", blBody, pbBody)
	}

	q, err := c.Inquire(ctx, payment.Ref{PaymentID: e.paid})
	if err != nil || q.Status != payment.StatusSucceeded || !q.Amount.Equal(apAmountValue) {
		t.Fatalf("paybridge inquire: %+v, %v", q, err)
	}
	bq, err := bl.Inquire(ctx, e.paid)
	if err != nil || bq.Status != "SUCCESS" {
		t.Fatalf("baseline inquire: %+v, %v", bq, err)
	}
	reqs = e.srv.Requests(alphapaytest.PathInquiry)
	if a, b := reqs[len(reqs)-2].Body, reqs[len(reqs)-1].Body; !bytes.Equal(a, b) {
		t.Errorf("the baseline's inquiry body differs from the adapter's:\n%s\n%s", b, a)
	}
	if dials.Load() != 1 || bdials.Load() != 1 {
		t.Errorf("dials: paybridge %d, baseline %d; want 1 each", dials.Load(), bdials.Load())
	}
	if len(e.reqMsg) == 0 || len(e.ansMsg) == 0 {
		t.Error("no exchange captured for the crypto floor")
	}

	ns := e.notifySet(t)
	if err := ns.verify(); err != nil {
		t.Fatal(err)
	}
	smokeNotify(t, ns)
}

// smokeNotify delivers the notification once (acknowledged, delivered)
// and again (acknowledged, not delivered).
func smokeNotify(t *testing.T, ns notifySet) {
	t.Helper()
	var got []payment.Event
	h := newNotifyHandler(t, ns, func(_ context.Context, ev payment.Event) error { got = append(got, ev); return nil })
	rp := newReplayable(t, ns.req)
	for i := range 2 {
		w := &discardWriter{h: http.Header{}}
		h.ServeHTTP(w, rp.next())
		if w.status != http.StatusOK || w.n == 0 {
			t.Fatalf("notification %d: status %d, %d bytes", i, w.status, w.n)
		}
	}
	if len(got) != 1 || got[0].Payment == nil || got[0].Payment.Status != payment.StatusSucceeded {
		t.Fatalf("deliveries: %+v", got)
	}
	w := &discardWriter{h: http.Header{}}
	ns.baseline.ServeHTTP(w, rp.next())
	if w.status != http.StatusOK || w.n == 0 {
		t.Fatalf("baseline handler: status %d, %d bytes", w.status, w.n)
	}
}
