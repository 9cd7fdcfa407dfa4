package journal_test

import (
	"context"
	"testing"

	"github.com/paybridge/paybridge/journal"
	"github.com/paybridge/paybridge/money"
	"github.com/paybridge/paybridge/payment"
	"github.com/paybridge/paybridge/providers/alipayplus"
	"github.com/paybridge/paybridge/providers/alipayplus/alipayplustest"
	"github.com/paybridge/paybridge/providers/alphapay"
	"github.com/paybridge/paybridge/providers/alphapay/alphapaytest"
)

// The adapters' requests must come back from the journal as the very
// requests they sent, or no entry could be replayed: each entry here is
// complete, and settled with what its call answered.
func TestAdaptersJournalReplayableEntries(t *testing.T) {
	ctx := context.Background()
	apSim := alphapaytest.NewServer()
	t.Cleanup(apSim.Close)
	wSim := alipayplustest.NewServer()
	t.Cleanup(wSim.Close)
	j := journal.NewMemory()
	ac := apSim.Credentials()
	ap, err := alphapay.New(alphapay.Config{BaseURL: ac.BaseURL, MerchantCode: ac.MerchantCode, PrivateKey: ac.MerchantPrivateKey,
		AlphaPayPublicKey: ac.AlphaPayPublicKey, Journal: j})
	if err != nil {
		t.Fatal(err)
	}
	wc := wSim.Credentials()
	w, err := alipayplus.New(alipayplus.Config{BaseURL: wc.BaseURL, PathPrefix: wc.Prefix, ClientID: wc.ClientID,
		PrivateKey: wc.MerchantPrivateKey, WalletPublicKey: wc.WalletPublicKey, Journal: j})
	if err != nil {
		t.Fatal(err)
	}
	type completer interface{ Complete(string) error }
	for _, c := range []struct {
		p    payment.Provider
		sim  completer
		req  *payment.PayRequest
		half money.Amount
	}{
		{ap, apSim, &payment.PayRequest{PaymentRequestID: "AP-1", Scenario: payment.ScenarioQRCode, Method: payment.MethodWeChatPay,
			Amount: money.MustParse("20.00 CAD"), Description: "Journal", NotifyURL: "https://shop.example/n",
			Order: &payment.Order{Goods: []payment.Goods{{Name: "Tea", Quantity: 1, UnitAmount: money.MustParse("20.00 CAD")}}}},
			money.MustParse("10.00 CAD")},
		{w, wSim, &payment.PayRequest{PaymentRequestID: "W-1", Scenario: payment.ScenarioCashier, Amount: money.MustParse("1500 IQD"),
			Description: "Journal", Device: &payment.Device{OS: payment.OSAndroid, TerminalType: payment.TerminalMiniApp}},
			money.MustParse("750 IQD")},
	} {
		name := c.p.Name()
		pay, err := c.p.Pay(ctx, c.req)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if err := c.sim.Complete(pay.PaymentID); err != nil {
			t.Fatal(err)
		}
		if _, err := c.p.Refund(ctx, &payment.RefundRequest{RefundRequestID: c.req.PaymentRequestID + "-R", Payment: pay.Ref(), Amount: c.half}); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		other := *c.req
		other.PaymentRequestID += "-C"
		pay2, err := c.p.Pay(ctx, &other)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := c.p.Cancel(ctx, pay2.Ref()); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		for _, k := range [][2]string{{payment.OpPay, c.req.PaymentRequestID}, {payment.OpRefund, c.req.PaymentRequestID + "-R"},
			{payment.OpPay, other.PaymentRequestID}, {payment.OpCancel, pay2.Ref().String()}} {
			recs, err := j.Find(ctx, name, k[0], k[1])
			if err != nil || len(recs) != 1 {
				t.Fatalf("%s: Find(%s %s) = %d, %v", name, k[0], k[1], len(recs), err)
			}
			if r := recs[0]; r.Request.Incomplete || r.IsOpen() || r.Outcome.Kind != 0 {
				t.Errorf("%s: %s %s: incomplete %v, open %v, outcome %+v", name, k[0], k[1], r.Request.Incomplete, r.IsOpen(), r.Outcome)
			}
		}
	}
	// A card's number and a payment code are never journaled: those pays
	// are incomplete.
	for _, req := range []*payment.PayRequest{
		{PaymentRequestID: "AP-CARD", Scenario: payment.ScenarioCreditCard, Amount: money.MustParse("1.00 CAD"), Description: "Card",
			Card: &payment.Card{Number: "4111111111111111", ExpMonth: 12, ExpYear: 2031, CVV: "737", Holder: "A Holder"}},
		{PaymentRequestID: "AP-SCAN", Scenario: payment.ScenarioInStoreScan, Amount: money.MustParse("1.00 CAD"), Description: "Scan",
			PaymentCode: "286473829174627381"},
	} {
		_, _ = ap.Pay(ctx, req)
		recs, err := j.Find(ctx, alphapay.Name, payment.OpPay, req.PaymentRequestID)
		if err != nil || len(recs) != 1 || !recs[0].Request.Incomplete {
			t.Fatalf("%s: %+v, %v", req.PaymentRequestID, recs, err)
		}
	}
}
