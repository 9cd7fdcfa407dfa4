package simulator_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/paybridge/paybridge/internal/simtest"
)

func TestCashierApprove(t *testing.T) {
	srv, c, _ := toyFixture(t, nil)
	req := payReq("CASH-1", "1999")
	req.Description = `<script>alert("x")</script> & tea`
	id := c.post(pathPay, req).Result.PaymentID
	cashier := srv.CashierURL(id)
	if cashier != srv.URL+"/pay/"+id {
		t.Fatalf("CashierURL %q", cashier)
	}
	status, page := simtest.GetPage(t, c.HTTP, cashier)
	if status != http.StatusOK {
		t.Fatalf("status %d", status)
	}
	for _, want := range []string{
		`<title>Toy cashier</title>`, `<h1>Toy cashier</h1>`,
		`<dt>Status</dt><dd id="status">pending</dd>`, `<dt>Toy status</dt><dd id="provider-status">TOY_pending</dd>`,
		`id="notification">none: the payment has no notify URL<`,
		`id="approve"`, `id="decline"`, `id="amount">19.99 USD<`, `id="payment-id">` + id + `<`,
		`&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; tea`,
		`action="/pay/` + id + `/approve"`,
	} {
		if !strings.Contains(page, want) {
			t.Errorf("page lacks %q", want)
		}
	}
	if strings.Contains(page, "<script>") || strings.Contains(page, `http-equiv="refresh"`) || strings.Contains(page, `id="return"`) {
		t.Errorf("description not escaped, or a refresh or return link without reason:\n%s", page)
	}
	// Every page prefix serves the page.
	if status, qrPage := simtest.GetPage(t, c.HTTP, srv.URL+"/qr/"+id); status != 200 || !strings.Contains(qrPage, `id="approve"`) {
		t.Errorf("/qr/: %d", status)
	}

	status, page, final := simtest.PostForm(t, c.HTTP, srv.URL+"/qr/"+id+"/approve")
	if status != http.StatusOK || final.Path != "/pay/"+id {
		t.Fatalf("after approve: %d at %s", status, final)
	}
	if !strings.Contains(page, `id="status">succeeded<`) || !strings.Contains(page, `id="provider-status">TOY_succeeded<`) ||
		strings.Contains(page, `id="approve"`) {
		t.Errorf("page after approve does not show succeeded without buttons:\n%s", page)
	}
	if srv.Charges("CASH-1") != 1 {
		t.Errorf("charges %d", srv.Charges("CASH-1"))
	}
	// A second click cannot pay twice.
	status, page, _ = simtest.PostForm(t, c.HTTP, srv.URL+"/pay/"+id+"/approve")
	if status != http.StatusConflict || !strings.Contains(page, `id="note">This payment can no longer be approved or declined.<`) || srv.Charges("CASH-1") != 1 {
		t.Errorf("second approve: %d, charges %d", status, srv.Charges("CASH-1"))
	}
}

func TestCashierDeclineAndReturn(t *testing.T) {
	srv, c, _ := toyFixture(t, nil)
	req := payReq("CASH-2", "500")
	req.RedirectURL = "https://shop.example/done"
	id := c.post(pathPay, req).Result.PaymentID
	_, page := simtest.GetPage(t, c.HTTP, srv.CashierURL(id))
	if !strings.Contains(page, `<a id="return" href="https://shop.example/done">`) {
		t.Errorf("no link back to the merchant:\n%s", page)
	}
	// ?redirect= overrides the link, if it is an absolute http(s) URL, and
	// the actions keep it.
	_, page = simtest.GetPage(t, c.HTTP, srv.CashierURL(id)+"?redirect="+url.QueryEscape("https://other.example/back"))
	if !strings.Contains(page, `href="https://other.example/back"`) || !strings.Contains(page, `/decline?redirect=https%3A%2F%2Fother.example%2Fback"`) {
		t.Errorf("redirect parameter not used:\n%s", page)
	}
	_, page = simtest.GetPage(t, c.HTTP, srv.CashierURL(id)+"?redirect=javascript:alert(1)")
	if strings.Contains(page, `href="javascript`) || !strings.Contains(page, `href="https://shop.example/done"`) {
		t.Errorf("a javascript: URL is linked")
	}
	status, page, final := simtest.PostForm(t, c.HTTP, srv.URL+"/pay/"+id+"/decline?redirect="+url.QueryEscape("https://other.example/back"))
	if status != http.StatusOK || !strings.Contains(page, `id="status">failed<`) || final.RawQuery != "redirect=https%3A%2F%2Fother.example%2Fback" {
		t.Errorf("after decline: %d at %s", status, final)
	}
	if p, _ := srv.ledger.Payment(id); p.FailReason != "declined" {
		t.Errorf("fail reason %q", p.FailReason)
	}
}

func TestCashierNotFound(t *testing.T) {
	srv, c, _ := toyFixture(t, nil)
	for _, p := range []string{"/pay/123", "/qr/123", "/pay/<b>", "/other/1", "/pay/"} {
		status, page := simtest.GetPage(t, c.HTTP, srv.URL+p)
		if status != http.StatusNotFound || !strings.Contains(strings.ToLower(page), "not found") {
			t.Errorf("%s: %d", p, status)
		}
	}
	for _, p := range []string{"/pay/123/approve", "/pay/123/decline"} {
		if status, _, _ := simtest.PostForm(t, c.HTTP, srv.URL+p); status != http.StatusNotFound {
			t.Errorf("POST %s: %d", p, status)
		}
	}
	if status, _, _ := simtest.PostForm(t, c.HTTP, srv.URL+"/pay/123"); status != http.StatusNotFound {
		t.Errorf("POST to the page: %d", status)
	}
	if srv.CashierURL("123") != "" {
		t.Errorf("CashierURL of an unknown payment")
	}
	// Unpaid payments that expired show their status without buttons.
	id := c.pay("CASH-3")
	_ = srv.Expire(id)
	_, page := simtest.GetPage(t, c.HTTP, srv.CashierURL(id))
	if !strings.Contains(page, `id="status">cancelled<`) || strings.Contains(page, `id="approve"`) {
		t.Errorf("cancelled payment page")
	}
}

// The page says what became of the notification: due, being sent (the page
// reloads itself), acknowledged, or refused and when the provider tries
// again.
func TestCashierShowsTheNotification(t *testing.T) {
	srv, c, clk := toyFixture(t, nil)
	rc := newReceiver(t, srv)
	req := payReq("CASH-N", "100")
	req.NotifyURL = rc.Server.URL + "/notify"
	id := c.post(pathPay, req).Result.PaymentID
	page := func() string {
		t.Helper()
		_, p := simtest.GetPage(t, c.HTTP, srv.CashierURL(id))
		return p
	}
	if want := `id="notification">none yet: sent to ` + req.NotifyURL + ` when the payment succeeds<`; !strings.Contains(page(), want) {
		t.Errorf("pending page lacks %q", want)
	}
	if err := srv.Complete(id); err != nil {
		t.Fatal(err)
	}
	ctx := simtest.Context(t)
	if err := srv.AwaitDeliveries(ctx, 1); err != nil {
		t.Fatal(err)
	}
	clk.BlockUntilWaiters(1) // both tries at once made; the page shows the last
	p := page()
	if want := `not acknowledged: HTTP status 500 (attempt 2); Toy tries again every 30 minutes until 2 hours after the first attempt`; !strings.Contains(p, want) || strings.Contains(p, `http-equiv="refresh"`) {
		t.Errorf("page after refused notifications lacks %q:\n%s", want, p)
	}
	rc.Ack(ack)
	clk.Advance(30 * time.Minute)
	if err := srv.AwaitDeliveries(ctx, 3); err != nil {
		t.Fatal(err)
	}
	if want := `sent to ` + req.NotifyURL + `, acknowledged (attempt 3)`; !strings.Contains(page(), want) {
		t.Errorf("page after an acknowledged notification lacks %q", want)
	}
	// A declined payment is not notified.
	id = c.post(pathPay, req.with("CASH-N2")).Result.PaymentID
	_, p, _ = simtest.PostForm(t, c.HTTP, srv.URL+"/pay/"+id+"/decline")
	if !strings.Contains(p, "none: Toy notifies successful payments only") {
		t.Errorf("declined page:\n%s", p)
	}
}

// with returns the request under another payment request ID.
func (r toyRequest) with(id string) toyRequest {
	r.PaymentRequestID = id
	return r
}
