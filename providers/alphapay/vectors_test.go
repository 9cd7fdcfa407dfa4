package alphapay

import (
	"crypto/rsa"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/paybridge/paybridge/internal/vectors"

	"github.com/paybridge/paybridge/money"
	"github.com/paybridge/paybridge/payment"
	pd "github.com/paybridge/paybridge/payment/driver"
	"github.com/paybridge/paybridge/providers/alphapay/internal/wire"
)

// The signing vectors, shared by every package that signs (internal/vectors).
type (
	vector     = vectors.Vector
	vectorFile = vectors.File
)

func loadVectors(t testing.TB) vectorFile { return vectors.Load(t) }

func find(t testing.TB, vs []vector, prefix string) vector { return vectors.Find(t, vs, prefix) }

func vectorClient(t *testing.T, v vectorFile, nonce string) *Client {
	t.Helper()
	c, err := New(Config{
		BaseURL:           BaseURLCanada,
		MerchantCode:      "PFA9QX",
		PrivateKey:        v.Keys["merchant"].PrivateKeyPEM,
		AlphaPayPublicKey: v.Keys["alphapay"].PublicKeyPEM,
	})
	if err != nil {
		t.Fatal(err)
	}
	c.d.newNonce = func() (string, error) { return nonce, nil }
	return c
}

// The adapter must put exactly AlphaPay's documented bytes on the wire and
// sign them exactly as the official SDK does.
func TestPayRequestReproducesTheSigningVector(t *testing.T) {
	vf := loadVectors(t)
	v := find(t, vf.AlphaPay, "request: pay ONLINE_QRCODE")
	req := &payment.PayRequest{
		PaymentRequestID: "ORDER-20261122-0001",
		Scenario:         payment.ScenarioQRCode,
		Amount:           money.MustParse("19.99 CAD"),
		Description:      "Green tea x2",
		Method:           payment.MethodAlipay,
		NotifyURL:        "https://merchant.example/notify/alphapay",
		RedirectURL:      "https://merchant.example/done",
	}
	body, err := json.Marshal(payRequest(req))
	if err != nil {
		t.Fatal(err)
	}
	if string(body) != v.Body {
		t.Fatalf("body\n got %s\nwant %s", body, v.Body)
	}
	c := vectorClient(t, vf, v.Nonce)
	at, _ := time.Parse(time.RFC3339, v.Time)
	h := http.Header{}
	if err := c.d.Envelope().Sign(h, v.Path, body, at); err != nil {
		t.Fatal(err)
	}
	if got := h.Get("Signature"); got != v.SignatureHeader {
		t.Fatalf("Signature\n got %s\nwant %s", got, v.SignatureHeader)
	}
	if h.Get("Request-Time") != v.Time || h.Get("Nonce") != v.Nonce || h.Get("Merchant-Code") != v.MerchantCode {
		t.Fatalf("headers %v", h)
	}
}

func TestRefundRequestReproducesTheSigningVector(t *testing.T) {
	vf := loadVectors(t)
	v := find(t, vf.AlphaPay, "request: refund")
	body, err := json.Marshal(wire.RefundRequest{
		PaymentID:       "2611221015304020147632479",
		RefundRequestID: "REFUND-0001",
		Refund:          wire.RefundDetail{RefundAmount: toWireAmount(money.MustParse("5.00 CAD")), Description: "退款 – partial refund"},
	})
	if err != nil {
		t.Fatal(err)
	}
	if string(body) != v.Body {
		t.Fatalf("body\n got %s\nwant %s", body, v.Body)
	}
	c := vectorClient(t, vf, v.Nonce)
	// This vector's time has milliseconds and Z, which the adapter does not
	// send itself; check the merchant's signature over the vector's own
	// header values and the adapter's body bytes.
	h := http.Header{}
	h.Set("Signature", v.SignatureHeader)
	h.Set("Response-Time", v.Time)
	h.Set("Nonce", v.Nonce)
	vfKeys := keys{alphapay: []*rsa.PublicKey{c.d.keys.merchant.Public().(*rsa.PublicKey)}}
	if err := verifySigned(vfKeys, v.MerchantCode, v.Path, h, body); err != nil {
		t.Fatalf("refund vector does not verify: %v", err)
	}
}

func TestAnswerAndNotificationVectorsVerify(t *testing.T) {
	vf := loadVectors(t)
	c := vectorClient(t, vf, "")
	for _, prefix := range []string{"response: pay ONLINE_QRCODE", "notification: payment SUCCESS"} {
		v := find(t, vf.AlphaPay, prefix)
		t.Run(prefix, func(t *testing.T) {
			h := http.Header{}
			h.Set("Signature", v.SignatureHeader)
			if strings.HasPrefix(prefix, "notification") {
				h.Set("Request-Time", v.Time)
			} else {
				h.Set("Response-Time", v.Time)
			}
			h.Set("Nonce", v.Nonce)
			a := &pd.Answer{URI: v.Path, Header: h, Body: []byte(v.Body)}
			if err := c.d.Envelope().Verify(a.URI, a.Header, a.Body); err != nil {
				t.Fatalf("verify: %v", err)
			}
			for name, mutate := range map[string]func(*pd.Answer){
				"body": func(a *pd.Answer) { a.Body = []byte(strings.Replace(string(a.Body), "1999", "1998", 1)) },
				"time": func(a *pd.Answer) {
					a.Header.Set("Response-Time", "2026-11-22T10:15:32-08:00")
					a.Header.Set("Request-Time", "2026-11-22T10:15:32-08:00")
				},
				"nonce":     func(a *pd.Answer) { a.Header.Set("Nonce", "00000000000000000000000000000000") },
				"path":      func(a *pd.Answer) { a.URI = "/api/v2.0/payments/refund" },
				"signature": func(a *pd.Answer) { a.Header.Del("Signature") },
			} {
				b := &pd.Answer{URI: a.URI, Header: a.Header.Clone(), Body: a.Body}
				mutate(b)
				if err := c.d.Envelope().Verify(b.URI, b.Header, b.Body); err == nil {
					t.Errorf("altered %s still verifies", name)
				}
			}
			other := vectorClient(t, vf, "")
			other.d.merchantCode = "OTHER1"
			if err := other.d.Envelope().Verify(a.URI, a.Header, a.Body); err == nil {
				t.Error("verifies under another merchant code")
			}
		})
	}
}

func TestPayAnswerVectorMapsToPendingQR(t *testing.T) {
	vf := loadVectors(t)
	v := find(t, vf.AlphaPay, "response: pay ONLINE_QRCODE")
	var resp wire.PayResponse
	if err := json.Unmarshal([]byte(v.Body), &resp); err != nil {
		t.Fatal(err)
	}
	req := &payment.PayRequest{PaymentRequestID: "ORDER-20261122-0001", Scenario: payment.ScenarioQRCode, Amount: money.MustParse("19.99 CAD")}
	p, err := payFromResponse(req, &resp)
	if err != nil {
		t.Fatal(err)
	}
	if p.Status != payment.StatusPending || p.PaymentID != "2611221015304020147632479" || p.Action == nil ||
		p.Action.Kind != payment.ActionShowQR || p.Action.QRCode != "https://openapi.alphapay.ca/qr/2611221015304020147632479" {
		t.Fatalf("payment %+v action %+v", p, p.Action)
	}
	if p.ExpiresAt.Sub(p.CreatedAt) != 5*time.Minute {
		t.Fatalf("created %v expires %v", p.CreatedAt, p.ExpiresAt)
	}
}
