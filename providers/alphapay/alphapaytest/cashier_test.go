package alphapaytest

import (
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/paybridge/paybridge/providers/alphapay/internal/wire"
)

func getPage(t *testing.T, client *http.Client, u string) (int, string) {
	t.Helper()
	resp, err := client.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func postForm(t *testing.T, client *http.Client, u string) (int, string, *url.URL) {
	t.Helper()
	resp, err := client.PostForm(u, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b), resp.Request.URL
}

func TestCashierApprove(t *testing.T) {
	srv, c, _ := newFakeServer(t)
	r := qrPay("CASH-1")
	r.Order.Description = `<script>alert("x")</script> & tea`
	resp, _ := c.pay(r)
	id := resp.PaymentID
	cashier := srv.CashierURL(id)
	if cashier != resp.PaymentInfo.PayURL {
		t.Fatalf("CashierURL %q, payUrl %q", cashier, resp.PaymentInfo.PayURL)
	}
	status, page := getPage(t, c.http, cashier)
	if status != http.StatusOK {
		t.Fatalf("status %d", status)
	}
	for _, want := range []string{
		`id="status">PAYMENT_IN_PROCESS<`,
		`id="approve"`, `id="decline"`,
		`19.99 CAD`, srv.Credentials().MerchantCode,
		`&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; tea`,
		`src="data:image/png;base64,`,
		`action="/pay/` + id + `/approve"`,
	} {
		if !strings.Contains(page, want) {
			t.Errorf("page lacks %q", want)
		}
	}
	if strings.Contains(page, "<script>") {
		t.Errorf("description not escaped")
	}
	// The QR content URL serves the same page.
	if status, qrPage := getPage(t, c.http, resp.PaymentInfo.PaymentURL); status != 200 || !strings.Contains(qrPage, `id="approve"`) {
		t.Errorf("QR URL: %d", status)
	}

	status, page, final := postForm(t, c.http, srv.URL+"/pay/"+id+"/approve")
	if status != http.StatusOK || final.Path != "/pay/"+id {
		t.Fatalf("after approve: %d at %s", status, final)
	}
	if !strings.Contains(page, `id="status">SUCCESS<`) || strings.Contains(page, `id="approve"`) {
		t.Errorf("page after approve does not show SUCCESS without buttons")
	}
	if p, _ := srv.Payment(id); p.Status != wire.PaymentSuccess || srv.Charges("CASH-1") != 1 {
		t.Errorf("payment %+v", p)
	}
	// A second click cannot pay twice.
	status, page, _ = postForm(t, c.http, srv.URL+"/pay/"+id+"/approve")
	if status != http.StatusConflict || !strings.Contains(page, `id="status">SUCCESS<`) || srv.Charges("CASH-1") != 1 {
		t.Errorf("second approve: %d, charges %d", status, srv.Charges("CASH-1"))
	}
}

func TestCashierDecline(t *testing.T) {
	srv, c, _ := newFakeServer(t)
	resp, _ := c.pay(&wire.PayRequest{
		ScenarioCode: wire.ScenarioOnlineWeb, PaymentRequestID: "CASH-2",
		Order:         wire.Order{OrderAmount: wire.Amount{Value: "500", Currency: "CAD"}, Description: "Cake", RedirectURL: "https://shop.example/done"},
		PaymentMethod: method(wire.MethodAlipay),
	})
	_, page := getPage(t, c.http, resp.PaymentInfo.PayURL)
	if strings.Contains(page, `id="qr"`) {
		t.Errorf("a non-QR scenario shows a QR image")
	}
	if !strings.Contains(page, `href="https://shop.example/done"`) {
		t.Errorf("no link back to the merchant")
	}
	status, page, _ := postForm(t, c.http, srv.URL+"/pay/"+resp.PaymentID+"/decline")
	if status != http.StatusOK || !strings.Contains(page, `id="status">FAILED<`) {
		t.Errorf("after decline: %d", status)
	}
	if st := c.inquiry(resp.PaymentID); st.PaymentStatus != wire.PaymentFailed {
		t.Errorf("status %s", st.PaymentStatus)
	}
}

func TestCashierNotFound(t *testing.T) {
	srv, c, _ := newFakeServer(t)
	for _, p := range []string{"/pay/123", "/qr/123", "/pay/<b>"} {
		status, page := getPage(t, c.http, srv.URL+p)
		if status != http.StatusNotFound || !strings.Contains(page, "not found") {
			t.Errorf("%s: %d", p, status)
		}
	}
	status, _, _ := postForm(t, c.http, srv.URL+"/pay/123/approve")
	if status != http.StatusNotFound {
		t.Errorf("approve unknown: %d", status)
	}
	if srv.CashierURL("123") != "" {
		t.Errorf("CashierURL of an unknown payment")
	}
}
