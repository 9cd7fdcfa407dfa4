package alipayplus_test

import (
	"context"
	"fmt"

	"github.com/paybridge/paybridge/money"
	"github.com/paybridge/paybridge/payment"
	"github.com/paybridge/paybridge/providers/alipayplus"
	"github.com/paybridge/paybridge/providers/alipayplus/alipayplustest"
)

// A cashier payment against the simulated wallet: create it, send the
// customer to the wallet's cashier, see it succeed, refund part of it.
func Example() {
	srv := alipayplustest.NewServer() // a simulated Alipay+ wallet on loopback
	defer srv.Close()
	creds := srv.Credentials()

	provider, err := alipayplus.New(alipayplus.Config{
		BaseURL:         creds.BaseURL, // the wallet's API host in production
		PathPrefix:      creds.Prefix,  // "/api"; "/miniprogram/api" for GCash, "" for Super Qi
		ClientID:        creds.ClientID,
		PrivateKey:      creds.MerchantPrivateKey,
		WalletPublicKey: creds.WalletPublicKey,
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	ctx := context.Background()
	p, err := provider.Pay(ctx, &payment.PayRequest{
		PaymentRequestID: "ORDER-1001",
		Scenario:         payment.ScenarioCashier,
		Amount:           money.MustParse("150 IQD"),
		Description:      "Two coffees",
		Device:           &payment.Device{OS: payment.OSAndroid, TerminalType: payment.TerminalMiniApp},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	// Redirect the customer to p.Action.URL, or pass it to my.tradePay.
	fmt.Println(p.Status, p.Action.Kind, p.Action.HTTPMethod)

	_ = srv.Complete(p.PaymentID) // the customer pays at the cashier

	p, _ = provider.Inquire(ctx, payment.Ref{PaymentRequestID: "ORDER-1001"})
	fmt.Println(p.Status, p.Amount)

	r, _ := provider.Refund(ctx, &payment.RefundRequest{
		RefundRequestID: "REFUND-1001-1",
		Payment:         p.Ref(),
		Amount:          money.MustParse("50 IQD"),
	})
	fmt.Println(r.Status, r.Amount)
	// Output:
	// pending redirect GET
	// succeeded 150.000 IQD
	// succeeded 50.000 IQD
}
