package alipayplustest

import (
	"crypto/sha256"
	"errors"
	"time"

	"github.com/paybridge/paybridge/money"
	"github.com/paybridge/paybridge/payment"
	"github.com/paybridge/paybridge/providers/alipayfamily/familytest"
	"github.com/paybridge/paybridge/providers/alipayplus/internal/wire"
	"github.com/paybridge/paybridge/simulator"
)

// Errors of the customer controls and SignedNotification, matched with
// errors.Is.
var (
	// ErrNotFound reports an unknown payment ID.
	ErrNotFound = simulator.ErrNotFound
	// ErrInvalidTransition reports a customer action the payment's status
	// does not allow, such as completing a cancelled payment.
	ErrInvalidTransition = simulator.ErrInvalidTransition
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

// order is what the wallet keeps of a payment beyond the ledger's
// neutral fields.
type order struct {
	productCode string
	// authHash is SHA-256 of paymentAuthCode: enough to compare a repeated
	// request, and the credential itself is not kept.
	authHash  [32]byte
	agreement bool // paid synchronously with paymentAuthCode
}

func ext(p *simulator.Payment) *order { return p.Ext.(*order) }

// wireStatus is the wallet's paymentStatus of a payment: the family's
// (familytest.WireStatus). The wallet's inquiry does not show refunds: a
// refunded payment stays SUCCESS (Capabilities.InquiryShowsRefunds is
// false for Alipay+), while PaymentStatus shows it partially refunded or
// refunded. A paid payment reversed by a cancel is CANCELLED.
var wireStatus = familytest.WireStatus

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

// The family's body values (familytest), under the names this package
// has always used.
var (
	formatTime = familytest.FormatTime
	wireAmount = familytest.WireAmount
)

// cashierForm is the redirect action form of a pending payment: a GET of
// its cashier page.
func (s *Server) cashierForm(p *simulator.Payment) *wire.RedirectActionForm {
	return newForm("GET", cashier.URL(p), s.cfg.redirectField)
}

// pay creates a payment or answers an existing one, idempotently. Its
// answers carry paymentAmount, which is not in the documented answer:
// Alter drops it unless WithAnswerAmounts.
func (s *Server) pay(req *wire.PayRequest, tree map[string]any, base string) *wire.PayResponse {
	amt, expires, res := s.checkPay(req, tree)
	if res != nil {
		return &wire.PayResponse{Result: *res}
	}
	authHash := sha256.Sum256([]byte(req.PaymentAuthCode))
	s.ledger.Lock()
	defer s.ledger.Unlock()
	if p := s.ledger.ByRequestIDLocked(req.PaymentRequestID); p != nil {
		if o := ext(p); o.productCode != req.ProductCode || !p.Amount.Equal(amt) || o.authHash != authHash {
			return &wire.PayResponse{Result: fail(wire.CodeRepeatReqInconsistent,
				"paymentRequestId was used with a different productCode, amount or paymentAuthCode")}
		}
		resp := &wire.PayResponse{
			Result:        ok(wire.CodeRepeatRequest, "repeat order create request"),
			PaymentID:     p.ID,
			PaymentTime:   formatTime(p.Paid),
			PaymentAmount: wireAmount(p.Amount),
		}
		if p.Status == payment.StatusPending {
			resp.RedirectActionForm = s.cashierForm(p)
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
	if expires.IsZero() {
		expires = now.Add(s.cfg.expiry)
	}
	o := &order{productCode: req.ProductCode, authHash: authHash, agreement: req.PaymentAuthCode != ""}
	p := &simulator.Payment{
		RequestID:   req.PaymentRequestID,
		Amount:      amt,
		Description: req.Order.OrderDescription,
		NotifyURL:   req.PaymentNotifyURL,
		RedirectURL: req.PaymentRedirectURL,
		Base:        base,
		Created:     now,
		Expires:     expires,
		Ext:         o,
	}
	s.ledger.AddLocked(p)

	if o.agreement {
		// Agreement pay is synchronous: the wallet debits the user now.
		s.ledger.CompleteLocked(p)
		return &wire.PayResponse{
			Result:        ok(wire.CodeSuccess, "success"),
			PaymentID:     p.ID,
			PaymentTime:   formatTime(p.Paid),
			PaymentAmount: wireAmount(p.Amount),
		}
	}
	result := ok(wire.CodeSuccess, "success")
	if s.cfg.acceptStatus == wire.StatusA {
		result = wire.Result{ResultCode: wire.CodeAccept, ResultStatus: wire.StatusA, ResultMessage: "accept"}
	}
	resp := &wire.PayResponse{
		Result:             result,
		PaymentID:          p.ID,
		PaymentAmount:      wireAmount(p.Amount),
		RedirectActionForm: s.cashierForm(p),
	}
	if s.cfg.AutoComplete {
		s.ledger.CompleteLocked(p)
	}
	return resp
}

func (s *Server) inquiry(ref *wire.PaymentRef) *wire.InquiryResponse {
	if res := checkPaymentRef(ref); res != nil {
		return &wire.InquiryResponse{Result: *res}
	}
	s.ledger.Lock()
	defer s.ledger.Unlock()
	p := s.ledger.FindLocked(ref.PaymentID, ref.PaymentRequestID)
	if p == nil {
		return &wire.InquiryResponse{Result: fail(wire.CodeOrderNotExist, "the payment does not exist")}
	}
	return &wire.InquiryResponse{
		Result:            ok(wire.CodeSuccess, "success"),
		PaymentID:         p.ID,
		PaymentRequestID:  p.RequestID,
		PaymentAmount:     wireAmount(p.Amount),
		PaymentTime:       formatTime(p.Paid),
		PaymentStatus:     wireStatus(p),
		PaymentFailReason: p.FailReason,
	}
}

// cancelPayment cancels an unpaid payment, or reverses a paid one within
// the cancel window.
func (s *Server) cancelPayment(ref *wire.PaymentRef) *wire.CancelResponse {
	if res := checkPaymentRef(ref); res != nil {
		return &wire.CancelResponse{Result: *res}
	}
	s.ledger.Lock()
	defer s.ledger.Unlock()
	p := s.ledger.FindLocked(ref.PaymentID, ref.PaymentRequestID)
	if p == nil {
		return &wire.CancelResponse{Result: fail(wire.CodeOrderNotExist, "the payment does not exist")}
	}
	resp := &wire.CancelResponse{PaymentID: p.ID, PaymentRequestID: p.RequestID}
	if res := familytest.CancelLocked(s.ledger, p, s.clock.Now(), s.cfg.cancelWindow, wireStatus(p)); res != nil {
		return &wire.CancelResponse{Result: *res}
	}
	resp.Result = ok(wire.CodeSuccess, "success")
	resp.CancelTime = formatTime(p.Closed)
	return resp
}

// refund refunds part or all of a paid payment, idempotently.
func (s *Server) refund(req *wire.RefundRequest, tree map[string]any) *wire.RefundResponse {
	amt, res := checkRefund(req, tree)
	if res != nil {
		return &wire.RefundResponse{Result: *res}
	}
	s.ledger.Lock()
	defer s.ledger.Unlock()
	p := s.ledger.FindLocked(req.PaymentID, req.PaymentRequestID)
	if p == nil {
		return &wire.RefundResponse{Result: fail(wire.CodeOrderNotExist, "the payment does not exist")}
	}
	r, res := familytest.RefundLocked(s.ledger, p, req.RefundRequestID, amt, req.RefundReason, wireStatus(p))
	if res != nil {
		return &wire.RefundResponse{Result: *res}
	}
	return refundResponse(r)
}

// refundResponse is a refund's answer. refundAmount is not in the
// documented answer: Alter drops it unless WithAnswerAmounts.
func refundResponse(r *simulator.Refund) *wire.RefundResponse {
	return &wire.RefundResponse{Result: ok(wire.CodeSuccess, "success"), RefundID: r.ID, RefundAmount: wireAmount(r.Amount), RefundTime: formatTime(r.At)}
}

func (s *Server) inquiryRefund(ref *wire.RefundRef) *wire.InquiryRefundResponse {
	if res := checkRefundRef(ref); res != nil {
		return &wire.InquiryRefundResponse{Result: *res}
	}
	s.ledger.Lock()
	defer s.ledger.Unlock()
	r, res := familytest.FindRefundLocked(s.ledger, ref.RefundID, ref.RefundRequestID)
	if res != nil {
		return &wire.InquiryRefundResponse{Result: *res}
	}
	return &wire.InquiryRefundResponse{
		Result:          ok(wire.CodeSuccess, "success"),
		RefundID:        r.ID,
		RefundRequestID: r.RequestID,
		RefundAmount:    wireAmount(r.Amount),
		RefundReason:    r.Description,
		RefundTime:      formatTime(r.At),
		RefundStatus:    wire.RefundSuccess,
	}
}

// snapshot is a payment as PaymentSnapshot shows it.
func snapshot(p *simulator.Payment) PaymentSnapshot {
	return PaymentSnapshot{
		PaymentID: p.ID, PaymentRequestID: p.RequestID, ProductCode: ext(p).productCode,
		Status: wireStatus(p), Amount: p.Amount, Refunded: p.Refunded, NotifyURL: p.NotifyURL,
		CreatedAt: p.Created, ExpiresAt: p.Expires, PaidAt: p.Paid,
	}
}
