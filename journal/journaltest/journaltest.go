// Package journaltest checks a journal.Store against the contract
// documented on journal.Journal and journal.Store: entries and their
// identity, settling, reopening, the queries, the requests kept — and the
// secrets never kept —, concurrency and the context.
//
// A store's conformance test is one call, with a function that returns a
// fresh, empty store for each check (on a real database, a table of its own
// is enough):
//
//	func TestConformance(t *testing.T) {
//		journaltest.Run(t, func(t *testing.T) journal.Store { return newStore(t) })
//	}
package journaltest

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/paybridge/paybridge/journal"
	"github.com/paybridge/paybridge/money"
	"github.com/paybridge/paybridge/payment"
)

// callTimeout bounds each call of a check.
const callTimeout = 10 * time.Second

// Run runs every check as a subtest of t, each on a fresh store.
func Run(t *testing.T, newStore func(t *testing.T) journal.Store) {
	t.Helper()
	for _, c := range []struct {
		name string
		run  func(t *testing.T, s journal.Store)
	}{
		{"settle", checkSettle},
		{"identity", checkIdentity},
		{"reopen", checkReopen},
		{"open", checkOpen},
		{"requests", checkRequests},
		{"secrets", checkSecrets},
		{"invalid", checkInvalid},
		{"concurrency", checkConcurrency},
		{"context", checkContext},
	} {
		t.Run(c.name, func(t *testing.T) { c.run(t, newStore(t)) })
	}
}

func ctx(t *testing.T) context.Context {
	c, cancel := context.WithTimeout(context.Background(), callTimeout)
	t.Cleanup(cancel)
	return c
}

// PayEntry returns an entry of a pay with the request ID and body hash.
func PayEntry(provider, requestID, hash string) journal.Entry {
	return journal.Entry{Provider: provider, Op: payment.OpPay, RequestID: requestID, BodyHash: hash,
		Request: journal.Request{Pay: &payment.PayRequest{PaymentRequestID: requestID, Scenario: payment.ScenarioQRCode,
			Method: payment.MethodAlipay, Amount: money.MustParse("12.34 CAD"), Description: "journaltest"}}}
}

func begin(t *testing.T, s journal.Store, e journal.Entry) journal.ID {
	t.Helper()
	id, err := s.Begin(ctx(t), e)
	if err != nil {
		t.Fatalf("Begin(%s %s): %v", e.Op, e.RequestID, err)
	}
	if id == "" {
		t.Fatalf("RULE BROKEN — Begin returns an ID: Begin(%s %s) returned an empty one", e.Op, e.RequestID)
	}
	return id
}

func find(t *testing.T, s journal.Store, e journal.Entry) []journal.Record {
	t.Helper()
	recs, err := s.Find(ctx(t), e.Provider, e.Op, e.RequestID)
	if err != nil {
		t.Fatalf("Find(%s %s): %v", e.Op, e.RequestID, err)
	}
	return recs
}

func findOne(t *testing.T, s journal.Store, e journal.Entry) journal.Record {
	t.Helper()
	recs := find(t, s, e)
	if len(recs) != 1 {
		t.Fatalf("RULE BROKEN — Find returns one record per body hash: %d for %s %s", len(recs), e.Op, e.RequestID)
	}
	return recs[0]
}

func checkSettle(t *testing.T, s journal.Store) {
	e := PayEntry("p", "SETTLE-1", "h1")
	id := begin(t, s, e)
	r := findOne(t, s, e)
	if r.ID != id || !r.IsOpen() || r.Outcome != nil || r.StartedAt.IsZero() {
		t.Fatalf("RULE BROKEN — a begun entry is open, with its ID and start time: %+v", r)
	}
	if r.Provider != "p" || r.Op != payment.OpPay || r.RequestID != "SETTLE-1" || r.BodyHash != "h1" {
		t.Errorf("RULE BROKEN — Find returns the entry as begun: %+v", r.Entry)
	}
	o := journal.Outcome{PaymentID: "PAY-1", Status: "pending", By: journal.ByCall}
	if err := s.Settle(ctx(t), id, o); err != nil {
		t.Fatal(err)
	}
	r = findOne(t, s, e)
	if r.IsOpen() || r.Outcome == nil || *r.Outcome != o || r.SettledAt.Before(r.StartedAt) {
		t.Fatalf("RULE BROKEN — Settle records the outcome: %+v, %+v", r, r.Outcome)
	}
	failed := journal.Outcome{Kind: payment.KindFailed, Code: "X", By: journal.ByReconciler}
	if err := s.Settle(ctx(t), id, failed); err != nil {
		t.Errorf("RULE BROKEN — settling a settled entry is not an error: %v", err)
	}
	if r2 := findOne(t, s, e); *r2.Outcome != o {
		t.Errorf("RULE BROKEN — settling a settled entry changes nothing: outcome %+v", r2.Outcome)
	}
	if err := s.Settle(ctx(t), "no-such-entry", failed); err != nil {
		t.Errorf("RULE BROKEN — settling an entry the journal does not hold is not an error: %v", err)
	}
	// Every kind survives the journal.
	for k := payment.KindInvalidRequest; k <= payment.KindUnavailable; k++ {
		e := PayEntry("p", fmt.Sprintf("KIND-%d", k), "h")
		id := begin(t, s, e)
		if err := s.Settle(ctx(t), id, journal.Outcome{Kind: k}); err != nil {
			t.Fatal(err)
		}
		if r := findOne(t, s, e); r.Outcome == nil || r.Outcome.Kind != k {
			t.Errorf("RULE BROKEN — the outcome's kind is kept: %s came back as %+v", k, r.Outcome)
		}
	}
	if recs := find(t, s, PayEntry("p", "NEVER", "h")); len(recs) != 0 {
		t.Errorf("RULE BROKEN — Find of a request never begun returns nothing: %+v", recs)
	}
}

func checkIdentity(t *testing.T, s journal.Store) {
	e := PayEntry("p", "ID-1", "h1")
	id := begin(t, s, e)
	if again := begin(t, s, e); again != id {
		t.Errorf("RULE BROKEN — Begin of the same call returns its entry: %q, then %q", id, again)
	}
	other := e
	other.BodyHash = "h2"
	if id2 := begin(t, s, other); id2 == id {
		t.Errorf("RULE BROKEN — another body under the same request ID is another entry")
	}
	if n := len(find(t, s, e)); n != 2 {
		t.Errorf("RULE BROKEN — Find returns one record per body hash: %d, want 2", n)
	}
	for _, f := range []func(*journal.Entry){
		func(e *journal.Entry) { e.Provider = "q" },
		func(e *journal.Entry) {
			e.Op, e.Request = payment.OpRefund, journal.Request{Refund: &payment.RefundRequest{RefundRequestID: "ID-1",
				Payment: payment.Ref{PaymentID: "X"}, Amount: money.MustParse("1.00 CAD")}}
		},
	} {
		e2 := e
		f(&e2)
		if begin(t, s, e2) == id {
			t.Errorf("RULE BROKEN — another provider or operation is another entry: %s %s", e2.Provider, e2.Op)
		}
	}
}

func checkReopen(t *testing.T, s journal.Store) {
	e := PayEntry("p", "RE-1", "h")
	id := begin(t, s, e)
	first := findOne(t, s, e)
	begin(t, s, e)
	if r := findOne(t, s, e); !r.StartedAt.Equal(first.StartedAt) {
		t.Errorf("RULE BROKEN — Begin of an open entry keeps its start time: %v, then %v", first.StartedAt, r.StartedAt)
	}
	if err := s.Settle(ctx(t), id, journal.Outcome{Status: "succeeded"}); err != nil {
		t.Fatal(err)
	}
	if again := begin(t, s, e); again != id {
		t.Errorf("RULE BROKEN — Begin of a settled call returns its entry: %q, then %q", id, again)
	}
	r := findOne(t, s, e)
	if !r.IsOpen() || r.Outcome != nil || r.StartedAt.Before(first.StartedAt) {
		t.Fatalf("RULE BROKEN — Begin reopens a settled entry: %+v, outcome %+v", r, r.Outcome)
	}
	if err := s.Settle(ctx(t), id, journal.Outcome{Status: "cancelled"}); err != nil {
		t.Fatal(err)
	}
	if r := findOne(t, s, e); r.IsOpen() || r.Outcome.Status != "cancelled" {
		t.Errorf("RULE BROKEN — a reopened entry is settled anew: %+v", r.Outcome)
	}
}

func checkOpen(t *testing.T, s journal.Store) {
	var ids []journal.ID
	for i := range 5 {
		ids = append(ids, begin(t, s, PayEntry("p", fmt.Sprintf("OPEN-%d", i), "h")))
	}
	begin(t, s, PayEntry("q", "OPEN-Q", "h"))
	if err := s.Settle(ctx(t), ids[1], journal.Outcome{Status: "failed"}); err != nil {
		t.Fatal(err)
	}
	open, err := s.Open(ctx(t), journal.Query{Provider: "p"})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, r := range open {
		got = append(got, r.RequestID)
		if !r.IsOpen() {
			t.Errorf("RULE BROKEN — Open returns open entries only: %s is settled", r.RequestID)
		}
	}
	if d := cmp.Diff([]string{"OPEN-0", "OPEN-2", "OPEN-3", "OPEN-4"}, got); d != "" {
		t.Errorf("RULE BROKEN — Open returns the provider's open entries, oldest first (-want +got):\n%s", d)
	}
	all, err := s.Open(ctx(t), journal.Query{})
	if err != nil || len(all) != 5 {
		t.Errorf("RULE BROKEN — Open without a provider returns every provider's: %d, %v", len(all), err)
	}
	two, err := s.Open(ctx(t), journal.Query{Provider: "p", Limit: 2})
	if err != nil || len(two) != 2 || two[0].RequestID != "OPEN-0" {
		t.Errorf("RULE BROKEN — Limit bounds the answer, oldest first: %d, %v", len(two), err)
	}
	young, err := s.Open(ctx(t), journal.Query{Provider: "p", MinAge: time.Hour})
	if err != nil || len(young) != 0 {
		t.Errorf("RULE BROKEN — MinAge leaves out entries begun since: %d, %v", len(young), err)
	}
	b, err := s.Backlog(ctx(t))
	if err != nil || b.Open != 5 || b.OldestAge < 0 {
		t.Errorf("RULE BROKEN — Backlog counts the open entries: %+v, %v", b, err)
	}
}

// fullPay sets every field a journal keeps.
func fullPay() *payment.PayRequest {
	return &payment.PayRequest{
		PaymentRequestID: "FULL-1", Scenario: payment.ScenarioCreditCard, Amount: money.MustParse("1234.56 CAD"),
		Description: "Order 1 — 二つ", Method: payment.MethodWeChatPay, NotifyURL: "https://shop.example/notify?x=1",
		RedirectURL: "https://shop.example/back", ExpiresAt: time.Date(2030, 1, 2, 3, 4, 5, 600_000_000, time.UTC),
		Customer: &payment.Customer{AppID: "app", PayerID: "payer"},
		Device:   &payment.Device{OS: payment.OSIOS, Version: "17.1", TerminalType: payment.TerminalApp},
		Card: &payment.Card{Token: "tok_123456789012", Holder: "A Holder", Address: "1 Main St", City: "Town", State: "ON",
			Country: "CA", PostalCode: "A1A 1A1", Remember: true, CustomerID: "cust-1", Email: "a@example.com"},
		Order: &payment.Order{ReferenceOrderID: "ORD-1", BuyerID: "buyer",
			Merchant: &payment.Merchant{ID: "m", MCC: "5411", Name: "Shop", DisplayName: "Shop", Region: "CA", City: "Town"},
			Goods: []payment.Goods{{ID: "g1", Name: "Tea", Category: "food", Quantity: 2, UnitAmount: money.MustParse("1.50 CAD")},
				{ID: "g2", Name: "Cup"}}},
	}
}

var amountCmp = cmp.Comparer(func(a, b money.Amount) bool { return a.Equal(b) && a.Currency() == b.Currency() })

func checkRequests(t *testing.T, s journal.Store) {
	pay := fullPay()
	refund := &payment.RefundRequest{RefundRequestID: "RF-1", Payment: payment.Ref{PaymentID: "PAY-1", PaymentRequestID: "FULL-1"},
		Amount: money.MustParse("0.01 CAD"), Reason: "damaged", NotifyURL: "https://shop.example/notify"}
	cancel := &payment.Ref{PaymentRequestID: "FULL-1"}
	for _, e := range []journal.Entry{
		{Provider: "p", Op: payment.OpPay, RequestID: "FULL-1", BodyHash: "h", Request: journal.Request{Pay: pay}},
		{Provider: "p", Op: payment.OpRefund, RequestID: "RF-1", BodyHash: "h", Request: journal.Request{Refund: refund}},
		{Provider: "p", Op: payment.OpCancel, RequestID: "FULL-1", BodyHash: "h", Request: journal.Request{Cancel: cancel}},
	} {
		begin(t, s, e)
		r := findOne(t, s, e)
		if d := cmp.Diff(e.Request, r.Request, amountCmp); d != "" {
			t.Errorf("RULE BROKEN — a request without secrets comes back as it was begun: %s (-begun +kept):\n%s", e.Op, d)
		}
	}
	e := PayEntry("p", "INC-1", "h")
	e.Request.Incomplete = true
	begin(t, s, e)
	if r := findOne(t, s, e); !r.Request.Incomplete {
		t.Errorf("RULE BROKEN — an incomplete request stays marked incomplete")
	}
}

func checkSecrets(t *testing.T, s journal.Store) {
	for name, mod := range map[string]func(*payment.PayRequest){
		"payment code": func(r *payment.PayRequest) {
			r.Scenario, r.Card, r.PaymentCode = payment.ScenarioInStoreScan, nil, "286473829174627381"
		},
		"card number": func(r *payment.PayRequest) {
			r.Card.Token, r.Card.Number, r.Card.ExpMonth, r.Card.ExpYear = "", "4111111111111111", 12, 2031
		},
		"cvv":              func(r *payment.PayRequest) { r.Card.CVV = "737" },
		"provider options": func(r *payment.PayRequest) { r.ProviderOptions = secretOptions{AuthCode: "auth-code-secret"} },
	} {
		pay := fullPay()
		pay.PaymentRequestID = "SECRET-" + strings.ReplaceAll(name, " ", "-")
		mod(pay)
		e := journal.Entry{Provider: "p", Op: payment.OpPay, RequestID: pay.PaymentRequestID, BodyHash: "h", Request: journal.Request{Pay: pay}}
		begin(t, s, e)
		r := findOne(t, s, e)
		kept := r.Request.Pay
		if !r.Request.Incomplete || kept == nil || kept.PaymentCode != "" || kept.ProviderOptions != nil ||
			(kept.Card != nil && (kept.Card.Number != "" || kept.Card.CVV != "" || kept.Card.ExpMonth != 0 || kept.Card.ExpYear != 0)) {
			t.Errorf("RULE BROKEN — no secret is kept, and an entry without one is incomplete: %s: %+v", name, r.Request)
		}
	}
}

// secretOptions stands for an adapter's ProviderOptions holding a
// credential.
type secretOptions struct{ AuthCode string }

func (secretOptions) ProviderName() string { return "p" }

func checkInvalid(t *testing.T, s journal.Store) {
	for name, e := range map[string]journal.Entry{
		"no provider":   {Op: payment.OpPay, RequestID: "X", BodyHash: "h", Request: journal.Request{Pay: &payment.PayRequest{}}},
		"no request ID": {Provider: "p", Op: payment.OpPay, BodyHash: "h", Request: journal.Request{Pay: &payment.PayRequest{}}},
		"no hash":       {Provider: "p", Op: payment.OpPay, RequestID: "X", Request: journal.Request{Pay: &payment.PayRequest{}}},
		"a read":        {Provider: "p", Op: payment.OpInquire, RequestID: "X", BodyHash: "h"},
		"no request":    {Provider: "p", Op: payment.OpRefund, RequestID: "X", BodyHash: "h"},
	} {
		if _, err := s.Begin(ctx(t), e); !errors.Is(err, journal.ErrInvalidEntry) {
			t.Errorf("RULE BROKEN — Begin refuses an invalid entry with ErrInvalidEntry: %s: %v", name, err)
		}
	}
}

func checkConcurrency(t *testing.T, s journal.Store) {
	const n = 20
	e := PayEntry("p", "CONC-1", "h")
	ids := make([]journal.ID, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ids[i], errs[i] = s.Begin(ctx(t), e)
		}()
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		t.Fatal(err)
	}
	for _, id := range ids {
		if id != ids[0] {
			t.Fatalf("RULE BROKEN — concurrent Begins of one call share one entry: %v", ids)
		}
	}
	var settle sync.WaitGroup
	for i := range n {
		settle.Add(1)
		go func() {
			defer settle.Done()
			errs[i] = s.Settle(ctx(t), ids[0], journal.Outcome{Status: "succeeded", PaymentID: fmt.Sprint(i)})
		}()
	}
	settle.Wait()
	if err := errors.Join(errs...); err != nil {
		t.Fatal(err)
	}
	if r := findOne(t, s, e); r.IsOpen() {
		t.Fatal("RULE BROKEN — concurrent Settles settle the entry")
	}
}

func checkContext(t *testing.T, s journal.Store) {
	c, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := s.Begin(c, PayEntry("p", "CTX-1", "h")); !errors.Is(err, context.Canceled) {
		t.Errorf("RULE BROKEN — Begin honours the context: %v", err)
	}
	if _, err := s.Open(c, journal.Query{}); !errors.Is(err, context.Canceled) {
		t.Errorf("RULE BROKEN — Open honours the context: %v", err)
	}
	if recs := find(t, s, PayEntry("p", "CTX-1", "h")); len(recs) != 0 {
		t.Errorf("RULE BROKEN — a Begin whose context had ended records nothing: %+v", recs)
	}
}
