package alipayplustest

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/paybridge/paybridge/internal/simtest"
	"github.com/paybridge/paybridge/providers/alipayplus/internal/wire"
)

// The cashier page in the wallet's terms (the kit's TestCashierApprove
// tests the page's escaping and that a second click cannot pay twice).
func TestCashierApprove(t *testing.T) {
	srv, c, _ := newFakeServer(t)
	r := cashierPay("CASH-1")
	r.PaymentAmount = wire.Amount{Currency: "IQD", Value: "150000"}
	r.Order.OrderAmount = nil
	resp, _ := c.pay(r)
	id := resp.PaymentID
	status, page := simtest.GetPage(t, c.HTTP, resp.RedirectActionForm.URL())
	if status != http.StatusOK {
		t.Fatalf("status %d", status)
	}
	simtest.WantContains(t, "page", page, `id="status">pending<`, `id="provider-status">PROCESSING<`,
		`id="notification">none: the payment has no notify URL<`, `id="approve"`, `id="decline"`,
		`150.000 IQD`, `action="/cashier/`+id+`/approve"`, `action="/cashier/`+id+`/decline"`)

	status, page, final := simtest.PostForm(t, c.HTTP, srv.URL+"/cashier/"+id+"/approve")
	if status != http.StatusOK || final.Path != "/cashier/"+id {
		t.Fatalf("after approve: %d at %s", status, final)
	}
	if !strings.Contains(page, `id="status">succeeded<`) || !strings.Contains(page, `id="provider-status">SUCCESS<`) || strings.Contains(page, `id="approve"`) {
		t.Errorf("page after approve does not show succeeded without buttons:\n%s", page)
	}
	if c.status(id) != wire.PaymentSuccess || srv.Charges("CASH-1") != 1 {
		t.Errorf("not paid once")
	}
}

func TestCashierDeclineWithRedirect(t *testing.T) {
	srv, c, _ := newFakeServer(t)
	r := cashierPay("CASH-2")
	r.PaymentRedirectURL = "https://shop.example/done?order=2"
	resp, _ := c.pay(r)
	id := resp.PaymentID
	_, page := simtest.GetPage(t, c.HTTP, resp.RedirectActionForm.URL())
	if !strings.Contains(page, `href="https://shop.example/done?order=2"`) {
		t.Errorf("no link back to the merchant:\n%s", page)
	}
	if !strings.Contains(page, `action="/cashier/`+id+`/decline?redirect=`) {
		t.Errorf("the actions lose the redirect")
	}
	status, page, final := simtest.PostForm(t, c.HTTP, srv.URL+"/cashier/"+id+"/decline?redirect="+url.QueryEscape(r.PaymentRedirectURL))
	if status != http.StatusOK || final.Path != "/cashier/"+id || final.Query().Get("redirect") != r.PaymentRedirectURL {
		t.Fatalf("after decline: %d at %s", status, final)
	}
	if !strings.Contains(page, `id="status">failed<`) || !strings.Contains(page, `id="return"`) {
		t.Errorf("page after decline")
	}
	if c.status(id) != wire.PaymentFail {
		t.Errorf("status %s", c.status(id))
	}
	// A hostile redirect parameter is not linked.
	_, page = simtest.GetPage(t, c.HTTP, srv.URL+"/cashier/"+id+"?redirect="+url.QueryEscape("javascript:alert(1)"))
	if strings.Contains(page, "javascript") {
		t.Errorf("page links a javascript: URL")
	}
}

// The page says what became of the notification: due, refused and when the
// wallet tries again, acknowledged.
func TestCashierShowsTheNotification(t *testing.T) {
	srv, c, _ := newFakeServer(t)
	rc := newReceiver(t, srv.Credentials())
	r := cashierPay("CASH-NOTIFY")
	r.PaymentNotifyURL = rc.Server.URL + "/n"
	resp, _ := c.pay(r)
	id := resp.PaymentID
	_, page := simtest.GetPage(t, c.HTTP, srv.CashierURL(id))
	if want := `id="notification">none yet: sent to ` + r.PaymentNotifyURL + ` when the payment succeeds or fails<`; !strings.Contains(page, want) {
		t.Errorf("pending page lacks %q:\n%s", want, page)
	}
	if err := srv.Complete(id); err != nil {
		t.Fatal(err)
	}
	ctx := simtest.Context(t)
	if err := srv.AwaitDeliveries(ctx, 1); err != nil {
		t.Fatal(err)
	}
	_, page = simtest.GetPage(t, c.HTTP, srv.CashierURL(id))
	if want := `not acknowledged: HTTP status 500 (attempt 1 of 8); the wallet tries again in 2 minutes`; !strings.Contains(page, want) {
		t.Errorf("page after a refused notification lacks %q:\n%s", want, page)
	}

	rc.ack()
	r2 := cashierPay("CASH-NOTIFY-2")
	r2.PaymentNotifyURL = r.PaymentNotifyURL
	resp2, _ := c.pay(r2)
	if err := srv.Decline(resp2.PaymentID); err != nil {
		t.Fatal(err)
	}
	if err := srv.AwaitDeliveries(ctx, 2); err != nil {
		t.Fatal(err)
	}
	_, page = simtest.GetPage(t, c.HTTP, srv.CashierURL(resp2.PaymentID))
	if want := `sent to ` + r.PaymentNotifyURL + `, acknowledged (attempt 1)`; !strings.Contains(page, want) || !strings.Contains(page, `id="status">failed<`) {
		t.Errorf("declined page lacks %q:\n%s", want, page)
	}
}
