package notify_test

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/paybridge/paybridge/clock"
	"github.com/paybridge/paybridge/notify"
	"github.com/paybridge/paybridge/payment"
	"github.com/paybridge/paybridge/providers/alphapay"
	"github.com/paybridge/paybridge/providers/alphapay/alphapaytest"
)

// FuzzHandler sends arbitrary bodies and signature headers, correctly signed
// or not: the handler never panics, answers a known status, and delivers
// only verified, parsed events.
func FuzzHandler(f *testing.F) {
	sim := alphapaytest.NewServer()
	defer sim.Close()
	cr := sim.Credentials()
	c, err := alphapay.New(alphapay.Config{BaseURL: cr.BaseURL, MerchantCode: cr.MerchantCode, PrivateKey: cr.MerchantPrivateKey, AlphaPayPublicKey: cr.AlphaPayPublicKey})
	if err != nil {
		f.Fatal(err)
	}
	now := time.Now()
	clk := clock.NewFake(now)
	f.Add([]byte(`{"paymentId":"P1","paymentStatus":"SUCCESS","order":{"orderAmount":{"value":"1","currency":"CAD"}}}`), true, "")
	f.Add([]byte(`{"refundId":"R1","refundStatus":"SUCCESS"}`), true, "")
	f.Add([]byte(`{"paymentId":1}`), true, "")
	f.Add([]byte(`not json`), false, "algorithm=RS256,keyVersion=1,signature=AAAA")
	f.Add([]byte(``), false, "signature=%zz")
	f.Fuzz(func(t *testing.T, body []byte, sign bool, sigHeader string) {
		delivered := 0
		h := notify.NewHandler(c, func(ctx context.Context, e payment.Event) error {
			delivered++
			if e.Key == "" || (e.Payment == nil) == (e.Refund == nil) {
				t.Fatalf("delivered a malformed event %+v", e)
			}
			return nil
		}, notify.WithClock(clk))
		var req *http.Request
		if sign {
			req = signed(t, "http://x", "/n", cr.MerchantCode, cr.AlphaPayPrivateKey, now, body)
		} else {
			req = httptest.NewRequest("POST", "/n", bytes.NewReader(body))
			req.Header.Set("Merchant-Code", cr.MerchantCode)
			req.Header.Set("Request-Time", now.Format(time.RFC3339))
			req.Header.Set("Nonce", "n")
			req.Header.Set("Signature", sigHeader)
		}
		req.RequestURI = "/n"
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		switch rec.Code {
		case 200, 400, 401, 413:
		default:
			t.Fatalf("status %d", rec.Code)
		}
		if !sign && delivered > 0 {
			t.Fatal("an unsigned notification was delivered")
		}
	})
}
