package alphapaytest_test

import (
	"bytes"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"net/http"
	"net/url"
	"time"

	"github.com/paybridge/paybridge/providers/alphapay/alphapaytest"
)

// Example starts a simulated AlphaPay, creates a QR code payment with a
// request signed as the AlphaPay v2 protocol says (normally the adapter
// does this), and plays the customer who pays.
func Example() {
	srv := alphapaytest.NewServer()
	defer srv.Close()
	creds := srv.Credentials()

	body := []byte(`{"scenarioCode":"ONLINE_QRCODE","paymentRequestId":"ORDER-1",` +
		`"order":{"orderAmount":{"value":"1999","currency":"CAD"},"description":"Coffee"},` +
		`"paymentMethod":{"paymentMethodType":"Alipay"}}`)
	answer, err := post(srv.Client(), creds, "/api/v2.0/payments/pay", body)
	if err != nil {
		fmt.Println(err)
		return
	}
	var pay struct {
		PaymentID string `json:"paymentId"`
		Result    struct {
			ResultCode string `json:"resultCode"`
		} `json:"result"`
	}
	if err := json.Unmarshal(answer, &pay); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("pay:", pay.Result.ResultCode)

	// The customer scans the QR code and pays.
	if err := srv.Complete(pay.PaymentID); err != nil {
		fmt.Println(err)
		return
	}
	p, _ := srv.Payment(pay.PaymentID)
	fmt.Println("payment:", p.Status, p.Amount)
	fmt.Println("charges:", srv.Charges("ORDER-1"))
	// Output:
	// pay: PAYMENT_IN_PROCESS
	// payment: SUCCESS 19.99 CAD
	// charges: 1
}

// post signs body with the merchant's key and sends it: RSA-SHA256 over
// "POST <path>\n<merchant>.<time>.<nonce>.<body>", base64, URL-encoded.
func post(client *http.Client, creds alphapaytest.Credentials, path string, body []byte) ([]byte, error) {
	block, _ := pem.Decode([]byte(creds.MerchantPrivateKey))
	if block == nil {
		return nil, fmt.Errorf("no PEM key")
	}
	k, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		return nil, err
	}
	key := k.(*rsa.PrivateKey)
	requestTime := time.Now().Format("2006-01-02T15:04:05-07:00")
	var n [16]byte
	_, _ = rand.Read(n[:])
	nonce := hex.EncodeToString(n[:])
	msg := "POST " + path + "\n" + creds.MerchantCode + "." + requestTime + "." + nonce + "." + string(body)
	digest := sha256.Sum256([]byte(msg))
	sig, err := rsa.SignPKCS1v15(rand.Reader, key, crypto.SHA256, digest[:])
	if err != nil {
		return nil, err
	}
	req, err := http.NewRequest(http.MethodPost, creds.BaseURL+path, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/json; charset=UTF-8")
	req.Header.Set("Merchant-Code", creds.MerchantCode)
	req.Header.Set("Request-Time", requestTime)
	req.Header.Set("Nonce", nonce)
	req.Header.Set("Signature", "algorithm=RS256,keyVersion=1,signature="+url.QueryEscape(base64.StdEncoding.EncodeToString(sig)))
	resp, err := client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	var buf bytes.Buffer
	_, err = buf.ReadFrom(resp.Body)
	return buf.Bytes(), err
}
