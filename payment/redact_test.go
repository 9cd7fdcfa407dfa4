package payment_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/paybridge/paybridge/internal/redacttest"
	"github.com/paybridge/paybridge/money"
	"github.com/paybridge/paybridge/payment"
)

// Every type of package payment that holds a secret shows it in no encoding
// a user is likely to log: fmt's verbs, log/slog's handlers and
// encoding/json, for the value, a pointer, and either inside another struct.
func TestSecretsNeverLeak(t *testing.T) {
	const (
		number      = "4111111111111111"
		cvv         = "cvv-secret-739"
		token       = "tok_secret_card_token"
		paymentCode = "287634190528374650"
	)
	card := payment.Card{Number: number, ExpMonth: 12, ExpYear: 2030, CVV: cvv, Holder: "A Person"}
	scan := validPay(payment.ScenarioInStoreScan)
	scan.PaymentCode = paymentCode
	byCard := validPay(payment.ScenarioCreditCard)
	byCard.Card = &card
	for _, tc := range []struct {
		name    string
		value   any
		secrets []string
		visible string // something not secret that every rendering must still show, if any
	}{
		{"card", card, []string{number, number[:12], cvv}, "1111"},
		{"saved card", payment.Card{Token: token, CVV: cvv}, []string{token, cvv}, ""},
		{"pay request with a payment code", *scan, []string{paymentCode}, scan.PaymentRequestID},
		{"pay request with a card", *byCard, []string{number, number[:12], cvv}, byCard.PaymentRequestID},
		{"card token", payment.CardToken(token), []string{token, token[:len(token)-4]}, "****oken"},
		{"payment with a card token", payment.Payment{PaymentID: "P1", CardToken: payment.CardToken(token),
			Amount: money.MustParse("10.00 CAD"), Refunded: money.MustParse("0.00 CAD")},
			[]string{token, token[:len(token)-4]}, "****oken"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for how, out := range redacttest.Renderings(t, tc.value) {
				for _, secret := range tc.secrets {
					if strings.Contains(out, secret) {
						t.Errorf("%s shows the secret %q: %s", how, secret, out)
					}
				}
				if tc.visible != "" && !strings.Contains(out, tc.visible) {
					t.Errorf("%s hides %q, which is not secret: %s", how, tc.visible, out)
				}
			}
		})
	}

	// Nor does the error of a rejected request.
	byCard.Card.ExpYear = 0 // make validation fail while the number and CVV are present
	byCard.Amount = money.Amount{}
	err := payment.ValidatePay("test", testCaps, byCard)
	if err == nil {
		t.Fatal("accepted")
	}
	if msg := err.Error(); strings.Contains(msg, number) || strings.Contains(msg, cvv) {
		t.Errorf("the error shows card data: %s", msg)
	}
}

// A PayRequest renders as before, field by field, with only its secrets
// replaced: the redaction must not make logs unreadable.
func TestPayRequestStaysReadable(t *testing.T) {
	req := validPay(payment.ScenarioInStoreScan)
	req.PaymentCode = "287634190528374650"
	got := redacttest.Renderings(t, *req)
	for _, tc := range []struct{ how, want string }{
		{"value %+v", "PaymentRequestID:ORDER-20261122-0001 Scenario:in_store_scan"},
		{"value %+v", "PaymentCode:[redacted]"},
		{"value %#v", `PaymentRequestID:"ORDER-20261122-0001"`},
		{"value json.Marshal", `"PaymentCode":"[redacted]"`},
		{"value slog JSON", `"Description":"Two coffees"`},
		{"nested pointer slog text", "Description:Two coffees"},
	} {
		if out := got[tc.how]; !strings.Contains(out, tc.want) {
			t.Errorf("%s = %s; want it to contain %s", tc.how, out, tc.want)
		}
	}
}

// A card token shows its last four characters only when that leaves most
// of it hidden and they cannot forge a log line.
func TestCardTokenShowsAtMostItsLastFour(t *testing.T) {
	for token, want := range map[payment.CardToken]string{
		"":                          "[none]",
		"tok_12345":                 "[redacted]",
		"card_0123456789abcdef":     "****cdef",
		"card_0123456789ab\ncd":     "[redacted]",
		"card_0123456789abcd\u00e9": "[redacted]",
	} {
		if got := token.String(); got != want {
			t.Errorf("%q shows as %q, want %q", string(token), got, want)
		}
		if got := fmt.Sprintf("%x %d %q", token, token, token); strings.Contains(got, string(token)) && token != "" {
			t.Errorf("%q leaks through fmt: %s", string(token), got)
		}
	}
}
