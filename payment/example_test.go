package payment_test

import (
	"errors"
	"fmt"

	"github.com/paybridge/paybridge/money"
	"github.com/paybridge/paybridge/payment"
)

// Branch on the kind of an error, through any wrapping, with errors.Is.
func ExampleError() {
	var err error = &payment.Error{
		Op: "pay", Provider: "alphapay", Kind: payment.KindUnknownOutcome, RequestID: "ORDER-1",
		Result: payment.Result{Status: payment.ResultUnknown, Code: "UNKNOWN_EXCEPTION"},
	}
	err = fmt.Errorf("checkout: %w", err)

	switch {
	case errors.Is(err, payment.ErrUnknownOutcome):
		fmt.Println("keep the order open and settle it with payment.Resolve")
	case errors.Is(err, payment.ErrFailed):
		fmt.Println("the provider declined")
	}
	var pe *payment.Error
	if errors.As(err, &pe) {
		fmt.Println(pe.RequestID, pe.Result.Code)
	}
	fmt.Println(err)
	// Output:
	// keep the order open and settle it with payment.Resolve
	// ORDER-1 UNKNOWN_EXCEPTION
	// checkout: alphapay: pay ORDER-1: unknown outcome: UNKNOWN_EXCEPTION (U)
}

// ValidatePay names every bad field at once, before anything is sent.
func ExampleValidatePay() {
	caps := payment.Capabilities{
		Scenarios:  []payment.Scenario{payment.ScenarioMiniProgram},
		Methods:    []payment.Method{payment.MethodWeChatPay},
		Currencies: []money.Currency{money.CAD},
	}
	err := payment.ValidatePay("example", caps, &payment.PayRequest{
		PaymentRequestID: "ORDER-2",
		Scenario:         payment.ScenarioMiniProgram,
		Method:           payment.MethodWeChatPay,
		Amount:           money.MustParse("5.00 CAD"),
		NotifyURL:        "/notify",
	})
	fmt.Println(errors.Is(err, payment.ErrInvalidRequest))
	var ve *payment.ValidationError
	if errors.As(err, &ve) {
		for _, f := range ve.Fields {
			fmt.Println(f)
		}
	}
	// Output:
	// true
	// NotifyURL must be an absolute http or https URL
	// Customer.AppID is required for scenario mini_program
	// Customer.PayerID is required for scenario mini_program
}

// Statuses only move forward; a merge that would move one backwards is
// ignored.
func ExampleStatus_CanBecome() {
	fmt.Println(payment.StatusPending.CanBecome(payment.StatusSucceeded))
	fmt.Println(payment.StatusSucceeded.CanBecome(payment.StatusPending))
	fmt.Println(payment.StatusSucceeded.CanBecome(payment.StatusPartiallyRefunded))
	fmt.Println(payment.StatusRefunded.CanBecome(payment.StatusPartiallyRefunded))
	// Output:
	// true
	// false
	// true
	// false
}
