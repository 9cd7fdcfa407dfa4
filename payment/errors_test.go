package payment_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/paybridge/paybridge/payment"
)

var allKinds = []payment.Kind{
	payment.KindInvalidRequest, payment.KindUnsupported, payment.KindFailed,
	payment.KindIdempotencyConflict, payment.KindNotFound, payment.KindUnknownOutcome,
	payment.KindUnavailable,
}

var sentinels = map[payment.Kind]error{
	payment.KindInvalidRequest:      payment.ErrInvalidRequest,
	payment.KindUnsupported:         payment.ErrUnsupported,
	payment.KindFailed:              payment.ErrFailed,
	payment.KindIdempotencyConflict: payment.ErrIdempotencyConflict,
	payment.KindNotFound:            payment.ErrNotFound,
	payment.KindUnknownOutcome:      payment.ErrUnknownOutcome,
	payment.KindUnavailable:         payment.ErrUnavailable,
}

func TestErrorsIsMatchesExactlyItsKindThroughWrapping(t *testing.T) {
	cause := context.DeadlineExceeded
	for _, k := range allKinds {
		t.Run(k.String(), func(t *testing.T) {
			var err error = &payment.Error{Op: "pay", Provider: "x", Kind: k, RequestID: "R1", Err: cause}
			wrapped := fmt.Errorf("checkout: %w", fmt.Errorf("attempt 2: %w", err))
			for other, sentinel := range sentinels {
				if got, want := errors.Is(wrapped, sentinel), other == k; got != want {
					t.Errorf("errors.Is(err of kind %v, %v) = %v, want %v", k, other, got, want)
				}
			}
			if !errors.Is(wrapped, cause) {
				t.Errorf("the cause is not reachable through Unwrap")
			}
			var pe *payment.Error
			if !errors.As(wrapped, &pe) || pe.Kind != k || pe.RequestID != "R1" {
				t.Errorf("errors.As did not find the *payment.Error: %+v", pe)
			}
			if got := payment.KindOf(wrapped); got != k {
				t.Errorf("KindOf = %v, want %v", got, k)
			}
		})
	}
}

func TestKindOfWithoutPaymentError(t *testing.T) {
	if k := payment.KindOf(errors.New("plain")); k != 0 {
		t.Fatalf("KindOf(plain) = %v", k)
	}
	if k := payment.KindOf(nil); k != 0 {
		t.Fatalf("KindOf(nil) = %v", k)
	}
}

func TestErrorMessageCarriesProviderOpIDKindAndResult(t *testing.T) {
	err := &payment.Error{
		Op: "pay", Provider: "alphapay", Kind: payment.KindUnknownOutcome, RequestID: "ORDER-1",
		Result: payment.Result{Status: payment.ResultUnknown, Code: "UNKNOWN_EXCEPTION", Message: "try later"},
		Err:    errors.New("3 attempts"),
	}
	want := "alphapay: pay ORDER-1: unknown outcome: UNKNOWN_EXCEPTION (U) try later: 3 attempts"
	if got := err.Error(); got != want {
		t.Fatalf("Error() = %q\nwant      %q", got, want)
	}
}

// The HTTP status (unless 200) and the provider's request ID close the
// message, once, in parentheses; a malformed ID cannot forge log lines.
func TestErrorMessageShowsHTTPStatusAndProviderRequestID(t *testing.T) {
	base := payment.Error{Op: "pay", Provider: "alphapay", Kind: payment.KindUnknownOutcome, RequestID: "ORDER-1",
		Err: errors.New("4 attempt(s): service unavailable")}
	for _, tc := range []struct {
		name   string
		status int
		id     string
		want   string
	}{
		{"neither", 0, "", "alphapay: pay ORDER-1: unknown outcome: 4 attempt(s): service unavailable"},
		{"200 is not shown", 200, "", "alphapay: pay ORDER-1: unknown outcome: 4 attempt(s): service unavailable"},
		{"status", 503, "", "alphapay: pay ORDER-1: unknown outcome: 4 attempt(s): service unavailable (HTTP 503)"},
		{"request ID", 200, "0b43c935", "alphapay: pay ORDER-1: unknown outcome: 4 attempt(s): service unavailable (provider request ID 0b43c935)"},
		{"both", 502, "0b43c935", "alphapay: pay ORDER-1: unknown outcome: 4 attempt(s): service unavailable (HTTP 502, provider request ID 0b43c935)"},
		{"a malformed ID is quoted", 0, "a\nb", `alphapay: pay ORDER-1: unknown outcome: 4 attempt(s): service unavailable (provider request ID "a\nb")`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := base
			e.HTTPStatus, e.ProviderRequestID = tc.status, tc.id
			if got := e.Error(); got != tc.want {
				t.Errorf("Error() = %q\nwant      %q", got, tc.want)
			}
		})
	}
}

func TestKindNamesAreDistinct(t *testing.T) {
	seen := map[string]bool{}
	for _, k := range allKinds {
		name := k.String()
		if seen[name] || name == "invalid kind" {
			t.Errorf("kind %d has name %q", k, name)
		}
		seen[name] = true
		if !strings.HasPrefix(k.Error(), "payment: ") {
			t.Errorf("sentinel text %q lacks the package prefix", k.Error())
		}
	}
	if payment.Kind(0).String() != "invalid kind" {
		t.Error("the zero Kind has a name")
	}
}
