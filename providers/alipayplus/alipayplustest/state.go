package alipayplustest

import (
	"crypto/sha256"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/url"
	"time"

	"github.com/paybridge/paybridge/money"
	"github.com/paybridge/paybridge/providers/alipayplus/internal/wire"
)

// Errors of the customer controls and SignedNotification, matched with
// errors.Is.
var (
	// ErrNotFound reports an unknown payment ID.
	ErrNotFound = errors.New("alipayplustest: not found")
	// ErrInvalidTransition reports a customer action the payment's status
	// does not allow, such as completing a cancelled payment.
	ErrInvalidTransition = errors.New("alipayplustest: invalid transition")
	// ErrNoNotification reports a payment that never reached SUCCESS or
	// FAIL, so the wallet has nothing to notify.
	ErrNoNotification = errors.New("alipayplustest: no notification for this payment")
)

// Magic values of paymentAuthCode: an agreement pay with one of them fails
// with the matching code; any other value pays at once.
const (
	// AuthCodeExpired is answered F EXPIRED_ACCESS_TOKEN.
	AuthCodeExpired = "EXPIRED"
	// AuthCodeUsed is answered F AUTH_CODE_ALREADY_USED.
	AuthCodeUsed = "USED"
	// AuthCodePoor is answered F USER_BALANCE_NOT_ENOUGH.
	AuthCodePoor = "POOR"
)

// codeExpiredAccessToken is a documented pay code that wire does not list.
const codeExpiredAccessToken = "EXPIRED_ACCESS_TOKEN"

// declineReason is the paymentFailReason of a payment the customer
// declined.
const declineReason = "user declined the payment"

// order is one payment (the wallet keeps it as an order).
type order struct {
	id, requestID, productCode string
	amount                     money.Amount
	// refunded is the sum of refunds, or the whole amount once a cancel
	// reversed the paid payment.
	refunded money.Amount
	// authHash is SHA-256 of paymentAuthCode: enough to compare a repeated
	// request, and the credential itself is not kept.
	authHash               [32]byte
	agreement              bool // paid synchronously with paymentAuthCode
	description            string
	notifyURL, redirectURL string
	status, failReason     string
	base                   string
	created, expires       time.Time
	paid, cancelled        time.Time
}

// refund is one refund; it succeeds at once.
type refund struct {
	id, requestID, paymentID string
	amount                   money.Amount
	reason                   string
	at                       time.Time
}

// PaymentSnapshot is a copy of a payment's state.
type PaymentSnapshot struct {
	PaymentID, PaymentRequestID, ProductCode string
	// Status is the wire paymentStatus: PROCESSING, SUCCESS, FAIL or
	// CANCELLED.
	Status string
	// Amount is the payment amount; Refunded the total refunded so far,
	// the whole amount after a cancel reversed a paid payment.
	Amount, Refunded money.Amount
	NotifyURL        string
	// PaidAt is zero unless the payment succeeded.
	CreatedAt, ExpiresAt, PaidAt time.Time
}

func formatTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.Format(wire.TimeLayout)
}

func wireAmount(a money.Amount) *wire.Amount {
	return &wire.Amount{Currency: a.Currency().Code(), Value: a.MinorString()}
}

// refreshLocked cancels an unpaid payment whose expiry time has passed.
func (s *Server) refreshLocked(p *order) {
	if p.status == wire.PaymentProcessing && s.clock.Now().After(p.expires) {
		p.status = wire.PaymentCancelled
		p.cancelled = p.expires
	}
}

// lookupLocked finds a payment by paymentId, or else by paymentRequestId
// (paymentId wins, as documented), and brings its expiry up to date.
func (s *Server) lookupLocked(paymentID, paymentRequestID string) *order {
	var p *order
	switch {
	case paymentID != "":
		p = s.payments[paymentID]
	case paymentRequestID != "":
		p = s.byRequestID[paymentRequestID]
	}
	if p != nil {
		s.refreshLocked(p)
	}
	return p
}

// newIDLocked returns a unique 32-digit ID: the clock's yyyyMMddHHmmss and
// 18 random digits, like the wallets' long numeric IDs.
func (s *Server) newIDLocked() string {
	for {
		id := s.clock.Now().Format("20060102150405") + fmt.Sprintf("%018d", rand.Int64N(1e18))
		if s.payments[id] == nil && s.refunds[id] == nil && len(id) == 32 {
			return id
		}
	}
}

// cashierURL is the cashier page of a payment, carrying the merchant's
// redirect URL so the page can link back.
func cashierURL(p *order) string {
	u := p.base + "/cashier/" + p.id
	if p.redirectURL != "" {
		u += "?redirect=" + url.QueryEscape(p.redirectURL)
	}
	return u
}

// pay creates a payment or answers an existing one, idempotently. Its
// answers carry paymentAmount, which is not in the documented answer:
// serveAPI drops it unless WithAnswerAmounts.
func (s *Server) pay(req *wire.PayRequest, tree map[string]any, base string) *wire.PayResponse {
	amt, expires, res := s.checkPay(req, tree)
	if res != nil {
		return &wire.PayResponse{Result: *res}
	}
	authHash := sha256.Sum256([]byte(req.PaymentAuthCode))
	s.mu.Lock()
	defer s.mu.Unlock()
	if p := s.byRequestID[req.PaymentRequestID]; p != nil {
		s.refreshLocked(p)
		if p.productCode != req.ProductCode || !p.amount.Equal(amt) || p.authHash != authHash {
			return &wire.PayResponse{Result: fail(wire.CodeRepeatReqInconsistent,
				"paymentRequestId was used with a different productCode, amount or paymentAuthCode")}
		}
		resp := &wire.PayResponse{
			Result:        ok(wire.CodeRepeatRequest, "repeat order create request"),
			PaymentID:     p.id,
			PaymentTime:   formatTime(p.paid),
			PaymentAmount: wireAmount(p.amount),
		}
		if p.status == wire.PaymentProcessing {
			resp.RedirectActionForm = newForm("GET", cashierURL(p), s.cfg.redirectField)
		}
		return resp
	}
	if req.PaymentAuthCode != "" {
		switch req.PaymentAuthCode {
		case AuthCodeExpired:
			return &wire.PayResponse{Result: fail(codeExpiredAccessToken, "the access token has expired")}
		case AuthCodeUsed:
			return &wire.PayResponse{Result: fail(wire.CodeAuthCodeAlreadyUsed, "the auth code was already used")}
		case AuthCodePoor:
			return &wire.PayResponse{Result: fail(wire.CodeUserBalanceNotEnough, "the user's balance is not enough")}
		}
	}

	now := s.clock.Now()
	if !expires.IsZero() && !expires.After(now) {
		return &wire.PayResponse{Result: fail(wire.CodeParamIllegal, "paymentExpiryTime must be in the future")}
	}
	p := &order{
		id:          s.newIDLocked(),
		requestID:   req.PaymentRequestID,
		productCode: req.ProductCode,
		amount:      amt,
		authHash:    authHash,
		agreement:   req.PaymentAuthCode != "",
		description: req.Order.OrderDescription,
		notifyURL:   req.PaymentNotifyURL,
		redirectURL: req.PaymentRedirectURL,
		status:      wire.PaymentProcessing,
		base:        base,
		created:     now,
		expires:     expires,
	}
	if p.expires.IsZero() {
		p.expires = now.Add(s.cfg.expiry)
	}
	p.refunded, _ = money.FromMinor(0, amt.Currency())
	s.payments[p.id] = p
	s.byRequestID[p.requestID] = p
	s.orderCount[p.requestID]++

	if p.agreement {
		// Agreement pay is synchronous: the wallet debits the user now.
		s.completeLocked(p)
		return &wire.PayResponse{
			Result:        ok(wire.CodeSuccess, "success"),
			PaymentID:     p.id,
			PaymentTime:   formatTime(p.paid),
			PaymentAmount: wireAmount(p.amount),
		}
	}
	result := ok(wire.CodeSuccess, "success")
	if s.cfg.acceptStatus == wire.StatusA {
		result = wire.Result{ResultCode: wire.CodeAccept, ResultStatus: wire.StatusA, ResultMessage: "accept"}
	}
	resp := &wire.PayResponse{
		Result:             result,
		PaymentID:          p.id,
		PaymentAmount:      wireAmount(p.amount),
		RedirectActionForm: newForm("GET", cashierURL(p), s.cfg.redirectField),
	}
	if s.cfg.autoComplete {
		s.completeLocked(p)
	}
	return resp
}

func (s *Server) inquiry(ref *wire.PaymentRef) *wire.InquiryResponse {
	if res := checkPaymentRef(ref); res != nil {
		return &wire.InquiryResponse{Result: *res}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	p := s.lookupLocked(ref.PaymentID, ref.PaymentRequestID)
	if p == nil {
		return &wire.InquiryResponse{Result: fail(wire.CodeOrderNotExist, "the payment does not exist")}
	}
	return &wire.InquiryResponse{
		Result:            ok(wire.CodeSuccess, "success"),
		PaymentID:         p.id,
		PaymentRequestID:  p.requestID,
		PaymentAmount:     wireAmount(p.amount),
		PaymentTime:       formatTime(p.paid),
		PaymentStatus:     p.status,
		PaymentFailReason: p.failReason,
	}
}

// cancelPayment cancels an unpaid payment, or reverses a paid one within
// the cancel window.
func (s *Server) cancelPayment(ref *wire.PaymentRef) *wire.CancelResponse {
	if res := checkPaymentRef(ref); res != nil {
		return &wire.CancelResponse{Result: *res}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	p := s.lookupLocked(ref.PaymentID, ref.PaymentRequestID)
	if p == nil {
		return &wire.CancelResponse{Result: fail(wire.CodeOrderNotExist, "the payment does not exist")}
	}
	resp := &wire.CancelResponse{PaymentID: p.id, PaymentRequestID: p.requestID}
	now := s.clock.Now()
	switch p.status {
	case wire.PaymentProcessing:
		p.status = wire.PaymentCancelled
		p.cancelled = now
	case wire.PaymentCancelled:
	case wire.PaymentSuccess:
		if !p.refunded.IsZero() {
			return &wire.CancelResponse{Result: fail(wire.CodeOrderStatusInvalid, "the payment has refunds and cannot be cancelled")}
		}
		if now.Sub(p.paid) > s.cfg.cancelWindow {
			return &wire.CancelResponse{Result: fail(wire.CodeCancelWindowExceed, "the cancel window has passed; refund instead")}
		}
		// A full reversal: the customer gets everything back.
		p.status = wire.PaymentCancelled
		p.cancelled = now
		p.refunded = p.amount
	default:
		return &wire.CancelResponse{Result: fail(wire.CodeOrderStatusInvalid, "the payment is "+p.status)}
	}
	resp.Result = ok(wire.CodeSuccess, "success")
	resp.CancelTime = formatTime(p.cancelled)
	return resp
}

// refund refunds part or all of a paid payment, idempotently.
func (s *Server) refund(req *wire.RefundRequest, tree map[string]any) *wire.RefundResponse {
	failed := func(code, msg string) *wire.RefundResponse { return &wire.RefundResponse{Result: fail(code, msg)} }
	amt, res := checkRefund(req, tree)
	if res != nil {
		return &wire.RefundResponse{Result: *res}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	p := s.lookupLocked(req.PaymentID, req.PaymentRequestID)
	if p == nil {
		return failed(wire.CodeOrderNotExist, "the payment does not exist")
	}
	if r := s.refundsByRequestID[req.RefundRequestID]; r != nil {
		if r.paymentID != p.id || !r.amount.Equal(amt) {
			return failed(wire.CodeRepeatReqInconsistent, "refundRequestId was used with a different payment or amount")
		}
		return refundResponse(r)
	}
	if amt.Currency().Code() != p.amount.Currency().Code() {
		return failed(wire.CodeCurrencyNotSupport, "refundAmount.currency must be the payment's currency")
	}
	if p.status != wire.PaymentSuccess {
		return failed(wire.CodeOrderStatusInvalid, "the payment is "+p.status)
	}
	total, err := p.refunded.Add(amt)
	if err != nil {
		return failed(wire.CodeRefundAmountExceed, "the refunds would exceed the payment amount")
	}
	if c, err := total.Cmp(p.amount); err != nil || c > 0 {
		return failed(wire.CodeRefundAmountExceed, "the refunds would exceed the payment amount")
	}
	r := &refund{
		id:        s.newIDLocked(),
		requestID: req.RefundRequestID,
		paymentID: p.id,
		amount:    amt,
		reason:    req.RefundReason,
		at:        s.clock.Now(),
	}
	s.refunds[r.id] = r
	s.refundsByRequestID[r.requestID] = r
	p.refunded = total
	return refundResponse(r)
}

// refundResponse is a refund's answer. refundAmount is not in the
// documented answer: serveAPI drops it unless WithAnswerAmounts.
func refundResponse(r *refund) *wire.RefundResponse {
	return &wire.RefundResponse{Result: ok(wire.CodeSuccess, "success"), RefundID: r.id, RefundAmount: wireAmount(r.amount), RefundTime: formatTime(r.at)}
}

func (s *Server) inquiryRefund(ref *wire.RefundRef) *wire.InquiryRefundResponse {
	if res := checkRefundRef(ref); res != nil {
		return &wire.InquiryRefundResponse{Result: *res}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var r *refund
	if ref.RefundID != "" {
		r = s.refunds[ref.RefundID]
	} else {
		r = s.refundsByRequestID[ref.RefundRequestID]
	}
	if r == nil {
		return &wire.InquiryRefundResponse{Result: fail(wire.CodeRefundNotExist, "the refund does not exist")}
	}
	return &wire.InquiryRefundResponse{
		Result:          ok(wire.CodeSuccess, "success"),
		RefundID:        r.id,
		RefundRequestID: r.requestID,
		RefundAmount:    wireAmount(r.amount),
		RefundReason:    r.reason,
		RefundTime:      formatTime(r.at),
		RefundStatus:    wire.RefundSuccess,
	}
}

// completeLocked is the customer paying: one charge and the notification.
func (s *Server) completeLocked(p *order) {
	p.status = wire.PaymentSuccess
	p.paid = s.clock.Now()
	s.charges[p.requestID]++
	s.notifyLocked(p)
}

// pendingLocked returns the payment if it exists and awaits the customer.
func (s *Server) pendingLocked(op, id string) (*order, error) {
	p := s.lookupLocked(id, "")
	if p == nil {
		return nil, fmt.Errorf("%w: %s: payment %s", ErrNotFound, op, id)
	}
	if p.status != wire.PaymentProcessing {
		return nil, fmt.Errorf("%w: %s: payment %s is %s", ErrInvalidTransition, op, id, p.status)
	}
	return p, nil
}

// Complete is the customer paying at the cashier: PROCESSING becomes
// SUCCESS, one charge is recorded and the payment notification is sent.
// It returns an error wrapping ErrNotFound or ErrInvalidTransition
// otherwise (an expired payment is CANCELLED).
func (s *Server) Complete(paymentID string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, err := s.pendingLocked("complete", paymentID)
	if err != nil {
		return err
	}
	s.completeLocked(p)
	return nil
}

// Decline is the customer refusing to pay: PROCESSING becomes FAIL and the
// payment notification is sent.
func (s *Server) Decline(paymentID string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, err := s.pendingLocked("decline", paymentID)
	if err != nil {
		return err
	}
	p.status = wire.PaymentFail
	p.failReason = declineReason
	s.notifyLocked(p)
	return nil
}

// Expire cancels an unpaid payment now, whatever the clock says. Expiring
// a CANCELLED payment does nothing; any other status is
// ErrInvalidTransition.
func (s *Server) Expire(paymentID string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if p := s.lookupLocked(paymentID, ""); p != nil && p.status == wire.PaymentCancelled {
		return nil
	}
	p, err := s.pendingLocked("expire", paymentID)
	if err != nil {
		return err
	}
	p.status = wire.PaymentCancelled
	p.cancelled = s.clock.Now()
	return nil
}

func snapshot(p *order) PaymentSnapshot {
	return PaymentSnapshot{
		PaymentID: p.id, PaymentRequestID: p.requestID, ProductCode: p.productCode,
		Status: p.status, Amount: p.amount, Refunded: p.refunded, NotifyURL: p.notifyURL,
		CreatedAt: p.created, ExpiresAt: p.expires, PaidAt: p.paid,
	}
}

// Payment returns the payment with the wallet's paymentId.
func (s *Server) Payment(paymentID string) (PaymentSnapshot, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p := s.lookupLocked(paymentID, "")
	if p == nil {
		return PaymentSnapshot{}, false
	}
	return snapshot(p), true
}

// PaymentByRequestID returns the payment with the merchant's
// paymentRequestId.
func (s *Server) PaymentByRequestID(paymentRequestID string) (PaymentSnapshot, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p := s.lookupLocked("", paymentRequestID)
	if p == nil {
		return PaymentSnapshot{}, false
	}
	return snapshot(p), true
}

// Orders returns how many payments were created for a paymentRequestId;
// with correct idempotency it is never more than 1.
func (s *Server) Orders(paymentRequestID string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.orderCount[paymentRequestID]
}

// Charges returns how many times money was taken for a paymentRequestId
// (transitions to SUCCESS).
func (s *Server) Charges(paymentRequestID string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.charges[paymentRequestID]
}

// CashierURL returns the cashier page of a payment, where a person can
// approve or decline it: the URL of the pay answer's redirectActionForm.
// It is "" for an unknown ID.
func (s *Server) CashierURL(paymentID string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	p := s.payments[paymentID]
	if p == nil {
		return ""
	}
	return cashierURL(p)
}
