package alphapay

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/paybridge/paybridge/money"

	"github.com/paybridge/paybridge/payment"
	pd "github.com/paybridge/paybridge/payment/driver"
	"github.com/paybridge/paybridge/providers/alphapay/internal/wire"
)

// TransactionType filters a transactions report.
type TransactionType string

// Transaction types.
const (
	TransactionsAll    TransactionType = "All"
	TransactionsCredit TransactionType = "Credit" // payments
	TransactionsDebit  TransactionType = "Debit"  // refunds
)

// TransactionsRequest asks for one page of a day's transactions.
type TransactionsRequest struct {
	// Date is the day, "yyyyMMdd" in AlphaPay's terms (e.g. "20261122").
	Date string
	// Page starts at 1.
	Page int
	// PageLimit is 10 to 100 rows.
	PageLimit int
	// Type filters; empty means All.
	Type TransactionType
}

// Transaction is one row of the report.
type Transaction struct {
	Type             TransactionType
	PaymentID        string
	PaymentRequestID string
	RefundID         string
	RefundRequestID  string
	Amount           money.Amount
	Time             time.Time
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
// is AlphaPay-specific reporting, outside payment.Provider.
func (c *Client) Transactions(ctx context.Context, req TransactionsRequest) (*TransactionsPage, error) {
	const op = "transactions"
	var bad []payment.FieldError
	if len(req.Date) != 8 || !allDigits(req.Date) {
		bad = append(bad, payment.FieldError{Field: "Date", Problem: "must be yyyyMMdd"})
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
		return nil, &payment.Error{Op: op, Provider: Name, Kind: payment.KindInvalidRequest, RequestID: req.Date,
			Err: &payment.ValidationError{Fields: bad}}
	}
	typ := req.Type
	if typ == "" {
		typ = TransactionsAll
	}
	wreq, err := encode(wire.PathTransactions, wire.TransactionsRequest{Date: req.Date, Page: req.Page, PageLimit: req.PageLimit, TransactionType: string(typ)})
	if err != nil {
		return nil, &payment.Error{Op: op, Provider: Name, Kind: payment.KindInvalidRequest, RequestID: req.Date, Err: err}
	}
	var page *TransactionsPage
	err = c.Call(ctx, op, req.Date, wreq, func(a *pd.Answer) (pd.Verdict, error) {
		var resp wire.TransactionsResponse
		if err := json.Unmarshal(a.Body, &resp); err != nil {
			return pd.Verdict{}, err
		}
		v := verdictOf(resp.Result)
		if v.Outcome != pd.Done {
			return v, nil
		}
		out := &TransactionsPage{
			Page: resp.Pagination.Page, PageLimit: resp.Pagination.PageLimit,
			TotalPages: resp.Pagination.TotalPage, Total: resp.Pagination.Total,
		}
		for i, t := range resp.Transactions {
			amt, err := fromWireAmount(t.Amount)
			if err != nil {
				return v, fmt.Errorf("transaction %d: amount: %w", i, err)
			}
			out.Transactions = append(out.Transactions, Transaction{
				Type: TransactionType(t.TransactionType), PaymentID: t.PaymentID, PaymentRequestID: t.PaymentRequestID,
				RefundID: t.RefundID, RefundRequestID: t.RefundRequestID, Amount: amt, Time: parseTime(t.TransactionTime),
			})
		}
		page = out
		return v, nil
	})
	if err != nil {
		return nil, err
	}
	return page, nil
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}
