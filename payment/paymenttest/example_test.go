package paymenttest_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/paybridge/paybridge/money"
	"github.com/paybridge/paybridge/payment"
	"github.com/paybridge/paybridge/payment/paymenttest"
)

// checkout stands for application code under test. It pays, and when the
// outcome is unknown it settles it with payment.Resolve instead of guessing.
func checkout(ctx context.Context, p payment.Provider, orderID string, total money.Amount) (*payment.Payment, error) {
	req := &payment.PayRequest{PaymentRequestID: orderID, Scenario: payment.ScenarioQRCode, Amount: total}
	pay, err := p.Pay(ctx, req)
	if errors.Is(err, payment.ErrUnknownOutcome) {
		pay, err = payment.Resolve(ctx, p, req)
	}
	return pay, err
}

// fast keeps the simulated adapter's retries from waiting in real time.
// A test that controls time passes a fake clock with WithClock instead.
var fast = paymenttest.WithRetry(payment.RetryPolicy{MaxAttempts: 2, BaseWait: time.Millisecond})

// Test that checkout survives a lost answer: the provider takes the payment
// but the connection drops before the answer, on every attempt. checkout must
// find the payment that exists, and the customer must be charged once.
func Example() {
	p := paymenttest.New(fast)
	p.Script(payment.OpPay,
		paymenttest.Fault{Kind: paymenttest.FaultDropAfter},
		paymenttest.Fault{Kind: paymenttest.FaultDropAfter})

	pay, err := checkout(context.Background(), p, "ORDER-1", money.MustParse("19.99 CAD"))
	if err != nil {
		fmt.Println("checkout:", err)
		return
	}
	fmt.Println(pay.PaymentID, pay.Status, pay.Action.Kind)

	// The customer scans the QR code and pays.
	if err := p.Complete(pay.PaymentID); err != nil {
		fmt.Println(err)
	}
	fmt.Println("pay requests sent:", len(p.Calls(payment.OpPay)))
	fmt.Println("orders:", p.Orders("ORDER-1"), "charges:", p.Charges("ORDER-1"))
	// Output:
	// PT1 pending show_qr
	// pay requests sent: 2
	// orders: 1 charges: 1
}

// Without settling, a lost answer is an unknown outcome: neither success nor
// failure. Code that treated it as a failure and let the customer pay again
// under a new key would charge twice.
func Example_unknownOutcome() {
	p := paymenttest.New(fast)
	p.Script(payment.OpPay,
		paymenttest.Fault{Kind: paymenttest.FaultDropAfter},
		paymenttest.Fault{Kind: paymenttest.FaultDropAfter})

	req := &payment.PayRequest{PaymentRequestID: "ORDER-1", Scenario: payment.ScenarioQRCode, Amount: money.MustParse("5.00 CAD")}
	_, err := p.Pay(context.Background(), req)
	fmt.Println(errors.Is(err, payment.ErrUnknownOutcome))
	fmt.Println(err)
	fmt.Println("orders:", p.Orders("ORDER-1"))
	// Output:
	// true
	// paymenttest: pay ORDER-1: unknown outcome: 2 attempt(s): Post "http://paymenttest.localhost/pay": read tcp: connection lost before an answer (simulated)
	// orders: 1
}

// Script answers for the next attempts. U answers are retried with the same
// request bytes until the provider answers for good.
func ExampleProvider_Script() {
	p := paymenttest.New(paymenttest.WithRetry(payment.RetryPolicy{BaseWait: time.Millisecond}))
	u := paymenttest.Fault{Kind: paymenttest.FaultResult, Status: payment.ResultUnknown}
	p.Script(payment.OpPay, u, u)

	req := &payment.PayRequest{PaymentRequestID: "ORDER-7", Scenario: payment.ScenarioApp, Amount: money.MustParse("12.50 USD"),
		Device: &payment.Device{OS: payment.OSAndroid, Version: "14"}}
	pay, err := p.Pay(context.Background(), req)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(pay.Status, pay.Action.Kind, pay.Action.SDKParams["paymentId"])
	calls := p.Calls(payment.OpPay)
	for i, c := range calls {
		fmt.Printf("attempt %d: fault %v, same bytes as the first: %t\n", i+1, c.Fault, bytes.Equal(c.Payload, calls[0].Payload))
	}
	// Output:
	// pending invoke_sdk PT1
	// attempt 1: fault result U UNKNOWN_EXCEPTION, same bytes as the first: true
	// attempt 2: fault result U UNKNOWN_EXCEPTION, same bytes as the first: true
	// attempt 3: fault <nil>, same bytes as the first: true
}

// A declined payment is final: its key cannot be paid again, and the
// provider says so with an F answer.
func ExampleProvider_Decline() {
	p := paymenttest.New()
	ctx := context.Background()
	req := &payment.PayRequest{PaymentRequestID: "ORDER-2", Scenario: payment.ScenarioWeb, Amount: money.MustParse("30.00 EUR")}
	pay, _ := p.Pay(ctx, req)
	fmt.Println(pay.Action.Kind, pay.Action.URL)

	if err := p.Decline(pay.PaymentID); err != nil {
		fmt.Println(err)
	}
	pay, _ = p.Inquire(ctx, pay.Ref())
	fmt.Println(pay.Status, "-", pay.FailureReason)

	_, err := p.Pay(ctx, req)
	fmt.Println(errors.Is(err, payment.ErrFailed))
	fmt.Println(err)
	// Output:
	// redirect https://paymenttest.invalid/pay/PT1
	// failed - declined by the customer
	// true
	// paymenttest: pay ORDER-2: failed: ORDER_CLOSED (F) payment is failed; use a new PaymentRequestID
}

// A refused connection proves that nothing was sent, so the error is
// Unavailable: the caller may safely try again later.
func ExampleFaultKind() {
	p := paymenttest.New(fast)
	refused := paymenttest.Fault{Kind: paymenttest.FaultRefuse}
	p.Script(payment.OpRefund, refused, refused)

	_, err := p.Refund(context.Background(), &payment.RefundRequest{
		RefundRequestID: "REFUND-1", Payment: payment.Ref{PaymentID: "PT1"}, Amount: money.MustParse("1.00 CAD"),
	})
	fmt.Println(errors.Is(err, payment.ErrUnavailable))
	fmt.Println(err)
	// Output:
	// true
	// paymenttest: refund REFUND-1: unavailable: 2 attempt(s): Post "http://paymenttest.localhost/refund": dial tcp: connection refused (simulated)
}

// With WithAutoComplete, payments that need nothing from the customer, such
// as an in-store scan of the customer's wallet code, succeed at once; refunds
// follow.
func ExampleWithAutoComplete() {
	p := paymenttest.New(paymenttest.WithAutoComplete(true))
	ctx := context.Background()
	pay, err := p.Pay(ctx, &payment.PayRequest{
		PaymentRequestID: "TILL-42", Scenario: payment.ScenarioInStoreScan,
		Amount: money.MustParse("8.40 CAD"), PaymentCode: "281234567890123456",
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(pay.Status, p.Charges("TILL-42"))

	r, err := p.Refund(ctx, &payment.RefundRequest{RefundRequestID: "TILL-42-R1", Payment: pay.Ref(), Amount: money.MustParse("2.40 CAD")})
	if err != nil {
		fmt.Println(err)
		return
	}
	pay, _ = p.Inquire(ctx, pay.Ref())
	fmt.Println(r.RefundID, r.Status, pay.Status, pay.Refunded)
	// Output:
	// succeeded 1
	// RT1 succeeded partially_refunded 2.40 CAD
}
