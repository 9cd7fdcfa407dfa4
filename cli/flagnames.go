package cli

import (
	"errors"
	"regexp"

	"github.com/paybridge/paybridge/payment"
)

// The library's validation errors name Go fields ("RefundRef.RefundID is
// required"), which is right for a Go programmer and wrong on the command
// line, where the same thing is a flag. withFlagNames rewrites them.

// flagNames maps the fields of each operation's request to the flags that
// set them. The request IDs differ: a pay's PaymentRequestID is --id, a
// reference's is --request-id.
var flagNames = map[string]map[string]string{
	payment.OpPay: {
		"PayRequest":          "the payment",
		"PaymentRequestID":    "--id",
		"Amount":              "--amount",
		"Scenario":            "--scenario",
		"Method":              "--method",
		"Description":         "--description",
		"NotifyURL":           "--notify-url",
		"RedirectURL":         "--redirect-url",
		"PaymentCode":         "--payment-code",
		"Customer":            "--app-id and --payer-id",
		"Customer.AppID":      "--app-id",
		"Customer.PayerID":    "--payer-id",
		"Device":              "--os and --os-version",
		"Device.OS":           "--os",
		"Device.Version":      "--os-version",
		"Device.TerminalType": "--terminal-type",
	},
	payment.OpInquire: refFlags("Ref"),
	payment.OpCancel:  refFlags("Ref"),
	payment.OpRefund: merge(refFlags("Payment"), map[string]string{
		"RefundRequest":   "the refund",
		"RefundRequestID": "--refund-request-id",
		"Amount":          "--amount",
		"Reason":          "--reason",
		"NotifyURL":       "--notify-url",
	}),
	payment.OpInquireRefund: {
		"RefundRef":                 "--refund-id or --refund-request-id",
		"RefundRef.RefundID":        "--refund-id",
		"RefundRef.RefundRequestID": "--refund-request-id",
		"RefundID":                  "--refund-id",
		"RefundRequestID":           "--refund-request-id",
	},
}

// refFlags are the flags of a payment reference named name in its request.
func refFlags(name string) map[string]string {
	return map[string]string{
		name:                       "--payment-id or --request-id",
		name + ".PaymentID":        "--payment-id",
		name + ".PaymentRequestID": "--request-id",
		"PaymentID":                "--payment-id",
		"PaymentRequestID":         "--request-id",
	}
}

func merge(a, b map[string]string) map[string]string {
	for k, v := range b {
		a[k] = v
	}
	return a
}

// goName matches a Go field path in a problem's text, such as
// "RefundRequestID" in "cannot look up a refund by RefundRequestID".
var goName = regexp.MustCompile(`\b[A-Z][A-Za-z]*(\.[A-Z][A-Za-z]*)*\b`)

// withFlagNames returns err with the fields of its validation error named
// as flags, or err itself when it has none.
func withFlagNames(err error) error {
	var pe *payment.Error
	var ve *payment.ValidationError
	if !errors.As(err, &pe) || !errors.As(err, &ve) || pe.Err != error(ve) {
		return err
	}
	names := flagNames[pe.Op]
	if names == nil {
		return err
	}
	fields := make([]payment.FieldError, len(ve.Fields))
	for i, f := range ve.Fields {
		fields[i] = payment.FieldError{Field: rename(f.Field, names), Problem: goName.ReplaceAllStringFunc(f.Problem, func(w string) string {
			if n, ok := names[w]; ok {
				return n
			}
			return w
		})}
	}
	// The same flag may now appear twice ("Ref" and "Ref.PaymentID"):
	// keep the first of each text.
	fields = dedupe(fields)
	out := *pe
	out.Err = &payment.ValidationError{Fields: fields}
	return &out
}

func rename(field string, names map[string]string) string {
	if n, ok := names[field]; ok {
		return n
	}
	return field
}

func dedupe(fields []payment.FieldError) []payment.FieldError {
	seen := map[string]bool{}
	out := fields[:0]
	for _, f := range fields {
		if k := f.String(); !seen[k] {
			seen[k] = true
			out = append(out, f)
		}
	}
	return out
}
