package alphapay

import (
	"strings"
	"testing"
	"time"

	"github.com/paybridge/paybridge/money"
	"github.com/paybridge/paybridge/payment"
	pd "github.com/paybridge/paybridge/payment/driver"
)

// documentedRows is an answer in the shape of AlphaPay's transaction page
// and the official SDK's model/beans/Transaction.java: requestId,
// transactionId, amount and settleAmount as strings, currency,
// transactionType, settleCurrency, exchangeRate, paymentMethod, createTime
// and transactionTime.
const documentedRows = `{"transactions":[` +
	`{"requestId":"PTM00020211215101530123ABC","transactionId":"2112151015304020147632479","amount":"1234","currency":"CNY","transactionType":"Credit","settleAmount":"238","settleCurrency":"CAD","exchangeRate":"0.1925","paymentMethod":"Wechat","createTime":"2021-12-15T10:15:30+08:00","transactionTime":"2021-12-15T10:16:02+08:00"},` +
	`{"requestId":"PRT00020211215","transactionId":"2112151020004020147632480","amount":"19.99","currency":"CAD","transactionType":"Debit","settleAmount":1999,"settleCurrency":"CAD","exchangeRate":1,"paymentMethod":"Alipay","createTime":"2021-12-15T10:20:00-08:00","transactionTime":"2021-12-15T10:20:00-08:00"},` +
	`{"requestId":"X","transactionId":"T3","amount":"500","currency":"CAD","transactionType":"Credit","paymentMethod":"ApplePay"}` +
	`],"pagination":{"page":1,"pageLimit":10,"totalPage":1,"total":3},"result":{"resultCode":"SUCCESS","resultMessage":"success","resultStatus":"S"}}`

func TestTransactionsAnswerOfTheDocumentedShape(t *testing.T) {
	page, v, err := decodeTransactions([]byte(documentedRows))
	if err != nil || v.Outcome != pd.Done {
		t.Fatalf("decode: %v, %v", v, err)
	}
	if page.Page != 1 || page.PageLimit != 10 || page.TotalPages != 1 || page.Total != 3 || len(page.Transactions) != 3 {
		t.Fatalf("page %+v", page)
	}
	want := []Transaction{
		{Type: TransactionsCredit, RequestID: "PTM00020211215101530123ABC", TransactionID: "2112151015304020147632479",
			Amount: money.MustParse("12.34 CNY"), SettleAmount: money.MustParse("2.38 CAD"), ExchangeRate: "0.1925",
			Method: payment.MethodWeChatPay, CreatedAt: time.Date(2021, 12, 15, 2, 15, 30, 0, time.UTC), CompletedAt: time.Date(2021, 12, 15, 2, 16, 2, 0, time.UTC)},
		{Type: TransactionsDebit, RequestID: "PRT00020211215", TransactionID: "2112151020004020147632480",
			Amount: money.MustParse("19.99 CAD"), SettleAmount: money.MustParse("19.99 CAD"), ExchangeRate: "1",
			Method: payment.MethodAlipay, CreatedAt: time.Date(2021, 12, 15, 18, 20, 0, 0, time.UTC), CompletedAt: time.Date(2021, 12, 15, 18, 20, 0, 0, time.UTC)},
		{Type: TransactionsCredit, RequestID: "X", TransactionID: "T3", Amount: money.MustParse("5.00 CAD")},
	}
	for i, got := range page.Transactions {
		w := want[i]
		if got.Type != w.Type || got.RequestID != w.RequestID || got.TransactionID != w.TransactionID || !got.Amount.Equal(w.Amount) ||
			got.SettleAmount.Currency() != w.SettleAmount.Currency() || (!w.SettleAmount.Currency().IsZero() && !got.SettleAmount.Equal(w.SettleAmount)) ||
			got.ExchangeRate != w.ExchangeRate || got.Method != w.Method || !got.CreatedAt.Equal(w.CreatedAt) || !got.CompletedAt.Equal(w.CompletedAt) {
			t.Errorf("row %d\n got %+v\nwant %+v", i, got, w)
		}
	}
}

// A row paybridge cannot read makes the answer unreadable: a report never
// comes back with a row missing or misread.
func TestTransactionsRowsThatCannotBeRead(t *testing.T) {
	row := `{"requestId":"R","transactionId":"T","amount":"100","currency":"CAD","transactionType":"Credit","settleAmount":"100","settleCurrency":"CAD","exchangeRate":"1"}`
	for name, edit := range map[string][2]string{
		"amount object (the shape paybridge used to invent)": {`"amount":"100"`, `"amount":{"value":"100","currency":"CAD"}`},
		"negative amount":       {`"amount":"100"`, `"amount":"-100"`},
		"exponent":              {`"amount":"100"`, `"amount":"1e2"`},
		"too many decimals":     {`"amount":"100"`, `"amount":"1.001"`},
		"empty amount":          {`"amount":"100"`, `"amount":""`},
		"boolean amount":        {`"amount":"100"`, `"amount":true`},
		"unknown currency":      {`"currency":"CAD"`, `"currency":"XXX"`},
		"no currency":           {`"currency":"CAD",`, ``},
		"unknown type":          {`"transactionType":"Credit"`, `"transactionType":"Refund"`},
		"settle without amount": {`"settleAmount":"100",`, ``},
		"bad exchange rate":     {`"exchangeRate":"1"`, `"exchangeRate":"1/5"`},
	} {
		t.Run(name, func(t *testing.T) {
			r := strings.Replace(row, edit[0], edit[1], 1)
			if r == row {
				t.Fatal("the edit changed nothing")
			}
			body := `{"transactions":[` + row + `,` + r + `],"pagination":{"page":1,"pageLimit":10,"totalPage":1,"total":2},"result":{"resultCode":"SUCCESS","resultStatus":"S"}}`
			if page, _, err := decodeTransactions([]byte(body)); err == nil {
				t.Fatalf("read as %+v", page)
			}
		})
	}
	if page, _, err := decodeTransactions([]byte(`{"transactions":[` + row + `],"result":{"resultCode":"SUCCESS","resultStatus":"S"}}`)); err != nil || len(page.Transactions) != 1 {
		t.Fatalf("the unedited row: %+v, %v", page, err)
	}
}

// FuzzTransactionsAnswer feeds arbitrary (trusted) bodies to the report's
// decoder: it never panics, and a Done page has only rows with a currency,
// a non-negative amount and a documented type.
func FuzzTransactionsAnswer(f *testing.F) {
	f.Add(documentedRows)
	f.Add(`{"transactions":[],"pagination":{"page":1,"pageLimit":10,"totalPage":0,"total":0},"result":{"resultCode":"SUCCESS","resultStatus":"S"}}`)
	f.Add(`{"transactions":[{"amount":1.5,"currency":"KWD","transactionType":"Debit","exchangeRate":null}],"result":{"resultStatus":"S"}}`)
	f.Add(`{"transactions":null,"result":{"resultCode":"PARAM_INVALID","resultStatus":"F"}}`)
	f.Add(`{"transactions":[{"amount":"9223372036854775808","currency":"CAD","transactionType":"Credit"}],"result":{"resultStatus":"S"}}`)
	f.Fuzz(func(t *testing.T, body string) {
		page, v, err := decodeTransactions([]byte(body))
		if err != nil || v.Outcome != pd.Done {
			return
		}
		if page == nil {
			t.Fatal("done without a page")
		}
		for i, tx := range page.Transactions {
			if tx.Amount.Currency().IsZero() || tx.Amount.IsNegative() || (tx.Type != TransactionsCredit && tx.Type != TransactionsDebit) {
				t.Fatalf("row %d read as %+v", i, tx)
			}
			if !tx.SettleAmount.Currency().IsZero() && tx.SettleAmount.IsNegative() {
				t.Fatalf("row %d settles a negative amount: %+v", i, tx)
			}
		}
	})
}
