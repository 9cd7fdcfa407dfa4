package alipayplustest_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/paybridge/paybridge/providers/alipayplus/alipayplustest"
	"github.com/paybridge/paybridge/signing"
)

// Example starts a simulated Alipay+ wallet and creates a cashier payment
// with a request signed as the Alipay+ v1 protocol says (normally the
// adapter does this): RSA-SHA256 over "POST <prefix><path>\n<Client-Id>.<time>.<body>".
// The answer sends the customer to the wallet's cashier page, where the
// test plays the customer who pays.
func Example() {
	srv := alipayplustest.NewServer()
	defer srv.Close()
	creds := srv.Credentials()
	key, _ := signing.ParsePrivateKey(creds.MerchantPrivateKey)

	uri := creds.Prefix + "/v1/payments/pay"
	body := `{"productCode":"51051000101000000011","paymentRequestId":"ORDER-1",` +
		`"paymentAmount":{"currency":"IQD","value":"150000"},` +
		`"order":{"referenceOrderId":"ORDER-1","orderDescription":"Coffee"}}`
	now := time.Now().Format("2006-01-02T15:04:05.000-07:00")
	sig, _ := signing.Sign(key, signing.Message("POST", uri, []byte(body), creds.ClientID, now))
	req, _ := http.NewRequest("POST", creds.BaseURL+uri, strings.NewReader(body))
	req.Header = http.Header{"Content-Type": {"application/json; charset=UTF-8"},
		"Client-Id": {creds.ClientID}, "Request-Time": {now},
		"Signature": {signing.Header{Algorithm: "RSA256", KeyVersion: creds.KeyVersion, Signature: sig}.Format(true)}}
	resp, err := srv.Client().Do(req)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer resp.Body.Close()
	var pay struct {
		Result             struct{ ResultStatus, ResultCode string }
		PaymentID          string
		RedirectActionForm struct{ RedirectionURL string }
	}
	_ = json.NewDecoder(resp.Body).Decode(&pay)
	fmt.Println("pay:", pay.Result.ResultStatus, pay.Result.ResultCode)
	fmt.Println("to the cashier:", pay.RedirectActionForm.RedirectionURL == srv.CashierURL(pay.PaymentID))

	_ = srv.Complete(pay.PaymentID) // the customer pays at the cashier page
	p, _ := srv.Payment(pay.PaymentID)
	fmt.Println("payment:", p.Status, p.Amount)
	// Output:
	// pay: S SUCCESS
	// to the cashier: true
	// payment: SUCCESS 150.000 IQD
}
