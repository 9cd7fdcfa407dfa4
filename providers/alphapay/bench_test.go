package alphapay_test

import (
	"context"
	"crypto/rsa"
	"fmt"
	"net/http"
	"testing"

	"github.com/paybridge/paybridge/payment"
	"github.com/paybridge/paybridge/providers/alphapay"
	"github.com/paybridge/paybridge/providers/alphapay/alphapaytest"
	"github.com/paybridge/paybridge/signing"
)

// BenchmarkPay is one signed pay against the simulator on loopback: request
// signing, the simulator's verification and signing, the answer's
// verification, JSON both ways, HTTP. Compare it with BenchmarkCryptoFloor,
// the four RSA operations alone: the difference is everything paybridge and
// the simulator add.
func BenchmarkPay(b *testing.B) {
	srv := alphapaytest.NewServer()
	defer srv.Close()
	c := newClient(b, srv, func(cfg *alphapay.Config) { cfg.HTTPClient = &http.Client{Transport: srv.Client().Transport} })
	ctx := context.Background()
	req := request(payment.ScenarioQRCode)
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		r := *req
		r.PaymentRequestID = fmt.Sprintf("BENCH-%d", i)
		i++
		if _, err := c.Pay(ctx, &r); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkSign is one RSA-2048 signature: the floor of signing a request.
func BenchmarkSign(b *testing.B) {
	key, msg := benchKey(b)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := signing.Sign(key, msg); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkCryptoFloor is the cryptography a whole pay exchange needs done
// alone: the request signed and verified, the answer signed and verified.
func BenchmarkCryptoFloor(b *testing.B) {
	key, msg := benchKey(b)
	b.ReportAllocs()
	for b.Loop() {
		for range 2 {
			sig, err := signing.Sign(key, msg)
			if err != nil {
				b.Fatal(err)
			}
			if err := signing.Verify(&key.PublicKey, msg, sig); err != nil {
				b.Fatal(err)
			}
		}
	}
}

func benchKey(b *testing.B) (*rsa.PrivateKey, []byte) {
	b.Helper()
	srv := alphapaytest.NewServer()
	defer srv.Close()
	key, err := signing.ParsePrivateKey(srv.Credentials().MerchantPrivateKey)
	if err != nil {
		b.Fatal(err)
	}
	body := []byte(`{"scenarioCode":"ONLINE_QRCODE","paymentRequestId":"ORDER-1","order":{"orderAmount":{"value":"1999","currency":"CAD"},"description":"Green tea x2"},"paymentMethod":{"paymentMethodType":"Wechat"}}`)
	return key, signing.Message("POST", "/api/v2.0/payments/pay", body, "PFA9QX", "2026-11-22T10:15:30-08:00", "b111bcf0dfb54d4e8bae68c293d85e2e")
}
