package alphapay

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/paybridge/paybridge/money"
	"github.com/paybridge/paybridge/payment"
	pd "github.com/paybridge/paybridge/payment/driver"
	"github.com/paybridge/paybridge/providers/alphapay/internal/wire"
)

// TransactionType filters a transactions report, and says what a row is.
type TransactionType string

// Transaction types.
const (
	TransactionsAll    TransactionType = wire.TransactionsAll    // a filter only: payments and refunds
	TransactionsCredit TransactionType = wire.TransactionsCredit // payments
	TransactionsDebit  TransactionType = wire.TransactionsDebit  // refunds
)

// ReportZone is the time zone of a transactions report's Date: UTC−8, as
// the official SDK documents the date field
// (request/beans/SearchTransactionsRequest.java). It is a fixed offset, not
// Pacific time: it does not follow daylight saving.
var ReportZone = time.FixedZone("UTC-8", -8*60*60)

// TransactionDate returns the report Date (yyyyMMdd in ReportZone) of the
// day that contains t.
func TransactionDate(t time.Time) string { return t.In(ReportZone).Format("20060102") }

// TransactionsRequest asks for one page of a day's transactions.
type TransactionsRequest struct {
	// Date is the day, "yyyyMMdd" in ReportZone (e.g. "20261122"); see
	// TransactionDate.
	Date string
	// Page starts at 1.
	Page int
	// PageLimit is 10 to 100 rows.
	PageLimit int
	// Type filters; empty means All.
	Type TransactionType
}

// Transaction is one row of the transactions report: a payment (Credit) or
// a refund (Debit) that moved money on the day, from any of the merchant's
// channels, also payments made outside this API. One payment or refund may
// have several rows.
type Transaction struct {
	// Type is TransactionsCredit (a payment) or TransactionsDebit (a
	// refund), as AlphaPay sent it.
	Type TransactionType
	// RequestID is what AlphaPay calls the merchant's order ID (requestId):
	// the PaymentRequestID of the payment. For a refund row AlphaPay does
	// not say whether it is the refund's RefundRequestID or its payment's
	// PaymentRequestID; the simulator sends the RefundRequestID.
	RequestID string
	// TransactionID is AlphaPay's ID of the row (transactionId). It need
	// not equal the PaymentID or RefundID; the simulator uses them.
	TransactionID string
	// Amount is the transaction's amount in its currency (amount,
	// currency).
	Amount money.Amount
	// SettleAmount is the part settled to the merchant, in the merchant's
	// currency (settleAmount, settleCurrency); zero (no currency) when the
	// row has none.
	SettleAmount money.Amount
	// ExchangeRate is the rate from Amount's currency to SettleAmount's,
	// as the decimal text AlphaPay sent ("" when none).
	ExchangeRate string
	// Method is the wallet: Alipay, WeChat Pay or UnionPay; empty when
	// AlphaPay names one it does not document.
	Method payment.Method
	// CreatedAt and CompletedAt are the row's createTime and
	// transactionTime; zero when absent or unreadable.
	CreatedAt   time.Time
	CompletedAt time.Time
}

// TransactionsPage is one page of the report.
type TransactionsPage struct {
	Transactions []Transaction
	Page         int
	PageLimit    int
	TotalPages   int
	Total        int
}

// Transactions returns a page of the merchant's transactions for a day. It
// is AlphaPay-specific reporting, outside payment.Provider, sent through
// the engine like every call (envelope, retries, outcome table). A row that
// cannot be read — an amount that is not a number, an unknown currency —
// makes the answer unreadable: the call then fails rather than return a
// report with a row missing.
func (c *Client) Transactions(ctx context.Context, req TransactionsRequest) (*TransactionsPage, error) {
	const op = "transactions"
	var bad []payment.FieldError
	if _, err := time.Parse("20060102", req.Date); len(req.Date) != 8 || err != nil {
		bad = append(bad, payment.FieldError{Field: "Date", Problem: "must be a day as yyyyMMdd"})
	}
	if req.Page < 1 {
		bad = append(bad, payment.FieldError{Field: "Page", Problem: "must be at least 1"})
	}
	if req.PageLimit < 10 || req.PageLimit > 100 {
		bad = append(bad, payment.FieldError{Field: "PageLimit", Problem: "must be 10 to 100"})
	}
	switch req.Type {
	case "", TransactionsAll, TransactionsCredit, TransactionsDebit:
	default:
		bad = append(bad, payment.FieldError{Field: "Type", Problem: "must be All, Credit or Debit"})
	}
	if len(bad) > 0 {
		return nil, &payment.Error{Op: op, Provider: Name, Kind: payment.KindInvalidRequest, RequestID: safeDate(req.Date),
			Err: &payment.ValidationError{Fields: bad}}
	}
	wreq, err := encode(wire.PathTransactions, transactionsRequest(req))
	if err != nil {
		return nil, &payment.Error{Op: op, Provider: Name, Kind: payment.KindInvalidRequest, RequestID: req.Date, Err: err}
	}
	var page *TransactionsPage
	err = c.Call(ctx, op, req.Date, wreq, func(a *pd.Answer) (pd.Verdict, error) {
		p, v, err := decodeTransactions(a.Body)
		page = p
		return v, err
	})
	if err != nil {
		return nil, err
	}
	return page, nil
}

// transactionsRequest is the wire body: every field, Type defaulting to All.
func transactionsRequest(req TransactionsRequest) wire.TransactionsRequest {
	typ := req.Type
	if typ == "" {
		typ = TransactionsAll
	}
	return wire.TransactionsRequest{Date: req.Date, Page: req.Page, PageLimit: req.PageLimit, TransactionType: string(typ)}
}

// decodeTransactions reads a transactions answer: the page for a Done
// verdict, nil otherwise.
func decodeTransactions(body []byte) (*TransactionsPage, pd.Verdict, error) {
	var resp wire.TransactionsResponse
	if err := json.Unmarshal(body, &resp); err != nil {
		return nil, pd.Verdict{}, err
	}
	v := verdictOf(resp.Result)
	if v.Outcome != pd.Done {
		return nil, v, nil
	}
	out := &TransactionsPage{
		Page: resp.Pagination.Page, PageLimit: resp.Pagination.PageLimit,
		TotalPages: resp.Pagination.TotalPage, Total: resp.Pagination.Total,
		Transactions: make([]Transaction, 0, len(resp.Transactions)),
	}
	for i := range resp.Transactions {
		t, err := transactionFromWire(&resp.Transactions[i])
		if err != nil {
			return nil, v, fmt.Errorf("transaction %d: %w", i, err)
		}
		out.Transactions = append(out.Transactions, t)
	}
	return out, v, nil
}

// transactionFromWire maps one row.
func transactionFromWire(w *wire.Transaction) (Transaction, error) {
	amt, err := reportAmount(w.Amount, w.Currency)
	if err != nil {
		return Transaction{}, fmt.Errorf("amount: %w", err)
	}
	t := Transaction{
		Type:          TransactionType(w.TransactionType),
		RequestID:     w.RequestID,
		TransactionID: w.TransactionID,
		Amount:        amt,
		CreatedAt:     parseTime(w.CreateTime),
		CompletedAt:   parseTime(w.TransactionTime),
	}
	switch t.Type {
	case TransactionsCredit, TransactionsDebit:
	default:
		return Transaction{}, fmt.Errorf("transactionType must be Credit or Debit")
	}
	if w.SettleAmount != "" || w.SettleCurrency != "" {
		if t.SettleAmount, err = reportAmount(w.SettleAmount, w.SettleCurrency); err != nil {
			return Transaction{}, fmt.Errorf("settleAmount: %w", err)
		}
	}
	if w.ExchangeRate != "" {
		if !plainDecimal(string(w.ExchangeRate)) {
			return Transaction{}, fmt.Errorf("exchangeRate is not a decimal")
		}
		t.ExchangeRate = string(w.ExchangeRate)
	}
	for m, name := range methodTypes {
		if name == w.PaymentMethod {
			t.Method = m
		}
	}
	return t, nil
}

// reportAmount reads a row's amount. AlphaPay documents it as "the total
// amount of the transaction", a string, without saying in which unit
// [ours]: every other v2 amount is a count of minor units ("1999" is 19.99
// CAD), so digits alone are read that way, as the simulator sends them; a
// value with a decimal point can only be major units ("19.99") and is read
// exactly so. Signs, exponents and more decimals than the currency has are
// errors, never rounded.
func reportAmount(v wire.Decimal, currency string) (money.Amount, error) {
	cur, err := money.LookupCurrency(currency)
	if err != nil {
		return money.Amount{}, err
	}
	if strings.Contains(string(v), ".") {
		return money.ParseMajor(string(v), cur)
	}
	return money.ParseMinor(string(v), cur)
}

// plainDecimal reports whether s is digits with at most one decimal point
// between digits.
func plainDecimal(s string) bool {
	intPart, frac, hasPoint := strings.Cut(s, ".")
	return allDigits(intPart) && (!hasPoint || allDigits(frac))
}

// safeDate keeps a malformed date out of error strings as it is.
func safeDate(s string) string {
	if len(s) == 8 && allDigits(s) {
		return s
	}
	return fmt.Sprintf("%.16q", s)
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}
