package tinypay

import (
	"testing"

	"github.com/paybridge/paybridge/payment"
	"github.com/paybridge/paybridge/payment/driver/drivertest"
)

// FuzzDecode gives any bytes to every decoder of answers: none may panic,
// and each verdict has an outcome (drivertest), whatever a provider — or
// someone in its place — sends. Run it longer with
// go test -fuzz FuzzDecode -fuzztime 1m.
func FuzzDecode(f *testing.F) {
	f.Add([]byte(`{"result":{"resultStatus":"S","resultCode":"OK"},"paymentId":"P1","requestId":"R1","status":"PAID","amount":{"currency":"PHP","value":"100"}}`))
	f.Add([]byte(`{"result":{"resultStatus":"F","resultCode":"DECLINED"}}`))
	f.Add([]byte(`{"result":{"resultStatus":"S"},"refundId":"F1","refundRequestId":"RR1","status":"DONE","amount":{"currency":"PHP","value":"-1"}}`))
	f.Add([]byte(`[]`))
	d := &tinyDriver{}
	f.Fuzz(func(t *testing.T, body []byte) {
		drivertest.CheckDecoders(t, d, body, drivertest.Requests{})
	})
}

// FuzzParseNotification gives any bytes to the notification parser, which
// reads a body only after its signature verified: it never panics, and an
// event it returns names its payment and a neutral status.
func FuzzParseNotification(f *testing.F) {
	f.Add([]byte(`{"result":{"resultStatus":"S","resultCode":"OK"},"paymentId":"P1","status":"PAID","amount":{"currency":"PHP","value":"100"}}`))
	f.Add([]byte(`{"paymentId":""}`))
	c := &Client{}
	f.Fuzz(func(t *testing.T, body []byte) {
		ev, err := c.ParseNotification(body)
		if err != nil {
			return
		}
		if ev.Key == "" || ev.Kind != payment.EventPayment || ev.Payment == nil || ev.Payment.PaymentID == "" || !ev.Payment.Status.Valid() {
			t.Fatalf("incomplete event %+v", ev)
		}
	})
}
