package alphapay_test

import (
	"context"
	"errors"
	"testing"

	"github.com/paybridge/paybridge/money"
	"github.com/paybridge/paybridge/payment"
	"github.com/paybridge/paybridge/providers/alphapay/alphapaytest"
	"github.com/paybridge/paybridge/providers/alphapay/internal/wire"
)

// Resolve of a paid, partly refunded order is right whichever result a
// replay carries: the replay only finds the paymentId, the inquiry tells
// the status (issue 11 item 5, issue 12 item 4).
func TestResolveOfAPaidOrderUnderBothReplayReadings(t *testing.T) {
	for _, strict := range []bool{false, true} {
		name := map[bool]string{false: "replay answers S", true: "replay answers U PAYMENT_IN_PROCESS"}[strict]
		t.Run(name, func(t *testing.T) {
			srv := alphapaytest.NewServer(alphapaytest.WithStrictReplay(strict))
			defer srv.Close()
			c := newClient(t, srv)
			ctx := context.Background()
			req := request(payment.ScenarioQRCode)
			p, err := c.Pay(ctx, req)
			if err != nil {
				t.Fatal(err)
			}
			if err := srv.Complete(p.PaymentID); err != nil {
				t.Fatal(err)
			}
			if _, err := c.Refund(ctx, &payment.RefundRequest{RefundRequestID: "RF-1", Payment: p.Ref(), Amount: money.MustParse("5.00 CAD")}); err != nil {
				t.Fatal(err)
			}
			got, err := payment.Resolve(ctx, c, req)
			if err != nil || got.Status != payment.StatusPartiallyRefunded || got.Action != nil || got.PaymentID != p.PaymentID {
				t.Fatalf("Resolve = %+v, %v; want partially refunded, no action", got, err)
			}
			if n := srv.Charges(req.PaymentRequestID); n != 1 {
				t.Fatalf("%d charges", n)
			}
		})
	}
}

// Resolve of the same PaymentRequestID under another amount is a
// conflict, not the other payment (issue 11 item 3).
func TestResolveUnderAnotherAmountIsAConflict(t *testing.T) {
	srv := alphapaytest.NewServer()
	defer srv.Close()
	c := newClient(t, srv)
	ctx := context.Background()
	req := request(payment.ScenarioQRCode)
	if _, err := c.Pay(ctx, req); err != nil {
		t.Fatal(err)
	}
	other := *req
	other.Amount = money.MustParse("1.99 CAD")
	if got, err := payment.Resolve(ctx, c, &other); !errors.Is(err, payment.ErrIdempotencyConflict) {
		t.Fatalf("Resolve = %+v, %v; want a conflict", got, err)
	}
}

// A refund whose answer was lost, retried into F EXIST_PROCESSING_REFUND,
// moved money: it is an unknown outcome, and InquireRefund then finds the
// refund (issue 11 item 1).
func TestRefundRefusedAfterALostAnswerIsUnknown(t *testing.T) {
	srv := alphapaytest.NewServer()
	defer srv.Close()
	c := newClient(t, srv)
	ctx := context.Background()
	p, err := c.Pay(ctx, request(payment.ScenarioQRCode))
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.Complete(p.PaymentID); err != nil {
		t.Fatal(err)
	}
	srv.Script(wire.PathRefund, alphapaytest.Fault{DropAfter: true},
		alphapaytest.Fault{Result: &payment.Result{Code: wire.CodeExistProcessingRefund, Status: payment.ResultFailed, Message: "scripted"}})
	rr := &payment.RefundRequest{RefundRequestID: "RF-LOST", Payment: p.Ref(), Amount: money.MustParse("5.00 CAD")}
	_, err = c.Refund(ctx, rr)
	if !errors.Is(err, payment.ErrUnknownOutcome) || errors.Is(err, payment.ErrFailed) {
		t.Fatalf("Refund = %v; want an unknown outcome: the first attempt refunded", err)
	}
	got, err := c.Inquire(ctx, p.Ref())
	if err != nil || got.Status != payment.StatusPartiallyRefunded {
		t.Fatalf("Inquire = %+v, %v; the simulator refunded once", got, err)
	}
}
