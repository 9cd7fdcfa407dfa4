package notify_test

import (
	"context"
	"fmt"
	"net/http/httptest"

	"github.com/paybridge/paybridge/money"
	"github.com/paybridge/paybridge/notify"
	"github.com/paybridge/paybridge/payment"
	"github.com/paybridge/paybridge/providers/alphapay"
	"github.com/paybridge/paybridge/providers/alphapay/alphapaytest"
)

// Mount a handler for AlphaPay's notifications; the simulator delivers one
// when the customer pays.
func ExampleNewHandler() {
	sim := alphapaytest.NewServer()
	defer sim.Close()
	cr := sim.Credentials()
	ap, _ := alphapay.New(alphapay.Config{BaseURL: cr.BaseURL, MerchantCode: cr.MerchantCode,
		PrivateKey: cr.MerchantPrivateKey, AlphaPayPublicKey: cr.AlphaPayPublicKey})

	got := make(chan payment.Event, 1)
	handler := notify.NewHandler(ap, func(ctx context.Context, ev payment.Event) error {
		got <- ev // store it durably in real code, then return nil
		return nil
	})
	site := httptest.NewServer(handler)
	defer site.Close()

	ctx := context.Background()
	p, _ := ap.Pay(ctx, &payment.PayRequest{
		PaymentRequestID: "ORDER-2001", Scenario: payment.ScenarioQRCode, Method: payment.MethodAlipay,
		Amount: money.MustParse("8.50 CAD"), Description: "Iced coffee", NotifyURL: site.URL + "/notify/alphapay",
	})
	_ = sim.Complete(p.PaymentID) // the customer pays; AlphaPay notifies

	ev := <-got
	fmt.Println(ev.Kind, ev.Payment.Status, ev.Payment.Amount)
	// Output: payment succeeded 8.50 CAD
}
