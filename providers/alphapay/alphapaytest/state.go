package alphapaytest

import (
	"errors"
	"fmt"
	"math/big"
	"math/rand/v2"
	"sort"
	"time"

	"github.com/paybridge/paybridge/money"
	"github.com/paybridge/paybridge/providers/alphapay/internal/wire"
)

// Errors of the customer controls, matched with errors.Is.
var (
	// ErrNotFound reports an unknown payment or refund ID.
	ErrNotFound = errors.New("alphapaytest: not found")
	// ErrInvalidTransition reports a customer action the payment's status
	// does not allow, such as completing a closed payment.
	ErrInvalidTransition = errors.New("alphapaytest: invalid transition")
)

// refundValidityYears is how long after payment refunds are accepted
// (REFUND_VALID_DATE_EXCEED).
const refundValidityYears = 1

// order is one payment (AlphaPay calls it an order).
type order struct {
	id, requestID, scenario string
	amount, refunded        money.Amount
	description             string
	notifyURL, redirectURL  string
	method                  *wire.PaymentMethod
	customer                *wire.Customer
	card                    *wire.Card // only CardID: CREDIT_CARD answers carry it
	info                    *wire.PaymentInfo
	status                  string
	tiny                    bool // CNY worth <= 0.01 CAD: fails when completed
	base                    string
	created, expires        time.Time
	paid, closed            time.Time
}

// refund is one refund; it succeeds at once.
type refund struct {
	id, requestID, paymentID string
	amount                   money.Amount
	description, notifyURL   string
	at                       time.Time
}

// PaymentSnapshot is a copy of a payment's state.
type PaymentSnapshot struct {
	PaymentID, PaymentRequestID, ScenarioCode string
	// Status is the wire paymentStatus: PAYMENT_IN_PROCESS, SUCCESS,
	// FAILED, CLOSED, PARTIAL_REFUND or FULL_REFUND.
	Status string
	// Amount is the order amount; Refunded the total refunded so far.
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

func wireAmount(a money.Amount) wire.Amount {
	return wire.Amount{Value: a.MinorString(), Currency: a.Currency().Code()}
}

func isPaid(status string) bool {
	return status == wire.PaymentSuccess || status == wire.PaymentPartialRefund || status == wire.PaymentFullRefund
}

// refreshLocked closes an unpaid order whose expiry time has passed.
func (s *Server) refreshLocked(o *order) {
	if o.status == wire.PaymentInProcess && s.clock.Now().After(o.expires) {
		o.status = wire.PaymentClosed
		o.closed = o.expires
	}
}

func (s *Server) orderLocked(id string) *order {
	o := s.payments[id]
	if o != nil {
		s.refreshLocked(o)
	}
	return o
}

// newID returns a unique 25-digit ID: the clock's yyMMddHHmmss and 13
// random digits, like AlphaPay's observed paymentIds.
func (s *Server) newIDLocked() string {
	for {
		id := s.clock.Now().Format("060102150405") + fmt.Sprintf("%013d", rand.Int64N(1e13))
		if s.payments[id] == nil && s.refunds[id] == nil && len(id) == 25 {
			return id
		}
	}
}

// isTiny reports whether a CNY amount is worth 0.01 CAD or less.
func (s *Server) isTiny(a money.Amount) bool {
	if a.Currency().Code() != "CNY" {
		return false
	}
	den := new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(a.Currency().Exponent())), nil)
	cad := new(big.Rat).SetFrac(big.NewInt(a.Minor()), den)
	cad.Mul(cad, s.cnyRate)
	return cad.Cmp(big.NewRat(1, 100)) <= 0
}

// payResponseLocked echoes an order as the pay answer.
func payResponseLocked(o *order, res wire.Result) *wire.PayResponse {
	resp := &wire.PayResponse{
		ScenarioCode:     o.scenario,
		PaymentRequestID: o.requestID,
		PaymentID:        o.id,
		Order: &wire.Order{
			OrderAmount: wireAmount(o.amount),
			Description: o.description,
			NotifyURL:   o.notifyURL,
			RedirectURL: o.redirectURL,
		},
		PaymentCreateTime: formatTime(o.created),
		PaymentExpireTime: formatTime(o.expires),
		Result:            res,
	}
	if o.method != nil {
		m := *o.method
		resp.PaymentMethod = &m
	}
	if o.customer != nil {
		c := *o.customer
		resp.Customer = &c
	}
	if o.card != nil {
		c := *o.card
		resp.Card = &c
	}
	if o.info != nil {
		i := *o.info
		resp.PaymentInfo = &i
	}
	return resp
}

// pay creates an order or answers an existing one.
func (s *Server) pay(req *wire.PayRequest, base string) *wire.PayResponse {
	amt, desc, res := s.checkPay(req)
	if res != nil {
		return &wire.PayResponse{PaymentRequestID: req.PaymentRequestID, Result: *res}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if o := s.byRequestID[req.PaymentRequestID]; o != nil {
		s.refreshLocked(o)
		if o.scenario != req.ScenarioCode || !o.amount.Equal(amt) {
			return &wire.PayResponse{PaymentRequestID: req.PaymentRequestID,
				Result: fail(wire.CodeRepeatReqInconsistent, "paymentRequestId was used with a different scenario, amount or currency")}
		}
		switch {
		case o.status == wire.PaymentInProcess || (isPaid(o.status) && s.cfg.strictReplay):
			return payResponseLocked(o, wire.Result{ResultCode: wire.CodePaymentInProcess, ResultMessage: "payment in process", ResultStatus: wire.StatusU})
		case isPaid(o.status):
			return payResponseLocked(o, ok(wire.CodeSuccess, "order already paid, status "+o.status))
		default:
			return &wire.PayResponse{PaymentRequestID: req.PaymentRequestID,
				Result: fail(wire.CodeOrderClosed, "order is "+o.status+"; use a new paymentRequestId")}
		}
	}

	var cardID string
	if req.Card != nil {
		var res *wire.Result
		if cardID, res = s.cardLocked(req.Card); res != nil {
			return &wire.PayResponse{PaymentRequestID: req.PaymentRequestID, Result: *res}
		}
	}
	now := s.clock.Now()
	o := &order{
		id:          s.newIDLocked(),
		requestID:   req.PaymentRequestID,
		scenario:    req.ScenarioCode,
		amount:      amt,
		description: desc,
		notifyURL:   req.Order.NotifyURL,
		redirectURL: req.Order.RedirectURL,
		status:      wire.PaymentInProcess,
		tiny:        s.isTiny(amt),
		base:        base,
		created:     now,
		expires:     now.Add(s.cfg.expiry),
	}
	o.refunded, _ = money.FromMinor(0, amt.Currency())
	if req.PaymentMethod != nil {
		m := *req.PaymentMethod
		o.method = &m
	}
	if req.Customer != nil {
		c := *req.Customer
		o.customer = &c
	}
	if cardID != "" {
		// Only the token goes back, never card.info.
		o.card = &wire.Card{CardID: cardID}
	}
	o.info = paymentInfo(o, req)
	s.payments[o.id] = o
	s.byRequestID[o.requestID] = o
	s.orderCount[o.requestID]++
	resp := payResponseLocked(o, wire.Result{ResultCode: wire.CodePaymentInProcess, ResultMessage: "payment in process", ResultStatus: wire.StatusU})
	if s.cfg.autoComplete {
		s.completeLocked(o)
	}
	return resp
}

// cardLocked returns the cardId a CREDIT_CARD answer carries: every
// answer has one, as the official SDK's CreditCardOrderSpecification
// expects of remembered and unremembered cards alike. A card given by its
// details gets a new ID, which is remembered for card.customerId when
// card.remember is set; a card given by cardId must have been remembered
// for the same card.customerId [ours: what AlphaPay does with the cardId of
// a card it was not asked to remember is not documented; the simulator
// refuses it].
func (s *Server) cardLocked(c *wire.Card) (string, *wire.Result) {
	if c.CardID == "" {
		id := "card_" + newNonce()[:24]
		if c.Remember {
			s.cards[id] = c.CustomerID
		}
		return id, nil
	}
	customer, ok := s.cards[c.CardID]
	switch {
	case !ok:
		res := fail(wire.CodeParamInvalid, "card.cardId is not a remembered card")
		return "", &res
	case customer != c.CustomerID:
		res := fail(wire.CodeParamInvalid, "card.cardId was remembered for another card.customerId")
		return "", &res
	}
	return c.CardID, nil
}

// paymentStateLocked is the inquiry answer (and, without Result, the
// payment notification body).
func paymentStateLocked(o *order) *wire.PaymentState {
	st := &wire.PaymentState{
		ScenarioCode:     o.scenario,
		PaymentRequestID: o.requestID,
		PaymentID:        o.id,
		Order: &wire.Order{
			OrderAmount: wireAmount(o.amount),
			Description: o.description,
			NotifyURL:   o.notifyURL,
			RedirectURL: o.redirectURL,
		},
		PaymentCreateTime: formatTime(o.created),
		PaymentExpireTime: formatTime(o.expires),
		PaymentTime:       formatTime(o.paid),
		PaymentStatus:     o.status,
	}
	return st
}

func (s *Server) inquiry(id string) *wire.PaymentState {
	if id == "" {
		res := fail(wire.CodeParamInvalid, "paymentId is required")
		return &wire.PaymentState{Result: &res}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	o := s.orderLocked(id)
	if o == nil {
		res := fail(wire.CodeOrderNotExist, "order does not exist")
		return &wire.PaymentState{PaymentID: id, Result: &res}
	}
	st := paymentStateLocked(o)
	res := ok(wire.CodeSuccess, "success")
	st.Result = &res
	return st
}

func (s *Server) cancelOrder(id string) *wire.CancelResponse {
	if id == "" {
		return &wire.CancelResponse{Result: fail(wire.CodeParamInvalid, "paymentId is required")}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	o := s.orderLocked(id)
	if o == nil {
		return &wire.CancelResponse{PaymentID: id, Result: fail(wire.CodeOrderNotExist, "order does not exist")}
	}
	resp := &wire.CancelResponse{PaymentRequestID: o.requestID, PaymentID: o.id}
	switch o.status {
	case wire.PaymentInProcess:
		o.status = wire.PaymentClosed
		o.closed = s.clock.Now()
		fallthrough
	case wire.PaymentClosed:
		resp.CancelTime = formatTime(o.closed)
		resp.Result = ok(wire.CodeSuccess, "success")
	case wire.PaymentFailed:
		resp.Result = fail(wire.CodeOrderClosed, "order is FAILED")
	default:
		resp.Result = fail(wire.CodeOrderPaid, "order is paid; refund it instead")
	}
	return resp
}

func refundDetail(r *refund) *wire.RefundDetail {
	return &wire.RefundDetail{RefundAmount: wireAmount(r.amount), Description: r.description, NotifyURL: r.notifyURL}
}

func refundResponse(r *refund) *wire.RefundResponse {
	return &wire.RefundResponse{
		RefundID:        r.id,
		PaymentID:       r.paymentID,
		RefundRequestID: r.requestID,
		Refund:          refundDetail(r),
		RefundTime:      formatTime(r.at),
		Result:          ok(wire.CodeSuccess, "success"),
	}
}

func refundState(r *refund) *wire.RefundState {
	return &wire.RefundState{
		PaymentID:       r.paymentID,
		RefundRequestID: r.requestID,
		RefundID:        r.id,
		RefundTime:      formatTime(r.at),
		RefundStatus:    wire.RefundSuccess,
		Refund:          refundDetail(r),
	}
}

// refund refunds part or all of a paid order.
func (s *Server) refund(req *wire.RefundRequest) *wire.RefundResponse {
	failed := func(code, msg string) *wire.RefundResponse {
		return &wire.RefundResponse{PaymentID: req.PaymentID, RefundRequestID: req.RefundRequestID, Result: fail(code, msg)}
	}
	if req.PaymentID == "" {
		return failed(wire.CodeParamInvalid, "paymentId is required")
	}
	if len(req.RefundRequestID) > maxRequestID {
		return failed(wire.CodeParamInvalid, "refundRequestId must be at most 64 characters")
	}
	if req.Refund.NotifyURL != "" && !checkURL(req.Refund.NotifyURL) {
		return failed(wire.CodeParamInvalid, "refund.notifyUrl must be an absolute http(s) URL")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	o := s.orderLocked(req.PaymentID)
	if o == nil {
		return failed(wire.CodeOrderNotExist, "order does not exist")
	}
	cur := o.amount.Currency().Code()
	amt, res := parseAmount(req.Refund.RefundAmount, "refund.refundAmount", func(c string) bool { return c == cur })
	if res != nil {
		return failed(res.ResultCode, res.ResultMessage)
	}
	if req.RefundRequestID != "" {
		if r := s.refundsByRequestID[req.RefundRequestID]; r != nil {
			if r.paymentID != o.id || !r.amount.Equal(amt) {
				return failed(wire.CodeRepeatReqInconsistent, "refundRequestId was used with a different payment or amount")
			}
			return refundResponse(r)
		}
	}
	switch {
	case o.status == wire.PaymentInProcess:
		return failed(wire.CodeParamInvalid, "order not paid")
	case !isPaid(o.status):
		return failed(wire.CodeOrderClosed, "order is "+o.status)
	}
	now := s.clock.Now()
	if now.After(o.paid.AddDate(refundValidityYears, 0, 0)) {
		return failed(wire.CodeRefundValidDateExceed, "refunds are accepted up to one year after payment")
	}
	total, err := o.refunded.Add(amt)
	if err != nil {
		return failed(wire.CodeInvalidRefundAmount, "refund amount exceeds the refundable amount")
	}
	if c, err := total.Cmp(o.amount); err != nil || c > 0 {
		return failed(wire.CodeInvalidRefundAmount, "refund amount exceeds the refundable amount")
	}
	r := &refund{
		id:          s.newIDLocked(),
		requestID:   req.RefundRequestID,
		paymentID:   o.id,
		amount:      amt,
		description: cut(req.Refund.Description, maxDescription),
		notifyURL:   req.Refund.NotifyURL,
		at:          now,
	}
	s.refunds[r.id] = r
	if r.requestID != "" {
		s.refundsByRequestID[r.requestID] = r
	}
	o.refunded = total
	if total.Equal(o.amount) {
		o.status = wire.PaymentFullRefund
	} else {
		o.status = wire.PaymentPartialRefund
	}
	if r.notifyURL != "" {
		s.startDeliveryLocked(s.refundNotificationLocked(r), 1)
	}
	return refundResponse(r)
}

func (s *Server) inquiryRefund(req *wire.InquiryRefundRequest) *wire.RefundState {
	if req.RefundID == "" {
		res := fail(wire.CodeParamInvalid, "refundId is required")
		return &wire.RefundState{Result: &res}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	r := s.refunds[req.RefundID]
	if r == nil || (req.RefundRequestID != "" && req.RefundRequestID != r.requestID) {
		res := fail(wire.CodeOrderNotExist, "refund does not exist")
		return &wire.RefundState{RefundID: req.RefundID, RefundRequestID: req.RefundRequestID, Result: &res}
	}
	st := refundState(r)
	res := ok(wire.CodeSuccess, "success")
	st.Result = &res
	return st
}

// reportZone is the time zone of a transactions request's date: UTC−8,
// as the official SDK documents it (SearchTransactionsRequest.java).
var reportZone = time.FixedZone("UTC-8", -8*60*60)

// transactions lists the payments paid (Credit) and refunds made (Debit)
// on a date in UTC−8, in the row shape AlphaPay documents and
// the official SDK models (model/beans/Transaction.java).
func (s *Server) transactions(req *wire.TransactionsRequest) *wire.TransactionsResponse {
	failed := func(msg string) *wire.TransactionsResponse {
		return &wire.TransactionsResponse{Result: fail(wire.CodeParamInvalid, msg)}
	}
	day, err := time.ParseInLocation("20060102", req.Date, reportZone)
	if len(req.Date) != 8 || !allDigits(req.Date) || err != nil {
		return failed("date must be yyyyMMdd")
	}
	if req.Page < 1 {
		return failed("page must be at least 1")
	}
	if req.PageLimit < 10 || req.PageLimit > 100 {
		return failed("pageLimit must be 10 to 100")
	}
	credit, debit := true, true
	switch req.TransactionType {
	case wire.TransactionsAll:
	case wire.TransactionsCredit:
		debit = false
	case wire.TransactionsDebit:
		credit = false
	case "":
		return failed("transactionType is required")
	default:
		return failed("transactionType must be All, Credit or Debit")
	}
	next := day.AddDate(0, 0, 1)
	onDay := func(t time.Time) bool { return !t.IsZero() && !t.Before(day) && t.Before(next) }

	type row struct {
		at time.Time
		tx wire.Transaction
	}
	var rows []row
	s.mu.Lock()
	if credit {
		for _, o := range s.payments {
			if onDay(o.paid) {
				rows = append(rows, row{o.paid, s.transactionRow(wire.TransactionsCredit, o.requestID, o.id, o.amount, o.method, o.created, o.paid)})
			}
		}
	}
	if debit {
		for _, r := range s.refunds {
			if onDay(r.at) {
				var method *wire.PaymentMethod
				if o := s.payments[r.paymentID]; o != nil {
					method = o.method
				}
				rows = append(rows, row{r.at, s.transactionRow(wire.TransactionsDebit, r.requestID, r.id, r.amount, method, r.at, r.at)})
			}
		}
	}
	s.mu.Unlock()
	sort.Slice(rows, func(i, j int) bool {
		if !rows[i].at.Equal(rows[j].at) {
			return rows[i].at.Before(rows[j].at)
		}
		return rows[i].tx.TransactionID < rows[j].tx.TransactionID
	})
	total := len(rows)
	resp := &wire.TransactionsResponse{
		Transactions: []wire.Transaction{},
		Pagination: wire.Pagination{
			Page: req.Page, PageLimit: req.PageLimit,
			TotalPage: (total + req.PageLimit - 1) / req.PageLimit, Total: total,
		},
		Result: ok(wire.CodeSuccess, "success"),
	}
	// Page is at least 1 and PageLimit at most 100; guard the product
	// against a huge page number anyway.
	if req.Page <= resp.Pagination.TotalPage {
		start := (req.Page - 1) * req.PageLimit
		end := min(start+req.PageLimit, total)
		for _, r := range rows[start:end] {
			resp.Transactions = append(resp.Transactions, r.tx)
		}
	}
	return resp
}

// transactionRow is one report row. The amount is sent as a count of
// minor units, like every other v2 amount [ours: the documentation does
// not say]; the requestId of a refund row is its refundRequestId [ours]; the
// transactionId is the paymentId or refundId. An amount in the merchant's
// domain currency settles as it is, at rate 1; a CNY amount settles at the
// WithCNYRate rate, rounded half up to the domain currency's minor unit.
func (s *Server) transactionRow(typ, requestID, id string, amount money.Amount, method *wire.PaymentMethod, created, done time.Time) wire.Transaction {
	tx := wire.Transaction{
		RequestID:       requestID,
		TransactionID:   id,
		Amount:          wire.Decimal(amount.MinorString()),
		Currency:        amount.Currency().Code(),
		TransactionType: typ,
		SettleCurrency:  s.cfg.domain,
		CreateTime:      formatTime(created),
		TransactionTime: formatTime(done),
	}
	if method != nil {
		tx.PaymentMethod = method.PaymentMethodType
	}
	if tx.Currency == s.cfg.domain {
		tx.SettleAmount, tx.ExchangeRate = tx.Amount, "1"
		return tx
	}
	settled := new(big.Rat).Mul(new(big.Rat).SetInt64(amount.Minor()), s.cnyRate)
	settled.Add(settled, big.NewRat(1, 2))
	whole := new(big.Int).Quo(settled.Num(), settled.Denom()) // floor: the value is positive
	tx.SettleAmount = wire.Decimal(whole.String())
	tx.ExchangeRate = wire.Decimal(s.cfg.cnyRate)
	return tx
}

// completeLocked is the customer paying an in-process order.
func (s *Server) completeLocked(o *order) {
	if o.tiny {
		o.status = wire.PaymentFailed
		return
	}
	o.status = wire.PaymentSuccess
	o.paid = s.clock.Now()
	s.charges[o.requestID]++
	if o.notifyURL != "" {
		s.startDeliveryLocked(s.paymentNotificationLocked(o), paymentTries)
	}
}

// pendingLocked returns the order if it exists and awaits the customer.
func (s *Server) pendingLocked(op, id string) (*order, error) {
	o := s.orderLocked(id)
	if o == nil {
		return nil, fmt.Errorf("%w: %s: payment %s", ErrNotFound, op, id)
	}
	if o.status != wire.PaymentInProcess {
		return nil, fmt.Errorf("%w: %s: payment %s is %s", ErrInvalidTransition, op, id, o.status)
	}
	return o, nil
}

// Complete is the customer paying: PAYMENT_IN_PROCESS becomes SUCCESS and
// the payment notification is sent, or, for a CNY amount worth 0.01 CAD or
// less, FAILED (Complete still returns nil: the customer acted, the
// payment failed). It returns an error wrapping ErrNotFound or
// ErrInvalidTransition otherwise.
func (s *Server) Complete(paymentID string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	o, err := s.pendingLocked("complete", paymentID)
	if err != nil {
		return err
	}
	s.completeLocked(o)
	return nil
}

// Decline is the customer refusing to pay: PAYMENT_IN_PROCESS becomes
// FAILED.
func (s *Server) Decline(paymentID string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	o, err := s.pendingLocked("decline", paymentID)
	if err != nil {
		return err
	}
	o.status = wire.PaymentFailed
	return nil
}

// Expire closes an unpaid payment now, whatever the clock says. Expiring a
// CLOSED payment does nothing; any other status is ErrInvalidTransition.
func (s *Server) Expire(paymentID string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	o := s.orderLocked(paymentID)
	if o != nil && o.status == wire.PaymentClosed {
		return nil
	}
	o, err := s.pendingLocked("expire", paymentID)
	if err != nil {
		return err
	}
	o.status = wire.PaymentClosed
	o.closed = s.clock.Now()
	return nil
}

func snapshot(o *order) PaymentSnapshot {
	return PaymentSnapshot{
		PaymentID: o.id, PaymentRequestID: o.requestID, ScenarioCode: o.scenario,
		Status: o.status, Amount: o.amount, Refunded: o.refunded, NotifyURL: o.notifyURL,
		CreatedAt: o.created, ExpiresAt: o.expires, PaidAt: o.paid,
	}
}

// Payment returns the payment with AlphaPay's paymentId.
func (s *Server) Payment(paymentID string) (PaymentSnapshot, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	o := s.orderLocked(paymentID)
	if o == nil {
		return PaymentSnapshot{}, false
	}
	return snapshot(o), true
}

// PaymentByRequestID returns the payment with the merchant's
// paymentRequestId.
func (s *Server) PaymentByRequestID(paymentRequestID string) (PaymentSnapshot, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	o := s.byRequestID[paymentRequestID]
	if o == nil {
		return PaymentSnapshot{}, false
	}
	s.refreshLocked(o)
	return snapshot(o), true
}

// Orders returns how many orders were created for a paymentRequestId; with
// correct idempotency it is never more than 1.
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
// approve or decline it; "" for an unknown ID.
func (s *Server) CashierURL(paymentID string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	o := s.payments[paymentID]
	if o == nil {
		return ""
	}
	return o.base + "/pay/" + o.id
}
