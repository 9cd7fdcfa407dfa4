// Package alipayplus is the adapter for the Alipay+ style v1 wallet OpenAPI:
// the server-to-server API that GCash, Touch 'n Go, Super Qi, VodaPay, Rebell
// and other Alipay+ platform wallets host for merchants. It is a
// payment.Provider for one scenario, the wallet's cashier.
//
//	p, err := alipayplus.New(alipayplus.Config{
//		BaseURL:         "https://api.wallet.example",
//		PathPrefix:      "/api",           // "/miniprogram/api" for GCash, "" for Super Qi
//		ClientID:        "2022091516250500001",
//		PrivateKey:      merchantKeyPEM,   // yours; its public half is registered with the wallet
//		WalletPublicKey: walletKeyPEM,     // the wallet's
//	})
//	pay, err := p.Pay(ctx, &payment.PayRequest{
//		PaymentRequestID: "ORDER-1",
//		Scenario:         payment.ScenarioCashier,
//		Amount:           money.MustParse("150 IQD"),
//		Description:      "Two coffees",
//	})
//	// pay.Status == payment.StatusPending; redirect to pay.Action.URL
//	// (or pass it to my.tradePay in a mini program)
//
// Wallets host the same protocol with small differences — path prefix,
// Request-Time format, URL-encoded or raw base64 signatures, the spelling of
// the redirect URL, key version, product code — and all of them are Config,
// not code. Per-request fields without a neutral counterpart (productCode,
// paymentAuthCode for agreement pay, extendInfo) travel as PayOptions in
// PayRequest.ProviderOptions.
//
// The adapter is a driver under the portable engine (package
// payment/engine): it encodes requests, signs and verifies, decodes answers
// and classifies the wallet's result codes; the engine decides outcomes the
// same way for every provider. Every request is signed with the merchant key
// (RSA-SHA256 over the URI including the prefix, Client-Id, Request-Time and
// body; a fresh time on every attempt over identical body bytes). An answer
// must verify with the wallet key: an unsigned one is never believed,
// whatever it says, and makes the outcome unknown. S or A with a
// redirectActionForm is a pending payment with a redirect Action; S without
// one on an agreement pay (PayOptions.AuthCode) is a synchronous success;
// any other answer without a form is settled by an inquiry. U answers,
// timeouts and 5xx are retried with the same request, then reported as
// payment.ErrUnknownOutcome.
//
// The wallet inquires by paymentRequestId, so payment.Resolve settles an
// unknown pay with one inquiry and never charges twice. Alipay+ reports
// refunds per refund: Inquire shows a refunded payment as succeeded, and
// InquireRefund tells each refund's state.
//
// The Client is also the notification source for package notify
// (VerifyNotification, ParseNotification, Acknowledgement).
// docs/providers/alipayplus.md maps every field. The simulator in package
// alipayplustest speaks the same protocol for tests and the paybridge
// sandbox.
package alipayplus
