package alipayplustest_test

import (
	"bytes"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"net/http"
	"net/url"
	"time"

	"github.com/paybridge/paybridge/providers/alipayplus/alipayplustest"
)

// Example starts a simulated Alipay+ wallet, creates a cashier payment with
// a request signed as the Alipay+ v1 protocol says (normally the adapter
// does this), and plays the customer who pays at the cashier.
func Example() {
	srv := alipayplustest.NewServer()
	defer srv.Close()
	creds := srv.Credentials()

	body := []byte(`{"productCode":"51051000101000000011","paymentRequestId":"ORDER-1",` +
		`"paymentAmount":{"currency":"IQD","value":"150000"},` +
		`"order":{"referenceOrderId":"ORDER-1","orderDescription":"Coffee"}}`)
	answer, err := post(srv.Client(), creds, "/v1/payments/pay", body)
	if err != nil {
		fmt.Println(err)
		return
	}
	var pay struct {
		Result struct {
			ResultCode   string `json:"resultCode"`
			ResultStatus string `json:"resultStatus"`
		} `json:"result"`
		PaymentID          string `json:"paymentId"`
		RedirectActionForm struct {
			RedirectionURL string `json:"redirectionUrl"`
		} `json:"redirectActionForm"`
	}
	if err := json.Unmarshal(answer, &pay); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("pay:", pay.Result.ResultStatus, pay.Result.ResultCode)
	fmt.Println("cashier:", pay.RedirectActionForm.RedirectionURL == srv.CashierURL(pay.PaymentID))

	// The customer pays at the cashier page.
	if err := srv.Complete(pay.PaymentID); err != nil {
		fmt.Println(err)
		return
	}
	p, _ := srv.Payment(pay.PaymentID)
	fmt.Println("payment:", p.Status, p.Amount)
	fmt.Println("charges:", srv.Charges("ORDER-1"))
	// Output:
	// pay: S SUCCESS
	// cashier: true
	// payment: SUCCESS 150.000 IQD
	// charges: 1
}

// post signs body with the merchant's key and sends it: RSA-SHA256 over
// "POST <prefix><path>\n<Client-Id>.<Request-Time>.<body>", base64,
// URL-encoded.
func post(client *http.Client, creds alipayplustest.Credentials, path string, body []byte) ([]byte, error) {
	block, _ := pem.Decode([]byte(creds.MerchantPrivateKey))
	if block == nil {
		return nil, fmt.Errorf("no PEM key")
	}
	k, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		return nil, err
	}
	key := k.(*rsa.PrivateKey)
	uri := creds.Prefix + path
	requestTime := time.Now().Format("2006-01-02T15:04:05.000-07:00")
	msg := "POST " + uri + "\n" + creds.ClientID + "." + requestTime + "." + string(body)
	digest := sha256.Sum256([]byte(msg))
	sig, err := rsa.SignPKCS1v15(rand.Reader, key, crypto.SHA256, digest[:])
	if err != nil {
		return nil, err
	}
	req, err := http.NewRequest(http.MethodPost, creds.BaseURL+uri, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/json; charset=UTF-8")
	req.Header.Set("Client-Id", creds.ClientID)
	req.Header.Set("Request-Time", requestTime)
	req.Header.Set("Signature", "algorithm=RSA256,keyVersion="+creds.KeyVersion+
		",signature="+url.QueryEscape(base64.StdEncoding.EncodeToString(sig)))
	resp, err := client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	var buf bytes.Buffer
	_, err = buf.ReadFrom(resp.Body)
	return buf.Bytes(), err
}
