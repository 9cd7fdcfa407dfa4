// Package alphapay is the AlphaPay v2 (Unified Payment API) adapter: a
// payment.Provider for the ten AlphaPay scenarios — QR code, PC web, JSAPI,
// native JSAPI, H5, app SDK, mini program, credit card, in-store QR and
// in-store scan.
//
//	p, err := alphapay.New(alphapay.Config{
//		BaseURL:           alphapay.BaseURLCanada,
//		MerchantCode:      "PFA9QX",
//		PrivateKey:        merchantKeyPEM,   // yours; its public half is in the AlphaPay dashboard
//		AlphaPayPublicKey: alphaPayKeyPEM,   // AlphaPay's, from the dashboard
//	})
//	pay, err := p.Pay(ctx, &payment.PayRequest{
//		PaymentRequestID: "ORDER-1",
//		Scenario:         payment.ScenarioQRCode,
//		Method:           payment.MethodWeChatPay,
//		Amount:           money.MustParse("19.99 CAD"),
//		Description:      "Two green teas", // required by AlphaPay
//	})
//	// pay.Status == payment.StatusPending; show pay.Action.QRImage
//
// Every request is signed with the merchant key (RSA-SHA256, fresh time and
// nonce on every attempt over identical body bytes); every answer must carry
// a valid AlphaPay signature, or the call ends with an unknown outcome. A new
// order is answered U PAYMENT_IN_PROCESS with a paymentId: the adapter
// reports it as a pending payment, not as an unknown outcome. Other U
// answers, timeouts and 5xx are retried with the same request, then reported
// as payment.ErrUnknownOutcome.
//
// AlphaPay inquires only by its own paymentId, so payment.Resolve settles an
// unknown pay by replaying the identical request, which AlphaPay answers with
// the existing order. docs/providers/alphapay.md maps every field.
//
// The simulator in package alphapaytest speaks the same protocol for tests
// and the paybridge sandbox.
package alphapay
