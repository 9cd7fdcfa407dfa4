package paymenttest

import (
	"fmt"
	"strconv"

	"github.com/paybridge/paybridge/money"
	"github.com/paybridge/paybridge/payment"
)

// The result codes the simulated provider answers with.
const (
	codeSuccess                   = "SUCCESS"
	codeAccepted                  = "ACCEPTED"
	codeProcessFail               = "PROCESS_FAIL"
	codeUnknownException          = "UNKNOWN_EXCEPTION"
	codeRepeatReqInconsistent     = "REPEAT_REQ_INCONSISTENT"
	codeOrderNotExist             = "ORDER_NOT_EXIST"
	codeRefundNotExist            = "REFUND_NOT_EXIST"
	codeOrderClosed               = "ORDER_CLOSED"
	codeOrderPaid                 = "ORDER_PAID"
	codeOrderStatusInvalid        = "ORDER_STATUS_INVALID"
	codeCurrencyNotSupport        = "CURRENCY_NOT_SUPPORT"
	codeRefundAmountExceed        = "REFUND_AMOUNT_EXCEED"
	codePartialRefundNotSupported = "PARTIAL_REFUND_NOT_SUPPORTED"
)

// qrImage is a fixed 1×1 PNG: tests need a valid image, not a scannable one.
const qrImage = "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAAAAAA6fptVAAAADklEQVR4nGJiAAQAAP//AAYAA/rQWa4AAAAASUVORK5CYII="

var success = payment.Result{Status: payment.ResultSucceeded, Code: codeSuccess, Message: "success"}

func failed(code, msg string) answer {
	return answer{result: payment.Result{Status: payment.ResultFailed, Code: code, Message: msg}}
}

// actionFor is what the merchant does next for a pending payment id in
// scenario s.
func actionFor(s payment.Scenario, id string) *payment.Action {
	switch s.ActionKind() {
	case payment.ActionShowQR:
		return &payment.Action{Kind: payment.ActionShowQR, QRCode: "paymenttest://pay/" + id, QRImage: qrImage}
	case payment.ActionRedirect:
		return &payment.Action{Kind: payment.ActionRedirect, URL: "https://paymenttest.invalid/pay/" + id, HTTPMethod: "GET"}
	case payment.ActionInvokeSDK:
		return &payment.Action{Kind: payment.ActionInvokeSDK, SDKParams: map[string]string{"paymentId": id}}
	}
	return nil
}

// setStatusLocked moves pay to status to, through the one table of allowed
// transitions. A move the table forbids is a bug in the model: it is
// reported, and the payment is left as it was.
func (p *Provider) setStatusLocked(pay *payment.Payment, to payment.Status) error {
	from := pay.Status
	if !from.CanBecome(to) {
		return fmt.Errorf("paymenttest: internal error: payment %s cannot move from %s to %s", pay.PaymentID, from, to)
	}
	pay.Status = to
	if from == payment.StatusPending && to == payment.StatusSucceeded {
		p.charges[pay.PaymentRequestID]++
	}
	return nil
}

// refreshLocked cancels a pending payment whose expiry has passed. Expiry is
// checked whenever a payment is touched, against the clock.
func (p *Provider) refreshLocked(pay *payment.Payment) {
	if pay.Status == payment.StatusPending && p.clock.Now().After(pay.ExpiresAt) {
		// Pending may always become Cancelled, so this cannot fail.
		if p.setStatusLocked(pay, payment.StatusCancelled) == nil {
			pay.CancelledAt = pay.ExpiresAt
		}
	}
}

// findLocked returns the payment ref names (PaymentID first), refreshed,
// or nil.
func (p *Provider) findLocked(ref payment.Ref) *payment.Payment {
	var pay *payment.Payment
	if ref.PaymentID != "" {
		pay = p.payments[ref.PaymentID]
	} else {
		pay = p.byRequestID[ref.PaymentRequestID]
	}
	if pay != nil {
		p.refreshLocked(pay)
	}
	return pay
}

// paymentAnswer answers with a copy of pay; the Action only while it is
// pending. A provider whose inquiry does not show refunds
// (!Capabilities.InquiryShowsRefunds) reports a refunded payment as
// succeeded, and no refunded amount.
func (p *Provider) paymentAnswer(pay *payment.Payment) answer {
	c := clonePayment(pay)
	if c.Status != payment.StatusPending {
		c.Action = nil
	}
	if !p.caps.InquiryShowsRefunds {
		if c.Status == payment.StatusPartiallyRefunded || c.Status == payment.StatusRefunded {
			c.Status = payment.StatusSucceeded
		}
		c.Refunded = money.Amount{}
	}
	c.Result = success
	return answer{result: success, value: c}
}

func refundAnswer(r *payment.Refund) answer {
	c := cloneRefund(r)
	c.Result = success
	return answer{result: success, value: c}
}

func (p *Provider) payLocked(req *payment.PayRequest) answer {
	if pay := p.byRequestID[req.PaymentRequestID]; pay != nil {
		p.refreshLocked(pay)
		if pay.Scenario != req.Scenario || !pay.Amount.Equal(req.Amount) {
			return failed(codeRepeatReqInconsistent, "PaymentRequestID was used with another scenario or amount")
		}
		if pay.Status == payment.StatusFailed || pay.Status == payment.StatusCancelled {
			return failed(codeOrderClosed, "payment is "+string(pay.Status)+"; use a new PaymentRequestID")
		}
		return p.paymentAnswer(pay)
	}

	now := p.clock.Now()
	p.paySeq++
	id := "PT" + strconv.Itoa(p.paySeq)
	pay := &payment.Payment{
		Provider:         p.name,
		PaymentRequestID: req.PaymentRequestID,
		PaymentID:        id,
		Status:           payment.StatusPending,
		Amount:           req.Amount,
		Refunded:         zeroOf(req.Amount),
		Scenario:         req.Scenario,
		Method:           req.Method,
		Action:           actionFor(req.Scenario, id),
		CreatedAt:        now,
		ExpiresAt:        now.Add(p.expiry),
	}
	if !req.ExpiresAt.IsZero() {
		pay.ExpiresAt = req.ExpiresAt
	}
	p.payments[id] = pay
	p.byRequestID[pay.PaymentRequestID] = pay
	p.orders[pay.PaymentRequestID]++
	p.refreshLocked(pay)
	if p.autoComplete && req.Scenario.ActionKind() == payment.ActionNone && pay.Status == payment.StatusPending {
		if err := p.completeLocked(pay); err != nil {
			return answer{bug: err}
		}
	}
	return p.paymentAnswer(pay)
}

func (p *Provider) inquireLocked(ref payment.Ref) answer {
	pay := p.findLocked(ref)
	if pay == nil {
		return failed(codeOrderNotExist, "payment does not exist")
	}
	return p.paymentAnswer(pay)
}

func (p *Provider) cancelLocked(ref payment.Ref) answer {
	pay := p.findLocked(ref)
	if pay == nil {
		return failed(codeOrderNotExist, "payment does not exist")
	}
	switch pay.Status {
	case payment.StatusCancelled:
		// Cancelling again succeeds and changes nothing.
	case payment.StatusSucceeded:
		if !p.caps.CancelPaid {
			return failed(codeOrderPaid, "payment is paid; refund it instead")
		}
		fallthrough
	case payment.StatusPending:
		if err := p.setStatusLocked(pay, payment.StatusCancelled); err != nil {
			return answer{bug: err}
		}
		pay.CancelledAt = p.clock.Now()
	case payment.StatusFailed:
		return failed(codeOrderClosed, "payment is failed")
	default:
		return failed(codeOrderStatusInvalid, "payment is "+string(pay.Status)+" and cannot be cancelled")
	}
	return p.paymentAnswer(pay)
}

func (p *Provider) refundLocked(req *payment.RefundRequest) answer {
	pay := p.findLocked(req.Payment)
	if pay == nil {
		return failed(codeOrderNotExist, "payment does not exist")
	}
	if r := p.refundsByRequest[req.RefundRequestID]; r != nil {
		if r.PaymentID != pay.PaymentID || !r.Amount.Equal(req.Amount) {
			return failed(codeRepeatReqInconsistent, "RefundRequestID was used with another payment or amount")
		}
		return refundAnswer(r)
	}
	if pay.Status != payment.StatusSucceeded && pay.Status != payment.StatusPartiallyRefunded {
		return failed(codeOrderStatusInvalid, "payment is "+string(pay.Status)+"; only a paid payment can be refunded")
	}
	if req.Amount.Currency() != pay.Amount.Currency() {
		return failed(codeCurrencyNotSupport, "refund currency differs from the payment's")
	}
	total, err := pay.Refunded.Add(req.Amount)
	if err != nil {
		return failed(codeRefundAmountExceed, "refunds would exceed the paid amount")
	}
	cmp, err := total.Cmp(pay.Amount)
	if err != nil || cmp > 0 {
		return failed(codeRefundAmountExceed, "refunds would exceed the paid amount")
	}
	if cmp < 0 && !p.caps.PartialRefund {
		return failed(codePartialRefundNotSupported, "only a refund of the full amount is supported")
	}
	next := payment.StatusPartiallyRefunded
	if cmp == 0 {
		next = payment.StatusRefunded
	}
	if err := p.setStatusLocked(pay, next); err != nil {
		return answer{bug: err}
	}
	pay.Refunded = total

	now := p.clock.Now()
	p.refundSeq++
	r := &payment.Refund{
		Provider:        p.name,
		RefundRequestID: req.RefundRequestID,
		RefundID:        "RT" + strconv.Itoa(p.refundSeq),
		PaymentID:       pay.PaymentID,
		Status:          payment.RefundSucceeded,
		Amount:          req.Amount,
		Reason:          req.Reason,
		CreatedAt:       now,
		CompletedAt:     now,
	}
	p.refunds[r.RefundID] = r
	p.refundsByRequest[r.RefundRequestID] = r
	return refundAnswer(r)
}

func (p *Provider) inquireRefundLocked(ref payment.RefundRef) answer {
	var r *payment.Refund
	if ref.RefundID != "" {
		r = p.refunds[ref.RefundID]
	} else {
		r = p.refundsByRequest[ref.RefundRequestID]
	}
	if r == nil {
		return failed(codeRefundNotExist, "refund does not exist")
	}
	return refundAnswer(r)
}

func (p *Provider) completeLocked(pay *payment.Payment) error {
	if err := p.setStatusLocked(pay, payment.StatusSucceeded); err != nil {
		return err
	}
	pay.PaidAt = p.clock.Now()
	return nil
}

// Complete pays a pending payment, as the customer would: it becomes
// succeeded, and the provider records a charge. It returns a *payment.Error
// of kind payment.KindNotFound for an unknown paymentID, and of kind
// payment.KindFailed for a payment that is not pending (already paid,
// failed, cancelled or expired).
func (p *Provider) Complete(paymentID string) error {
	return p.customer("complete", paymentID, p.completeLocked)
}

// Decline fails a pending payment, as a customer who declines or a wallet
// that refuses would. Its errors are those of Complete.
func (p *Provider) Decline(paymentID string) error {
	return p.customer("decline", paymentID, func(pay *payment.Payment) error {
		if err := p.setStatusLocked(pay, payment.StatusFailed); err != nil {
			return err
		}
		pay.FailureReason = "declined by the customer"
		return nil
	})
}

// Expire cancels a pending payment now, as if its expiry time had passed.
// Its errors are those of Complete.
func (p *Provider) Expire(paymentID string) error {
	return p.customer("expire", paymentID, func(pay *payment.Payment) error {
		if err := p.setStatusLocked(pay, payment.StatusCancelled); err != nil {
			return err
		}
		pay.CancelledAt = p.clock.Now()
		return nil
	})
}

// customer applies a customer action to a pending payment.
func (p *Provider) customer(op, paymentID string, apply func(*payment.Payment) error) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	pay := p.payments[paymentID]
	if pay == nil {
		return p.newError(op, paymentID, payment.KindNotFound,
			payment.Result{Status: payment.ResultFailed, Code: codeOrderNotExist, Message: "payment does not exist"}, nil)
	}
	p.refreshLocked(pay)
	if pay.Status != payment.StatusPending {
		return p.newError(op, paymentID, payment.KindFailed,
			payment.Result{Status: payment.ResultFailed, Code: codeOrderStatusInvalid, Message: "payment is " + string(pay.Status) + ", not pending"}, nil)
	}
	if err := apply(pay); err != nil {
		return p.newError(op, paymentID, payment.KindFailed, payment.Result{}, err)
	}
	return nil
}

// Charges returns how many times the provider took money for the payment
// with this PaymentRequestID: how often it went from pending to succeeded.
// Idempotency keeps it at most 1, whatever the faults and retries; a test
// asserts on it to tell a payment that was taken (1) from one that was not
// (0), which an unknown outcome leaves open.
func (p *Provider) Charges(paymentRequestID string) int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.charges[paymentRequestID]
}

// Orders returns how many payments the provider created under this
// PaymentRequestID. Idempotency keeps it at most 1.
func (p *Provider) Orders(paymentRequestID string) int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.orders[paymentRequestID]
}
