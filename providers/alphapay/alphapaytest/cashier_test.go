package alphapaytest

import (
	"net/http"
	"strings"
	"testing"

	"github.com/paybridge/paybridge/internal/simtest"
	"github.com/paybridge/paybridge/providers/alphapay/internal/wire"
)

// The cashier page in AlphaPay's terms (the kit's TestCashierApprove tests
// the page's escaping and that a second click cannot pay twice).
func TestCashierApprove(t *testing.T) {
	srv, c, _ := newFakeServer(t)
	resp, _ := c.pay(qrPay("CASH-1"))
	id := resp.PaymentID
	cashier := srv.CashierURL(id)
	if cashier != resp.PaymentInfo.PayURL {
		t.Fatalf("CashierURL %q, payUrl %q", cashier, resp.PaymentInfo.PayURL)
	}
	status, page := simtest.GetPage(t, c.HTTP, cashier)
	if status != http.StatusOK {
		t.Fatalf("status %d", status)
	}
	simtest.WantContains(t, "page", page, `id="status">pending<`, `id="provider-status">PAYMENT_IN_PROCESS<`,
		`id="notification">none: the payment has no notify URL<`, `id="approve"`, `id="decline"`,
		`19.99 CAD`, srv.Credentials().MerchantCode, `src="data:image/png;base64,`, `action="/pay/`+id+`/approve"`)
	// The QR content URL serves the same page.
	if status, qrPage := simtest.GetPage(t, c.HTTP, resp.PaymentInfo.PaymentURL); status != 200 || !strings.Contains(qrPage, `id="approve"`) {
		t.Errorf("QR URL: %d", status)
	}

	status, page, final := simtest.PostForm(t, c.HTTP, srv.URL+"/pay/"+id+"/approve")
	if status != http.StatusOK || final.Path != "/pay/"+id {
		t.Fatalf("after approve: %d at %s", status, final)
	}
	if !strings.Contains(page, `id="status">succeeded<`) || !strings.Contains(page, `id="provider-status">SUCCESS<`) ||
		strings.Contains(page, `id="approve"`) || strings.Contains(page, `id="qr"`) {
		t.Errorf("page after approve does not show succeeded without buttons and QR code:\n%s", page)
	}
	if p, _ := srv.Payment(id); p.Status != wire.PaymentSuccess || srv.Charges("CASH-1") != 1 {
		t.Errorf("payment %+v", p)
	}
}

func TestCashierDecline(t *testing.T) {
	srv, c, _ := newFakeServer(t)
	resp, _ := c.pay(&wire.PayRequest{
		ScenarioCode: wire.ScenarioOnlineWeb, PaymentRequestID: "CASH-2",
		Order:         wire.Order{OrderAmount: wire.Amount{Value: "500", Currency: "CAD"}, Description: "Cake", RedirectURL: "https://shop.example/done"},
		PaymentMethod: method(wire.MethodAlipay),
	})
	_, page := simtest.GetPage(t, c.HTTP, resp.PaymentInfo.PayURL)
	if strings.Contains(page, `id="qr"`) {
		t.Errorf("a non-QR scenario shows a QR image")
	}
	if !strings.Contains(page, `href="https://shop.example/done"`) {
		t.Errorf("no link back to the merchant")
	}
	status, page, _ := simtest.PostForm(t, c.HTTP, srv.URL+"/pay/"+resp.PaymentID+"/decline")
	if status != http.StatusOK || !strings.Contains(page, `id="status">failed<`) || !strings.Contains(page, `id="provider-status">FAILED<`) {
		t.Errorf("after decline: %d", status)
	}
	if st := c.inquiry(resp.PaymentID); st.PaymentStatus != wire.PaymentFailed {
		t.Errorf("status %s", st.PaymentStatus)
	}
}

// The page says what became of the notification: due, being sent (the page
// reloads itself), acknowledged, or refused and when AlphaPay tries again.
func TestCashierShowsTheNotification(t *testing.T) {
	srv, c, _ := newFakeServer(t)
	rc := newReceiver(t, srv.Credentials())
	r := qrPay("CASH-NOTIFY")
	r.Order.NotifyURL = rc.Server.URL + "/notify"
	resp, _ := c.pay(r)
	id := resp.PaymentID

	_, page := simtest.GetPage(t, c.HTTP, srv.CashierURL(id))
	if !strings.Contains(page, `id="notification">none yet: sent to `+r.Order.NotifyURL+` when the payment succeeds<`) {
		t.Errorf("pending page:\n%s", page)
	}
	// The receiver refuses: three attempts at once, then every 30 minutes.
	if status, _, _ := simtest.PostForm(t, c.HTTP, srv.URL+"/qr/"+id+"/approve"); status != http.StatusOK {
		t.Fatalf("approve under the QR code's URL: %d", status)
	}
	ctx := simtest.Context(t)
	if err := srv.AwaitDeliveries(ctx, paymentTries); err != nil {
		t.Fatal(err)
	}
	_, page = simtest.GetPage(t, c.HTTP, srv.CashierURL(id))
	want := `not acknowledged: HTTP status 500 (attempt 3); AlphaPay tries again every 30 minutes until 24 hours after the first attempt`
	if !strings.Contains(page, want) || strings.Contains(page, `http-equiv="refresh"`) {
		t.Errorf("page after refused notifications lacks %q:\n%s", want, page)
	}

	rc.ack()
	r2 := qrPay("CASH-NOTIFY-2")
	r2.Order.NotifyURL = r.Order.NotifyURL
	resp2, _ := c.pay(r2)
	if err := srv.Complete(resp2.PaymentID); err != nil {
		t.Fatal(err)
	}
	if err := srv.AwaitDeliveries(ctx, paymentTries+1); err != nil {
		t.Fatal(err)
	}
	_, page = simtest.GetPage(t, c.HTTP, srv.CashierURL(resp2.PaymentID))
	if want := `sent to ` + r.Order.NotifyURL + `, acknowledged (attempt 1)`; !strings.Contains(page, want) {
		t.Errorf("page after an acknowledged notification lacks %q:\n%s", want, page)
	}

	// A declined payment is not notified.
	resp3, _ := c.pay(func() *wire.PayRequest { r := qrPay("CASH-NOTIFY-3"); r.Order.NotifyURL = rc.Server.URL; return r }())
	_, page, _ = simtest.PostForm(t, c.HTTP, srv.URL+"/pay/"+resp3.PaymentID+"/decline")
	if !strings.Contains(page, "none: AlphaPay notifies successful payments only") {
		t.Errorf("declined page:\n%s", page)
	}
}
