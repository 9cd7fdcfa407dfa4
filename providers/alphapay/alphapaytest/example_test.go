package alphapaytest_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/paybridge/paybridge/providers/alphapay/alphapaytest"
	"github.com/paybridge/paybridge/signing"
)

// Example starts a simulated AlphaPay and creates a QR code payment with a
// request signed as the AlphaPay v2 protocol says (normally the adapter
// does this): RSA-SHA256 over "POST <path>\n<merchant>.<time>.<nonce>.<body>".
// The test then plays the customer who scans the code and pays.
func Example() {
	srv := alphapaytest.NewServer()
	defer srv.Close()
	creds := srv.Credentials()
	key, _ := signing.ParsePrivateKey(creds.MerchantPrivateKey)

	path := "/api/v2.0/payments/pay"
	body := `{"scenarioCode":"ONLINE_QRCODE","paymentRequestId":"ORDER-1",` +
		`"order":{"orderAmount":{"value":"1999","currency":"CAD"},"description":"Coffee"},` +
		`"paymentMethod":{"paymentMethodType":"Alipay"}}`
	now, nonce := time.Now().Format("2006-01-02T15:04:05-07:00"), "8f0e5b8c3a9d4e7f9a1b2c3d4e5f6a7b"
	sig, _ := signing.Sign(key, signing.Message("POST", path, []byte(body), creds.MerchantCode, now, nonce))
	req, _ := http.NewRequest("POST", creds.BaseURL+path, strings.NewReader(body))
	req.Header = http.Header{"Content-Type": {"application/json; charset=UTF-8"},
		"Merchant-Code": {creds.MerchantCode}, "Request-Time": {now}, "Nonce": {nonce},
		"Signature": {signing.Header{Algorithm: "RS256", KeyVersion: "1", Signature: sig}.Format(true)}}
	resp, err := srv.Client().Do(req)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer resp.Body.Close()
	var pay struct {
		PaymentID string
		Result    struct{ ResultCode string }
	}
	_ = json.NewDecoder(resp.Body).Decode(&pay)
	fmt.Println("pay:", pay.Result.ResultCode)

	_ = srv.Complete(pay.PaymentID) // the customer scans the QR code and pays
	p, _ := srv.Payment(pay.PaymentID)
	fmt.Println("payment:", p.Status, p.Amount, "charged", srv.Charges("ORDER-1"), "time(s)")
	// Output:
	// pay: PAYMENT_IN_PROCESS
	// payment: SUCCESS 19.99 CAD charged 1 time(s)
}
