package alipayplus_test

import (
	"context"
	"crypto/rsa"
	"fmt"
	"net/http"
	"testing"

	"github.com/paybridge/paybridge/payment"
	"github.com/paybridge/paybridge/payment/driver"
	"github.com/paybridge/paybridge/providers/alipayplus"
	"github.com/paybridge/paybridge/providers/alipayplus/alipayplustest"
	"github.com/paybridge/paybridge/signing"
)

// BenchmarkPay is one signed cashier pay against the simulated wallet on
// loopback: request signing, the simulator's verification and signing, the
// answer's verification, JSON both ways, HTTP. Compare it with
// BenchmarkCryptoFloor, the four RSA operations alone: the difference is
// everything paybridge and the simulator add.
func BenchmarkPay(b *testing.B) {
	srv := alipayplustest.NewServer()
	defer srv.Close()
	c := newClient(b, srv, func(cfg *alipayplus.Config) { cfg.HTTPClient = &http.Client{Transport: srv.Client().Transport} })
	ctx := context.Background()
	req := request("BENCH", "150 IQD")
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
	srv := alipayplustest.NewServer()
	defer srv.Close()
	key, err := signing.ParsePrivateKey(srv.Credentials().MerchantPrivateKey)
	if err != nil {
		b.Fatal(err)
	}
	body := []byte(`{"productCode":"51051000101000000011","paymentRequestId":"BENCH-1","paymentAmount":{"currency":"IQD","value":"150000"},"order":{"referenceOrderId":"BENCH-1","orderDescription":"Two coffees","orderAmount":{"currency":"IQD","value":"150000"},"env":{"osType":"ANDROID","terminalType":"MINI_APP"}},"paymentRedirectUrl":"https://merchant.example/done"}`)
	return key, signing.Message("POST", "/api/v1/payments/pay", body, alipayplustest.DefaultClientID, "2026-11-22T18:15:30.123+08:00")
}

// BenchmarkDecodePay is the adapter's share of a pay answer: one
// json.Unmarshal of the documented cashier answer and its mapping.
func BenchmarkDecodePay(b *testing.B) {
	body := []byte(`{"result":{"resultCode":"SUCCESS","resultStatus":"S","resultMessage":"success"},"paymentId":"20261122111212800100166001","paymentAmount":{"currency":"CLP","value":"2000"},"redirectActionForm":{"method":"POST","redirectionUrl":"https://wallet.example/cashier?orderId=20261122111212800100166001"}}`)
	srv := alipayplustest.NewServer()
	defer srv.Close()
	d := newClient(b, srv).Driver()
	req := request("BENCH", "2000 CLP")
	a := &driver.Answer{URI: "/api/v1/payments/pay", Header: http.Header{}, Body: body}
	b.ReportAllocs()
	for b.Loop() {
		if p, v, err := d.DecodePay(req, a); err != nil || v.Outcome != driver.Done || p.Status != payment.StatusPending {
			b.Fatal(p, v, err)
		}
	}
}
