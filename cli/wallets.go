package cli

import (
	"github.com/paybridge/paybridge/money"
	"github.com/paybridge/paybridge/payment"
	"github.com/paybridge/paybridge/providers/alipayplus"
	"github.com/paybridge/paybridge/providers/alipayplus/alipayplustest"
	"github.com/paybridge/paybridge/providers/alphapay"
	"github.com/paybridge/paybridge/providers/alphapay/alphapaytest"
	"github.com/paybridge/paybridge/providers/antom"
	"github.com/paybridge/paybridge/providers/antom/antomtest"
)

func demoWallets() ([]demoWallet, error) {
	ap, err := alphapayWallet()
	if err != nil {
		return nil, err
	}
	wallet, err := alipayplusWallet()
	if err != nil {
		ap.close()
		return nil, err
	}
	an, err := antomWallet()
	if err != nil {
		ap.close()
		wallet.close()
		return nil, err
	}
	return []demoWallet{ap, wallet, an}, nil
}

func antomWallet() (demoWallet, error) {
	sim := antomtest.NewServer()
	cr := sim.Credentials()
	c, err := antom.New(antom.Config{BaseURL: cr.BaseURL, ClientID: cr.ClientID, KeyVersion: cr.KeyVersion,
		PrivateKey: cr.MerchantPrivateKey, AntomPublicKey: cr.AntomPublicKey})
	if err != nil {
		sim.Close()
		return demoWallet{}, err
	}
	return demoWallet{
		title:    "Antom — web checkout with GCash",
		provider: c,
		request: func(id, notifyURL string) *payment.PayRequest {
			return &payment.PayRequest{PaymentRequestID: id, Scenario: payment.ScenarioWeb, Method: payment.MethodGCash,
				Amount: money.MustParse("480.00 PHP"), Description: "Jasmine tea set", NotifyURL: notifyURL,
				RedirectURL: "https://shop.example/order/done"}
		},
		customerPays: sim.Complete,
		dropNextPays: func(n int) {
			for range n {
				sim.Script(antomtest.PathPay, antomtest.Fault{DropAfter: true})
			}
		},
		charges: sim.Charges,
		close:   sim.Close,
	}, nil
}

func alipayplusWallet() (demoWallet, error) {
	sim := alipayplustest.NewServer(alipayplustest.WithPrefix("/miniprogram/api"))
	cr := sim.Credentials()
	c, err := alipayplus.New(alipayplus.Config{BaseURL: cr.BaseURL, PathPrefix: cr.Prefix, ClientID: cr.ClientID,
		KeyVersion: cr.KeyVersion, PrivateKey: cr.MerchantPrivateKey, WalletPublicKey: cr.WalletPublicKey})
	if err != nil {
		sim.Close()
		return demoWallet{}, err
	}
	return demoWallet{
		title:    "Alipay+ wallet (GCash-style /miniprogram/api) — cashier payment in PHP",
		provider: c,
		request: func(id, notifyURL string) *payment.PayRequest {
			return &payment.PayRequest{PaymentRequestID: id, Scenario: payment.ScenarioCashier,
				Amount: money.MustParse("250.00 PHP"), Description: "Mango shake x2", NotifyURL: notifyURL,
				Device: &payment.Device{TerminalType: payment.TerminalMiniApp, OS: payment.OSAndroid}}
		},
		customerPays: sim.Complete,
		dropNextPays: func(n int) {
			for range n {
				sim.Script(alipayplustest.PathPay, alipayplustest.Fault{DropAfter: true})
			}
		},
		charges: sim.Charges,
		close:   sim.Close,
	}, nil
}

func alphapayWallet() (demoWallet, error) {
	sim := alphapaytest.NewServer()
	cr := sim.Credentials()
	c, err := alphapay.New(alphapay.Config{BaseURL: cr.BaseURL, MerchantCode: cr.MerchantCode,
		PrivateKey: cr.MerchantPrivateKey, AlphaPayPublicKey: cr.AlphaPayPublicKey})
	if err != nil {
		sim.Close()
		return demoWallet{}, err
	}
	return demoWallet{
		title:    "AlphaPay v2 — QR code payment with WeChat Pay",
		provider: c,
		request: func(id, notifyURL string) *payment.PayRequest {
			return &payment.PayRequest{PaymentRequestID: id, Scenario: payment.ScenarioQRCode, Method: payment.MethodWeChatPay,
				Amount: money.MustParse("19.99 CAD"), Description: "Two green teas", NotifyURL: notifyURL}
		},
		customerPays: sim.Complete,
		dropNextPays: func(n int) {
			for range n {
				sim.Script(alphapaytest.PathPay, alphapaytest.Fault{DropAfter: true})
			}
		},
		charges: sim.Charges,
		close:   sim.Close,
	}, nil
}
