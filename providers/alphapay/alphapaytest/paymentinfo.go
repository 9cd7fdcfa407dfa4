package alphapaytest

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	mrand "math/rand/v2"
	"net/url"
	"strconv"

	"github.com/paybridge/paybridge/providers/alphapay/internal/wire"
	"github.com/paybridge/paybridge/simulator"
	"rsc.io/qr"
)

// paymentInfo builds what the customer is shown or sent to, per scenario.
// The URLs point at this server: /qr/{id} is the QR content and /pay/{id}
// the cashier page; both serve the cashier page.
func paymentInfo(p *simulator.Payment, req *wire.PayRequest) *wire.PaymentInfo {
	qrURL := p.Base + "/qr/" + p.ID
	payURL := cashierPage.URL(p)
	method := ""
	if req.PaymentMethod != nil {
		method = req.PaymentMethod.PaymentMethodType
	}
	switch ext(p).scenario {
	case wire.ScenarioOnlineQRCode:
		return &wire.PaymentInfo{PaymentURL: qrURL, PaymentQRImage: qrImage(qrURL), PayURL: payURL}
	case wire.ScenarioOfflineQRCode:
		return &wire.PaymentInfo{PaymentURL: qrURL, PaymentQRImage: qrImage(qrURL)}
	case wire.ScenarioOnlineWeb, wire.ScenarioJSAPI:
		return &wire.PaymentInfo{PayURL: payURL}
	case wire.ScenarioOnlineWAP:
		return &wire.PaymentInfo{PayURL: payURL, ChannelPayURL: payURL + "?channel=" + url.QueryEscape(method)}
	case wire.ScenarioNativeJSAPI, wire.ScenarioMiniApp, wire.ScenarioApp:
		var appID string
		if req.Customer != nil {
			appID = req.Customer.AppID
		}
		params, err := json.Marshal(sdkParams(p, method, appID))
		if err != nil {
			return nil
		}
		return &wire.PaymentInfo{SDKParams: params}
	}
	return nil // CREDIT_CARD, OFFLINE
}

// qrImage returns a PNG QR code of text as a data URI usable as <img src>,
// or "" if text is too long for a QR code.
func qrImage(text string) string {
	c, err := qr.Encode(text, qr.M)
	if err != nil {
		return ""
	}
	return "data:image/png;base64," + base64.StdEncoding.EncodeToString(c.PNG())
}

// The wallets' SDK parameter shapes, in their field order.
type (
	wechatJSAPIParams struct {
		AppID     string `json:"appId"`
		TimeStamp string `json:"timeStamp"`
		NonceStr  string `json:"nonceStr"`
		Package   string `json:"package"`
		SignType  string `json:"signType"`
		PaySign   string `json:"paySign"`
	}
	wechatAppParams struct {
		AppID     string `json:"appid"`
		PartnerID string `json:"partnerid"`
		PrepayID  string `json:"prepayid"`
		Package   string `json:"package"`
		NonceStr  string `json:"noncestr"`
		Timestamp string `json:"timestamp"`
		Sign      string `json:"sign"`
	}
	alipayJSAPIParams struct {
		TradeNO string `json:"tradeNO"`
	}
	alipayAppParams struct {
		OrderStr string `json:"orderStr"`
	}
	unionPayParams struct {
		TN string `json:"tn"`
	}
)

// sdkParams returns parameters that look like the wallet's; they are not
// valid for any real wallet.
func sdkParams(p *simulator.Payment, method, appID string) any {
	ts := strconv.FormatInt(p.Created.Unix(), 10)
	prepay := "wx" + p.Created.Format("02150405") + newNonce()[:24]
	switch method {
	case wire.MethodWechat:
		if ext(p).scenario == wire.ScenarioApp {
			if appID == "" {
				appID = "wx" + newNonce()[:16]
			}
			return wechatAppParams{
				AppID: appID, PartnerID: digits(10), PrepayID: prepay, Package: "Sign=WXPay",
				NonceStr: newNonce(), Timestamp: ts, Sign: randomSignature(),
			}
		}
		return wechatJSAPIParams{
			AppID: appID, TimeStamp: ts, NonceStr: newNonce(), Package: "prepay_id=" + prepay,
			SignType: "RSA", PaySign: randomSignature(),
		}
	case wire.MethodAlipay:
		tradeNo := p.Created.Format("20060102") + digits(20)
		if ext(p).scenario == wire.ScenarioApp {
			v := url.Values{}
			v.Set("app_id", "2021"+digits(12))
			v.Set("biz_content", `{"out_trade_no":"`+p.ID+`","total_amount":"`+p.Amount.Major()+`"}`)
			v.Set("charset", "utf-8")
			v.Set("method", "alipay.trade.app.pay")
			v.Set("sign_type", "RSA2")
			v.Set("timestamp", p.Created.Format("2006-01-02 15:04:05"))
			v.Set("version", "1.0")
			v.Set("sign", randomSignature())
			return alipayAppParams{OrderStr: v.Encode()}
		}
		return alipayJSAPIParams{TradeNO: tradeNo}
	default:
		return unionPayParams{TN: p.Created.Format("20060102150405") + digits(7)}
	}
}

func digits(n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte('0' + mrand.IntN(10))
	}
	return string(b)
}

func randomSignature() string {
	var b [256]byte
	_, _ = rand.Read(b[:])
	return base64.StdEncoding.EncodeToString(b[:])
}
