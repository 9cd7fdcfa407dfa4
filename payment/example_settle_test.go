package payment_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/paybridge/paybridge/money"
	"github.com/paybridge/paybridge/payment"
	"github.com/paybridge/paybridge/payment/paymenttest"
)

// A pay whose every answer was lost after the provider took it is an
// unknown outcome. Resolve finds the payment the provider made, under the
// same request ID, and never makes a second one.
func ExampleResolve() {
	p := paymenttest.New(paymenttest.WithRetry(payment.RetryPolicy{MaxAttempts: 2, BaseWait: time.Millisecond}))
	p.Script(payment.OpPay,
		paymenttest.Fault{Kind: paymenttest.FaultDropAfter},
		paymenttest.Fault{Kind: paymenttest.FaultDropAfter})
	ctx := context.Background()
	req := &payment.PayRequest{PaymentRequestID: "ORDER-1", Scenario: payment.ScenarioQRCode, Amount: money.MustParse("19.99 CAD")}

	_, err := p.Pay(ctx, req)
	if errors.Is(err, payment.ErrUnknownOutcome) {
		// Keep the order open; never pay again under a new request ID.
		pay, err := payment.Resolve(ctx, p, req, payment.WithPollInterval(time.Millisecond, 10*time.Millisecond))
		if err != nil {
			fmt.Println("still unknown:", err) // ask again later, or wait for the notification
			return
		}
		fmt.Println("found", pay.PaymentID, pay.Status, pay.Action.Kind)
	}
	fmt.Println("orders under ORDER-1:", p.Orders("ORDER-1"))
	// Output:
	// found PT1 pending show_qr
	// orders under ORDER-1: 1
}

// AwaitFinal polls a pending payment until it is no longer pending: here
// the customer pays after the first poll.
func ExampleAwaitFinal() {
	p := paymenttest.New()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	pay, err := p.Pay(ctx, &payment.PayRequest{PaymentRequestID: "ORDER-2", Scenario: payment.ScenarioQRCode, Amount: money.MustParse("5.00 CAD")})
	if err != nil {
		fmt.Println(err)
		return
	}
	customerPays := func(attempt int, err error) {
		if attempt == 1 {
			_ = p.Complete(pay.PaymentID) // stands for the customer scanning the QR code
		}
	}
	final, err := payment.AwaitFinal(ctx, p, pay.Ref(),
		payment.WithPollInterval(time.Millisecond, 10*time.Millisecond), payment.WithPollObserver(customerPays))
	if err != nil {
		// The context ended first: the payment may still complete.
		fmt.Println("still pending:", err)
		return
	}
	fmt.Println(final.Status, final.Amount)
	// Output:
	// succeeded 5.00 CAD
}

// Merge applies notifications and inquiries, in whatever order they come,
// to the state the platform holds: forward moves win, a late "pending"
// after "succeeded" is reported and changes nothing.
func ExampleMerge() {
	held := &payment.Payment{PaymentRequestID: "ORDER-3", PaymentID: "P3", Status: payment.StatusPending, Amount: money.MustParse("8.00 CAD")}

	paid := &payment.Payment{PaymentRequestID: "ORDER-3", PaymentID: "P3", Status: payment.StatusSucceeded, Amount: money.MustParse("8.00 CAD"),
		PaidAt: time.Date(2025, 1, 31, 12, 0, 0, 0, time.UTC)}
	held, err := payment.Merge(held, paid) // the notification
	fmt.Println(held.Status, err)

	stale := &payment.Payment{PaymentRequestID: "ORDER-3", PaymentID: "P3", Status: payment.StatusPending, Amount: money.MustParse("8.00 CAD")}
	held, err = payment.Merge(held, stale) // an inquiry answered before the notification, arriving late
	fmt.Println(held.Status, errors.Is(err, payment.ErrRegression))
	// Output:
	// succeeded <nil>
	// succeeded true
}
