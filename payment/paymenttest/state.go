package paymenttest

import (
	"fmt"
	"maps"
	"strconv"
	"sync"
	"time"

	"github.com/paybridge/paybridge/money"
	"github.com/paybridge/paybridge/payment"
)

// state is the simulated provider's books: payments and refunds, their
// idempotency keys, and the charges and orders a test asserts on. The
// server (server.go) and the customer controls reach it only under mu, so
// each request or action is processed atomically, as in a provider's
// database transaction; the Locked methods expect mu held.
type state struct {
	caps         payment.Capabilities
	clock        payment.Clock
	expiry       time.Duration
	autoComplete bool

	mu               sync.Mutex
	paySeq           int
	refundSeq        int
	payments         map[string]*payment.Payment // by PaymentID
	byRequestID      map[string]*payment.Payment // by PaymentRequestID
	refunds          map[string]*payment.Refund  // by RefundID
	refundsByRequest map[string]*payment.Refund  // by RefundRequestID
	charges          map[string]int              // by PaymentRequestID
	orders           map[string]int              // by PaymentRequestID
}

func newState(caps payment.Capabilities, clk payment.Clock, expiry time.Duration, autoComplete bool) *state {
	return &state{
		caps:             caps,
		clock:            clk,
		expiry:           expiry,
		autoComplete:     autoComplete,
		payments:         make(map[string]*payment.Payment),
		byRequestID:      make(map[string]*payment.Payment),
		refunds:          make(map[string]*payment.Refund),
		refundsByRequest: make(map[string]*payment.Refund),
		charges:          make(map[string]int),
		orders:           make(map[string]int),
	}
}

// answer is the provider's answer to one request: a result and, with S, a
// copy of the payment or refund.
type answer struct {
	result  payment.Result
	payment *payment.Payment
	refund  *payment.Refund
	// bug is a broken invariant of the model; it is answered as
	// F INTERNAL_ERROR, as a provider that cannot process a request
	// consistently would refuse it.
	bug error
}

// process runs one request's processing atomically.
func (s *state) process(f func() answer) answer {
	s.mu.Lock()
	defer s.mu.Unlock()
	return f()
}

// qrImage is a fixed 1×1 PNG: tests need a valid image, not a scannable one.
const qrImage = "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAAAAAA6fptVAAAADklEQVR4nGJiAAQAAP//AAYAA/rQWa4AAAAASUVORK5CYII="

var success = payment.Result{Status: payment.ResultSucceeded, Code: codeSuccess, Message: "success"}

func failedResult(code, msg string) payment.Result {
	return payment.Result{Status: payment.ResultFailed, Code: code, Message: msg}
}

func failed(code, msg string) answer {
	return answer{result: failedResult(code, msg)}
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
func (s *state) setStatusLocked(pay *payment.Payment, to payment.Status) error {
	from := pay.Status
	if !from.CanBecome(to) {
		return fmt.Errorf("paymenttest: internal error: payment %s cannot move from %s to %s", pay.PaymentID, from, to)
	}
	pay.Status = to
	if from == payment.StatusPending && to == payment.StatusSucceeded {
		s.charges[pay.PaymentRequestID]++
	}
	return nil
}

// refreshLocked cancels a pending payment whose expiry has passed. Expiry is
// checked whenever a payment is touched, against the clock.
func (s *state) refreshLocked(pay *payment.Payment) {
	if pay.Status == payment.StatusPending && s.clock.Now().After(pay.ExpiresAt) {
		// Pending may always become Cancelled, so this cannot fail.
		if s.setStatusLocked(pay, payment.StatusCancelled) == nil {
			pay.CancelledAt = pay.ExpiresAt
		}
	}
}

// findLocked returns the payment ref names (PaymentID first), refreshed,
// or nil.
func (s *state) findLocked(ref payment.Ref) *payment.Payment {
	var pay *payment.Payment
	if ref.PaymentID != "" {
		pay = s.payments[ref.PaymentID]
	} else {
		pay = s.byRequestID[ref.PaymentRequestID]
	}
	if pay != nil {
		s.refreshLocked(pay)
	}
	return pay
}

// paymentAnswer answers with a copy of pay; the Action only while it is
// pending. A provider whose inquiry does not show refunds
// (!Capabilities.InquiryShowsRefunds) reports a refunded payment as
// succeeded, and no refunded amount.
func (s *state) paymentAnswer(pay *payment.Payment) answer {
	c := clonePayment(pay)
	if c.Status != payment.StatusPending {
		c.Action = nil
	}
	if !s.caps.InquiryShowsRefunds {
		if c.Status == payment.StatusPartiallyRefunded || c.Status == payment.StatusRefunded {
			c.Status = payment.StatusSucceeded
		}
		c.Refunded = money.Amount{}
	}
	return answer{result: success, payment: c}
}

func refundAnswer(r *payment.Refund) answer {
	c := *r
	return answer{result: success, refund: &c}
}

func (s *state) payLocked(req *payment.PayRequest) answer {
	if pay := s.byRequestID[req.PaymentRequestID]; pay != nil {
		s.refreshLocked(pay)
		if pay.Scenario != req.Scenario || !pay.Amount.Equal(req.Amount) {
			return failed(codeRepeatReqInconsistent, "PaymentRequestID was used with another scenario or amount")
		}
		if pay.Status == payment.StatusFailed || pay.Status == payment.StatusCancelled {
			return failed(codeOrderClosed, "payment is "+string(pay.Status)+"; use a new PaymentRequestID")
		}
		return s.paymentAnswer(pay)
	}

	now := s.clock.Now()
	s.paySeq++
	id := "PT" + strconv.Itoa(s.paySeq)
	pay := &payment.Payment{
		PaymentRequestID: req.PaymentRequestID,
		PaymentID:        id,
		Status:           payment.StatusPending,
		Amount:           req.Amount,
		Refunded:         zeroOf(req.Amount),
		Scenario:         req.Scenario,
		Method:           req.Method,
		Action:           actionFor(req.Scenario, id),
		CreatedAt:        now,
		ExpiresAt:        now.Add(s.expiry),
	}
	if !req.ExpiresAt.IsZero() {
		pay.ExpiresAt = req.ExpiresAt
	}
	s.payments[id] = pay
	s.byRequestID[pay.PaymentRequestID] = pay
	s.orders[pay.PaymentRequestID]++
	s.refreshLocked(pay)
	if s.autoComplete && req.Scenario.ActionKind() == payment.ActionNone && pay.Status == payment.StatusPending {
		if err := s.completeLocked(pay); err != nil {
			return answer{bug: err}
		}
	}
	return s.paymentAnswer(pay)
}

func (s *state) inquireLocked(ref payment.Ref) answer {
	pay := s.findLocked(ref)
	if pay == nil {
		return failed(codeOrderNotExist, "payment does not exist")
	}
	return s.paymentAnswer(pay)
}

func (s *state) cancelLocked(ref payment.Ref) answer {
	pay := s.findLocked(ref)
	if pay == nil {
		return failed(codeOrderNotExist, "payment does not exist")
	}
	switch pay.Status {
	case payment.StatusCancelled:
		// Cancelling again succeeds and changes nothing.
	case payment.StatusSucceeded:
		if !s.caps.CancelPaid {
			return failed(codeOrderPaid, "payment is paid; refund it instead")
		}
		fallthrough
	case payment.StatusPending:
		if err := s.setStatusLocked(pay, payment.StatusCancelled); err != nil {
			return answer{bug: err}
		}
		pay.CancelledAt = s.clock.Now()
	case payment.StatusFailed:
		return failed(codeOrderClosed, "payment is failed")
	default:
		return failed(codeOrderStatusInvalid, "payment is "+string(pay.Status)+" and cannot be cancelled")
	}
	return s.paymentAnswer(pay)
}

func (s *state) refundLocked(req *payment.RefundRequest) answer {
	pay := s.findLocked(req.Payment)
	if pay == nil {
		return failed(codeOrderNotExist, "payment does not exist")
	}
	if r := s.refundsByRequest[req.RefundRequestID]; r != nil {
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
	if cmp < 0 && !s.caps.PartialRefund {
		return failed(codePartialRefundNotSupported, "only a refund of the full amount is supported")
	}
	next := payment.StatusPartiallyRefunded
	if cmp == 0 {
		next = payment.StatusRefunded
	}
	if err := s.setStatusLocked(pay, next); err != nil {
		return answer{bug: err}
	}
	pay.Refunded = total

	now := s.clock.Now()
	s.refundSeq++
	r := &payment.Refund{
		RefundRequestID: req.RefundRequestID,
		RefundID:        "RT" + strconv.Itoa(s.refundSeq),
		PaymentID:       pay.PaymentID,
		Status:          payment.RefundSucceeded,
		Amount:          req.Amount,
		Reason:          req.Reason,
		CreatedAt:       now,
		CompletedAt:     now,
	}
	s.refunds[r.RefundID] = r
	s.refundsByRequest[r.RefundRequestID] = r
	return refundAnswer(r)
}

func (s *state) inquireRefundLocked(ref payment.RefundRef) answer {
	var r *payment.Refund
	if ref.RefundID != "" {
		r = s.refunds[ref.RefundID]
	} else {
		r = s.refundsByRequest[ref.RefundRequestID]
	}
	if r == nil {
		return failed(codeRefundNotExist, "refund does not exist")
	}
	return refundAnswer(r)
}

func (s *state) completeLocked(pay *payment.Payment) error {
	if err := s.setStatusLocked(pay, payment.StatusSucceeded); err != nil {
		return err
	}
	pay.PaidAt = s.clock.Now()
	return nil
}

// customer applies a customer action to a pending payment. It returns the
// zero Result, or the F result a provider's cashier refuses the action
// with (a model bug is F INTERNAL_ERROR, as in answers).
func (s *state) customer(paymentID string, apply func(*payment.Payment) error) payment.Result {
	s.mu.Lock()
	defer s.mu.Unlock()
	pay := s.payments[paymentID]
	if pay == nil {
		return failedResult(codeOrderNotExist, "payment does not exist")
	}
	s.refreshLocked(pay)
	if pay.Status != payment.StatusPending {
		return failedResult(codeOrderStatusInvalid, "payment is "+string(pay.Status)+", not pending")
	}
	if err := apply(pay); err != nil {
		return failedResult(codeInternalError, err.Error())
	}
	return payment.Result{}
}

func (s *state) declineLocked(pay *payment.Payment) error {
	if err := s.setStatusLocked(pay, payment.StatusFailed); err != nil {
		return err
	}
	pay.FailureReason = "declined by the customer"
	return nil
}

func (s *state) expireLocked(pay *payment.Payment) error {
	if err := s.setStatusLocked(pay, payment.StatusCancelled); err != nil {
		return err
	}
	pay.CancelledAt = s.clock.Now()
	return nil
}

func (s *state) count(m map[string]int, paymentRequestID string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return m[paymentRequestID]
}

// clonePayment returns a deep copy, so that no answer shares memory with the
// provider's state.
func clonePayment(src *payment.Payment) *payment.Payment {
	c := *src
	if src.Action != nil {
		a := *src.Action
		a.SDKParams = maps.Clone(src.Action.SDKParams)
		c.Action = &a
	}
	return &c
}

func zeroOf(a money.Amount) money.Amount {
	z, _ := money.FromMinor(0, a.Currency())
	return z
}
