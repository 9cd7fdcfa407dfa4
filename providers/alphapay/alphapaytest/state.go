package alphapaytest

import (
	"math/big"
	"sort"
	"time"

	"github.com/paybridge/paybridge/money"
	"github.com/paybridge/paybridge/payment"
	"github.com/paybridge/paybridge/providers/alphapay/internal/wire"
	"github.com/paybridge/paybridge/simulator"
)

// refundValidityYears is how long after payment refunds are accepted
// (REFUND_VALID_DATE_EXCEED).
const refundValidityYears = 1

// order is what AlphaPay keeps of a payment (an order, in its words)
// beyond the ledger's neutral fields.
type order struct {
	scenario string
	method   *wire.PaymentMethod
	customer *wire.Customer
	card     *wire.Card // only CardID: CREDIT_CARD answers carry it
	info     *wire.PaymentInfo
}

func ext(p *simulator.Payment) *order { return p.Ext.(*order) }

// wireStatuses is the simulator's own mapping of the ledger's neutral
// statuses to AlphaPay's paymentStatus, written from the specification, so
// that it does not share a mistake with the adapter's.
var wireStatuses = map[payment.Status]string{
	payment.StatusPending:           wire.PaymentInProcess,
	payment.StatusSucceeded:         wire.PaymentSuccess,
	payment.StatusFailed:            wire.PaymentFailed,
	payment.StatusCancelled:         wire.PaymentClosed,
	payment.StatusPartiallyRefunded: wire.PaymentPartialRefund,
	payment.StatusRefunded:          wire.PaymentFullRefund,
}

func wireStatus(p *simulator.Payment) string { return wireStatuses[p.Status] }

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

// snapshot is a payment as PaymentSnapshot shows it.
func snapshot(p *simulator.Payment) PaymentSnapshot {
	return PaymentSnapshot{
		PaymentID: p.ID, PaymentRequestID: p.RequestID, ScenarioCode: ext(p).scenario,
		Status: wireStatus(p), Amount: p.Amount, Refunded: p.Refunded, NotifyURL: p.NotifyURL,
		CreatedAt: p.Created, ExpiresAt: p.Expires, PaidAt: p.Paid,
	}
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

// orderOf echoes a payment as the pay answer and the inquiry answer show
// it.
func orderOf(p *simulator.Payment) *wire.Order {
	return &wire.Order{
		OrderAmount: wireAmount(p.Amount),
		Description: p.Description,
		NotifyURL:   p.NotifyURL,
		RedirectURL: p.RedirectURL,
	}
}

// payResponseLocked echoes an order as the pay answer.
func payResponseLocked(p *simulator.Payment, res wire.Result) *wire.PayResponse {
	o := ext(p)
	resp := &wire.PayResponse{
		ScenarioCode:      o.scenario,
		PaymentRequestID:  p.RequestID,
		PaymentID:         p.ID,
		Order:             orderOf(p),
		PaymentCreateTime: formatTime(p.Created),
		PaymentExpireTime: formatTime(p.Expires),
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

// inProcess is the result of a created order.
func inProcess() wire.Result {
	return wire.Result{ResultCode: wire.CodePaymentInProcess, ResultMessage: "payment in process", ResultStatus: wire.StatusU}
}

// pay creates an order or answers an existing one.
func (s *Server) pay(req *wire.PayRequest, base string) *wire.PayResponse {
	amt, desc, res := s.checkPay(req)
	if res != nil {
		return &wire.PayResponse{PaymentRequestID: req.PaymentRequestID, Result: *res}
	}
	s.ledger.Lock()
	defer s.ledger.Unlock()
	if p := s.ledger.ByRequestIDLocked(req.PaymentRequestID); p != nil {
		if ext(p).scenario != req.ScenarioCode || !p.Amount.Equal(amt) {
			return &wire.PayResponse{PaymentRequestID: req.PaymentRequestID,
				Result: fail(wire.CodeRepeatReqInconsistent, "paymentRequestId was used with a different scenario, amount or currency")}
		}
		switch {
		case p.Status == payment.StatusPending || (p.IsPaid() && s.cfg.strictReplay):
			return payResponseLocked(p, inProcess())
		case p.IsPaid():
			return payResponseLocked(p, ok(wire.CodeSuccess, "order already paid, status "+wireStatus(p)))
		default:
			return &wire.PayResponse{PaymentRequestID: req.PaymentRequestID,
				Result: fail(wire.CodeOrderClosed, "order is "+wireStatus(p)+"; use a new paymentRequestId")}
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
	o := &order{scenario: req.ScenarioCode}
	p := &simulator.Payment{
		RequestID:      req.PaymentRequestID,
		Amount:         amt,
		Description:    desc,
		NotifyURL:      req.Order.NotifyURL,
		RedirectURL:    req.Order.RedirectURL,
		FailOnComplete: s.isTiny(amt), // CNY worth <= 0.01 CAD
		Base:           base,
		Created:        now,
		Expires:        now.Add(s.cfg.expiry),
		Ext:            o,
	}
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
	s.ledger.AddLocked(p)
	o.info = paymentInfo(p, req)
	resp := payResponseLocked(p, inProcess())
	if s.cfg.AutoComplete {
		s.ledger.CompleteLocked(p)
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

// paymentState is the inquiry answer (and, without Result, the payment
// notification body).
func paymentState(p *simulator.Payment) *wire.PaymentState {
	return &wire.PaymentState{
		ScenarioCode:      ext(p).scenario,
		PaymentRequestID:  p.RequestID,
		PaymentID:         p.ID,
		Order:             orderOf(p),
		PaymentCreateTime: formatTime(p.Created),
		PaymentExpireTime: formatTime(p.Expires),
		PaymentTime:       formatTime(p.Paid),
		PaymentStatus:     wireStatus(p),
	}
}

func (s *Server) inquiry(id string) *wire.PaymentState {
	if id == "" {
		res := fail(wire.CodeParamInvalid, "paymentId is required")
		return &wire.PaymentState{Result: &res}
	}
	s.ledger.Lock()
	defer s.ledger.Unlock()
	p := s.ledger.PaymentLocked(id)
	if p == nil {
		res := fail(wire.CodeOrderNotExist, "order does not exist")
		return &wire.PaymentState{PaymentID: id, Result: &res}
	}
	st := paymentState(p)
	res := ok(wire.CodeSuccess, "success")
	st.Result = &res
	return st
}

func (s *Server) cancelOrder(id string) *wire.CancelResponse {
	if id == "" {
		return &wire.CancelResponse{Result: fail(wire.CodeParamInvalid, "paymentId is required")}
	}
	s.ledger.Lock()
	defer s.ledger.Unlock()
	p := s.ledger.PaymentLocked(id)
	if p == nil {
		return &wire.CancelResponse{PaymentID: id, Result: fail(wire.CodeOrderNotExist, "order does not exist")}
	}
	resp := &wire.CancelResponse{PaymentRequestID: p.RequestID, PaymentID: p.ID}
	switch p.Status {
	case payment.StatusPending:
		s.ledger.CancelLocked(p)
		fallthrough
	case payment.StatusCancelled:
		resp.CancelTime = formatTime(p.Closed)
		resp.Result = ok(wire.CodeSuccess, "success")
	case payment.StatusFailed:
		resp.Result = fail(wire.CodeOrderClosed, "order is FAILED")
	default:
		resp.Result = fail(wire.CodeOrderPaid, "order is paid; refund it instead")
	}
	return resp
}

func refundDetail(r *simulator.Refund) *wire.RefundDetail {
	return &wire.RefundDetail{RefundAmount: wireAmount(r.Amount), Description: r.Description, NotifyURL: r.NotifyURL}
}

func refundResponse(r *simulator.Refund) *wire.RefundResponse {
	return &wire.RefundResponse{
		RefundID:        r.ID,
		PaymentID:       r.PaymentID,
		RefundRequestID: r.RequestID,
		Refund:          refundDetail(r),
		RefundTime:      formatTime(r.At),
		Result:          ok(wire.CodeSuccess, "success"),
	}
}

func refundState(r *simulator.Refund) *wire.RefundState {
	return &wire.RefundState{
		PaymentID:       r.PaymentID,
		RefundRequestID: r.RequestID,
		RefundID:        r.ID,
		RefundTime:      formatTime(r.At),
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
	s.ledger.Lock()
	defer s.ledger.Unlock()
	p := s.ledger.PaymentLocked(req.PaymentID)
	if p == nil {
		return failed(wire.CodeOrderNotExist, "order does not exist")
	}
	cur := p.Amount.Currency().Code()
	amt, res := parseAmount(req.Refund.RefundAmount, "refund.refundAmount", func(c string) bool { return c == cur })
	if res != nil {
		return failed(res.ResultCode, res.ResultMessage)
	}
	if req.RefundRequestID != "" {
		if r := s.ledger.RefundByRequestIDLocked(req.RefundRequestID); r != nil {
			if r.PaymentID != p.ID || !r.Amount.Equal(amt) {
				return failed(wire.CodeRepeatReqInconsistent, "refundRequestId was used with a different payment or amount")
			}
			return refundResponse(r)
		}
	}
	switch {
	case p.Status == payment.StatusPending:
		return failed(wire.CodeParamInvalid, "order not paid")
	case !p.IsPaid():
		return failed(wire.CodeOrderClosed, "order is "+wireStatus(p))
	}
	if s.clock.Now().After(p.Paid.AddDate(refundValidityYears, 0, 0)) {
		return failed(wire.CodeRefundValidDateExceed, "refunds are accepted up to one year after payment")
	}
	r := &simulator.Refund{
		RequestID:   req.RefundRequestID,
		Amount:      amt,
		Description: simulator.Cut(req.Refund.Description, maxDescription),
		NotifyURL:   req.Refund.NotifyURL,
	}
	if s.ledger.AddRefundLocked(p, r) != nil {
		return failed(wire.CodeInvalidRefundAmount, "refund amount exceeds the refundable amount")
	}
	if r.NotifyURL != "" {
		s.Notify(refundNotification(r))
	}
	return refundResponse(r)
}

func (s *Server) inquiryRefund(req *wire.InquiryRefundRequest) *wire.RefundState {
	if req.RefundID == "" {
		res := fail(wire.CodeParamInvalid, "refundId is required")
		return &wire.RefundState{Result: &res}
	}
	s.ledger.Lock()
	defer s.ledger.Unlock()
	r := s.ledger.RefundByIDLocked(req.RefundID)
	if r == nil || (req.RefundRequestID != "" && req.RefundRequestID != r.RequestID) {
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
	if len(req.Date) != 8 || !simulator.AllDigits(req.Date) || err != nil {
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
	s.ledger.Lock()
	if credit {
		for _, p := range s.ledger.PaymentsLocked() {
			if onDay(p.Paid) {
				rows = append(rows, row{p.Paid, s.transactionRow(wire.TransactionsCredit, p.RequestID, p.ID, p.Amount, ext(p).method, p.Created, p.Paid)})
			}
		}
	}
	if debit {
		for _, r := range s.ledger.RefundsLocked() {
			if onDay(r.At) {
				var method *wire.PaymentMethod
				if p := s.ledger.PaymentLocked(r.PaymentID); p != nil {
					method = ext(p).method
				}
				rows = append(rows, row{r.At, s.transactionRow(wire.TransactionsDebit, r.RequestID, r.ID, r.Amount, method, r.At, r.At)})
			}
		}
	}
	s.ledger.Unlock()
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

// settledLocked notifies a payment the customer paid; AlphaPay notifies
// successful payments only.
func (s *Server) settledLocked(p *simulator.Payment) {
	if p.Status == payment.StatusSucceeded && p.NotifyURL != "" {
		s.Notify(paymentNotification(p))
	}
}
