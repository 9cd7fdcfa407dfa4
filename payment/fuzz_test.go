package payment_test

import (
	"errors"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/paybridge/paybridge/money"
	"github.com/paybridge/paybridge/payment"
)

// FuzzValidatePay feeds arbitrary text into every string field of a request:
// validation must never panic, must always answer with a *payment.Error of
// kind invalid request or unsupported (or nil), must refuse invalid UTF-8 and
// control characters in any field as invalid request, must never put a raw
// control character in its message, and must never echo the card number.
// (TestSecretsNeverLeak covers the CVV, whose few digits also occur in
// ordinary messages such as "at most 256 characters".)
func FuzzValidatePay(f *testing.F) {
	f.Add("ORDER-1", "qr_code", "wechat_pay", "https://x.example/n", "134567890123", "4111111111111111", "987", "desc")
	f.Add("", "", "", "", "", "", "", "")
	f.Add("A B", "credit_card", "alipay", "ftp://x", "12ab", "4111x", "12", strings.Repeat("é", 300))
	f.Add("\x00\xff", "in_store_scan", "unionpay", "http://[::1", "1", "0000000000000", "0000", "\u202e")
	f.Add("ORDER-1\nlevel=INFO", "credit_card", "", "https://x.example/\u0085", "", "4111111111111111", "987", "caf\xe9")
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
		if !isText(id, scenario, method, url, code, number, cvv, desc) && payment.KindOf(err) != payment.KindInvalidRequest {
			t.Fatalf("bad text accepted or not refused as invalid: %v", err)
		}
		if err == nil {
			return
		}
		var pe *payment.Error
		if !errors.As(err, &pe) || (pe.Kind != payment.KindInvalidRequest && pe.Kind != payment.KindUnsupported) {
			t.Fatalf("unexpected error %T %v", err, err)
		}
		msg := err.Error()
		if !isText(msg) {
			t.Fatalf("raw control character or invalid UTF-8 in error: %q", msg)
		}
		others := id + scenario + method + url + code + desc
		if len(number) >= 12 && isDigits(number) && strings.Contains(msg, number) && !strings.Contains(others, number) {
			t.Fatalf("card number in error: %q", msg)
		}
	})
}

// FuzzValidateRefs feeds arbitrary IDs to the references of inquire, cancel,
// refund and inquire-refund: validation never panics, refuses invalid UTF-8
// and control characters as invalid request, and never puts a raw control
// character in its message.
func FuzzValidateRefs(f *testing.F) {
	f.Add("2611221015304020147632479", "ORDER-1", "R1")
	f.Add("", "", "")
	f.Add("P1\nlevel=INFO msg=forged", "ORDER 1", "\x00")
	f.Add("\xff\xfe", "\u0085", strings.Repeat("9", 65))
	byReq := testCaps
	byReq.InquireByRequestID = true
	byReq.InquireRefundByRequestID = true
	f.Fuzz(func(t *testing.T, paymentID, requestID, refundRequestID string) {
		ref := payment.Ref{PaymentID: paymentID, PaymentRequestID: requestID}
		refundRef := payment.RefundRef{RefundID: paymentID, RefundRequestID: refundRequestID}
		for _, caps := range []payment.Capabilities{testCaps, byReq} {
			for _, err := range []error{
				payment.ValidateRef("fuzz", caps, payment.OpInquire, ref),
				payment.ValidateRef("fuzz", caps, payment.OpCancel, ref),
				payment.ValidateRefundRef("fuzz", caps, refundRef),
				payment.ValidateRefund("fuzz", caps, &payment.RefundRequest{
					RefundRequestID: refundRequestID, Payment: ref, Amount: money.MustParse("1.00 CAD"),
				}),
			} {
				if err == nil {
					continue
				}
				if k := payment.KindOf(err); k != payment.KindInvalidRequest && k != payment.KindUnsupported {
					t.Fatalf("unexpected error %T %v", err, err)
				}
				if !isText(err.Error()) {
					t.Fatalf("raw control character or invalid UTF-8 in error: %q", err)
				}
			}
			if !isText(paymentID, requestID) {
				if err := payment.ValidateRef("fuzz", caps, payment.OpInquire, ref); payment.KindOf(err) != payment.KindInvalidRequest {
					t.Fatalf("bad ref %q accepted or not refused as invalid: %v", ref, err)
				}
			}
			if !isText(paymentID, refundRequestID) {
				if err := payment.ValidateRefundRef("fuzz", caps, refundRef); payment.KindOf(err) != payment.KindInvalidRequest {
					t.Fatalf("bad refund ref %q accepted or not refused as invalid: %v", refundRef, err)
				}
			}
		}
	})
}

// isText reports whether every s is valid UTF-8 without control characters,
// written here independently of the package's own rule.
func isText(ss ...string) bool {
	for _, s := range ss {
		if !utf8.ValidString(s) {
			return false
		}
		for _, r := range s {
			if r < 0x20 || (r >= 0x7f && r <= 0x9f) {
				return false
			}
		}
	}
	return true
}

func isDigits(s string) bool {
	return strings.Trim(s, "0123456789") == ""
}
