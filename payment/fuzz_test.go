package payment_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/paybridge/paybridge/money"
	"github.com/paybridge/paybridge/payment"
)

// FuzzValidatePay feeds arbitrary text into every string field of a request:
// validation must never panic, must always answer with a *payment.Error of
// kind invalid request or unsupported (or nil), and must never echo the card
// number. (TestCardSecretsNeverLeak covers the CVV, whose few digits also
// occur in ordinary messages such as "at most 256 characters".)
func FuzzValidatePay(f *testing.F) {
	f.Add("ORDER-1", "qr_code", "wechat_pay", "https://x.example/n", "134567890123", "4111111111111111", "987", "desc")
	f.Add("", "", "", "", "", "", "", "")
	f.Add("A B", "credit_card", "alipay", "ftp://x", "12ab", "4111x", "12", strings.Repeat("é", 300))
	f.Add("\x00\xff", "in_store_scan", "unionpay", "http://[::1", "1", "0000000000000", "0000", "\u202e")
	f.Fuzz(func(t *testing.T, id, scenario, method, url, code, number, cvv, desc string) {
		req := &payment.PayRequest{
			PaymentRequestID: id,
			Scenario:         payment.Scenario(scenario),
			Method:           payment.Method(method),
			Amount:           money.MustParse("1.00 CAD"),
			NotifyURL:        url,
			RedirectURL:      url,
			PaymentCode:      code,
			Description:      desc,
			Card:             &payment.Card{Number: number, CVV: cvv, Holder: desc},
			Customer:         &payment.Customer{AppID: id, PayerID: code},
		}
		err := payment.ValidatePay("fuzz", testCaps, req)
		if err == nil {
			return
		}
		var pe *payment.Error
		if !errors.As(err, &pe) || (pe.Kind != payment.KindInvalidRequest && pe.Kind != payment.KindUnsupported) {
			t.Fatalf("unexpected error %T %v", err, err)
		}
		msg := err.Error()
		others := id + scenario + method + url + code + desc
		if len(number) >= 12 && isDigits(number) && strings.Contains(msg, number) && !strings.Contains(others, number) {
			t.Fatalf("card number in error: %q", msg)
		}
	})
}

func isDigits(s string) bool {
	return strings.Trim(s, "0123456789") == ""
}
