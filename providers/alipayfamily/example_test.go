package alipayfamily_test

import (
	"crypto/rand"
	"crypto/rsa"
	"fmt"
	"net/http"
	"time"

	"github.com/paybridge/paybridge/payment"
	"github.com/paybridge/paybridge/payment/driver"
	"github.com/paybridge/paybridge/providers/alipayfamily"
)

// An adapter for another member of the family (here Antom) builds its
// envelope and its table of result codes on the family's, and decodes each
// answer with one call.
func Example() {
	merchant, _ := rsa.GenerateKey(rand.Reader, 2048) // signing.ParsePrivateKey(pem) in an adapter
	server, _ := rsa.GenerateKey(rand.Reader, 2048)
	env, err := alipayfamily.NewEnvelope(alipayfamily.EnvelopeConfig{
		ClientID:   "SANDBOX_5YBV3N2Z0KS906447",
		Signer:     merchant,
		PublicKeys: []*rsa.PublicKey{&server.PublicKey},
		TimeLayout: alipayfamily.TimeUnixMilli,
		Unsigned:   alipayfamily.NeverTrust, // the only policy; stated for the reader
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	var _ driver.Envelope = env // what the engine signs and verifies with

	h := http.Header{}
	_ = env.Sign(h, "/ams/api/v1/payments/pay", []byte(`{"paymentRequestId":"R1"}`), time.UnixMilli(1795331730123))
	fmt.Println(h.Get("Client-Id"), h.Get("Request-Time"))

	// An unsigned answer is never trusted, whatever it says.
	err = env.Verify("/ams/api/v1/payments/pay", http.Header{}, []byte(`{"result":{"resultStatus":"F","resultCode":"RISK_REJECT"}}`))
	fmt.Println(err)

	// The family's codes, and one of the provider's own.
	reasons := alipayfamily.StandardReasons().With(map[string]driver.Reason{"ORDER_IS_CLOSED": driver.WrongState})
	var resp struct {
		Result    alipayfamily.Result `json:"result"`
		PaymentID string              `json:"paymentId"`
	}
	v, _ := reasons.Decode([]byte(`{"result":{"resultStatus":"F","resultCode":"ORDER_IS_CLOSED","resultMessage":"closed"}}`), &resp, &resp.Result, payment.OpCancel)
	fmt.Println(v.Outcome, v.Reason, v.Result.Code)
	// Output:
	// SANDBOX_5YBV3N2Z0KS906447 1795331730123
	// alipayfamily: not signed (the answer says F RISK_REJECT)
	// refused wrong state ORDER_IS_CLOSED
}
