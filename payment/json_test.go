package payment_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/paybridge/paybridge/money"
	"github.com/paybridge/paybridge/payment"
)

// A platform stores and queues the neutral values as JSON: a payment
// without refunds, a refund, a refund request must encode, and read back
// the same.
func TestNeutralValuesRoundTripJSON(t *testing.T) {
	amt := money.MustParse("19.99 CAD")
	for name, v := range map[string]any{
		"payment without refunds": &payment.Payment{Provider: "alphapay", PaymentID: "P1", PaymentRequestID: "R1",
			Status: payment.StatusPending, Amount: amt},
		"payment partly refunded": &payment.Payment{Provider: "alphapay", PaymentID: "P1", PaymentRequestID: "R1",
			Status: payment.StatusPartiallyRefunded, Amount: amt, Refunded: money.MustParse("5.00 CAD")},
		"payment whose amount is not known": &payment.Payment{PaymentID: "P1"},
		"refund":                            &payment.Refund{RefundID: "F1", RefundRequestID: "RR1", PaymentID: "P1", Amount: amt},
		"refund request":                    &payment.RefundRequest{RefundRequestID: "RR1", Payment: payment.Ref{PaymentID: "P1"}, Amount: amt},
	} {
		t.Run(name, func(t *testing.T) {
			b, err := json.Marshal(v)
			if err != nil {
				t.Fatalf("json.Marshal: %v", err)
			}
			if strings.Contains(string(b), `"Refunded"`) != (name == "payment partly refunded") {
				t.Errorf("Refunded present only when not zero: %s", b)
			}
			back := newLike(v)
			if err := json.Unmarshal(b, back); err != nil {
				t.Fatalf("json.Unmarshal(%s): %v", b, err)
			}
			if diff := cmp.Diff(v, back, cmp.Comparer(func(a, b money.Amount) bool { return a == b })); diff != "" {
				t.Errorf("round trip (-sent +read):\n%s", diff)
			}
		})
	}
}

func newLike(v any) any {
	switch v.(type) {
	case *payment.Payment:
		return new(payment.Payment)
	case *payment.Refund:
		return new(payment.Refund)
	default:
		return new(payment.RefundRequest)
	}
}

// A PayRequest's JSON form is for logs (its secrets redacted), but it must
// encode whatever amounts are zero.
func TestPayRequestEncodesJSON(t *testing.T) {
	req := payment.PayRequest{PaymentRequestID: "R1", Scenario: payment.ScenarioCashier,
		Order: &payment.Order{Goods: []payment.Goods{{Name: "tea", Quantity: 1}}}}
	if b, err := json.Marshal(req); err != nil {
		t.Fatalf("json.Marshal = %s, %v", b, err)
	}
}

// CardToken's JSON form never carries the token: read back, it is the
// empty token, never the redacted text.
func TestCardTokenJSONCarriesNoToken(t *testing.T) {
	p := payment.Payment{PaymentID: "P1", CardToken: "tok_4242424242424242"}
	b, err := json.Marshal(p)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(b), "tok_4242424242") {
		t.Fatalf("the token is in the JSON form: %s", b)
	}
	var back payment.Payment
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	if back.CardToken != "" {
		t.Errorf("read back CardToken = %q, want empty", string(back.CardToken))
	}
	if b, _ := json.Marshal(payment.Payment{PaymentID: "P1"}); strings.Contains(string(b), "CardToken") {
		t.Errorf("an empty token is in the JSON form: %s", b)
	}
}
