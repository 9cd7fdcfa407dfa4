// Package antom is the adapter for Antom, Alipay's merchant payment
// gateway (the online payment API under /ams/api/v1/payments/): one
// merchant account that takes many wallets — Alipay CN and HK, GCash,
// DANA, Touch 'n Go, TrueMoney, KakaoPay and others — chosen per payment
// with PayRequest.Method.
//
//	p, err := antom.New(antom.Config{
//		BaseURL:        "https://open-sea-global.alipay.com",
//		ClientID:       "SANDBOX_5YBV3N2Z0KS906447",
//		PrivateKey:     merchantKeyPEM,
//		AntomPublicKey: antomKeyPEM,
//	})
//	pay, err := p.Pay(ctx, &payment.PayRequest{
//		PaymentRequestID: "ORDER-1",
//		Scenario:         payment.ScenarioWeb, // or ScenarioH5, ScenarioCashier
//		Method:           payment.MethodGCash,
//		Amount:           money.MustParse("150.00 PHP"),
//		RedirectURL:      "https://shop.example/done",
//	})
//	// pay.Status == payment.StatusPending; redirect to pay.Action.URL
//
// Antom is a member of the Alipay family: the envelope (RSA-SHA256 over
// "POST <path>\n<Client-Id>.<Request-Time>.<body>"), the result object,
// the amounts, the table of F codes and the acknowledgement are package
// providers/alipayfamily's, and the adapter is a driver under the
// portable engine (package payment/engine), which decides every outcome.
// An unsigned answer is never believed. docs/providers/antom.md maps
// every field; package antomtest simulates Antom for tests and the
// paybridge sandbox.
package antom
