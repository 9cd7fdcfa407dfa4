package alphapay_test

import (
	"context"
	"fmt"

	"github.com/paybridge/paybridge/money"
	"github.com/paybridge/paybridge/payment"
	"github.com/paybridge/paybridge/providers/alphapay"
	"github.com/paybridge/paybridge/providers/alphapay/alphapaytest"
)

// A QR code payment against the simulator: create it, let the customer pay,
// see it succeed, refund part of it.
func Example() {
	srv := alphapaytest.NewServer() // a simulated AlphaPay on loopback
	defer srv.Close()
	creds := srv.Credentials()

	provider, err := alphapay.New(alphapay.Config{
		BaseURL:           creds.BaseURL, // alphapay.BaseURLCanada in production
		MerchantCode:      creds.MerchantCode,
		PrivateKey:        creds.MerchantPrivateKey,
		AlphaPayPublicKey: creds.AlphaPayPublicKey,
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	ctx := context.Background()
	p, err := provider.Pay(ctx, &payment.PayRequest{
		PaymentRequestID: "ORDER-1001",
		Scenario:         payment.ScenarioQRCode,
		Method:           payment.MethodWeChatPay,
		Amount:           money.MustParse("19.99 CAD"),
		Description:      "Two green teas",
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(p.Status, p.Action.Kind)

	_ = srv.Complete(p.PaymentID) // the customer scans and pays

	p, _ = provider.Inquire(ctx, p.Ref())
	fmt.Println(p.Status, p.Amount)

	r, _ := provider.Refund(ctx, &payment.RefundRequest{
		RefundRequestID: "REFUND-1001-1",
		Payment:         p.Ref(),
		Amount:          money.MustParse("5.00 CAD"),
	})
	fmt.Println(r.Status, r.Amount)
	// Output:
	// pending show_qr
	// succeeded 19.99 CAD
	// succeeded 5.00 CAD
}
