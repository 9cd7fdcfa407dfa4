package alphapay

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/paybridge/paybridge/money"
	"github.com/paybridge/paybridge/payment"
	"github.com/paybridge/paybridge/providers/alphapay/internal/wire"
)

// The scenario table: neutral scenario ↔ AlphaPay scenarioCode.
var scenarioCodes = map[payment.Scenario]string{
	payment.ScenarioQRCode:      wire.ScenarioOnlineQRCode,
	payment.ScenarioWeb:         wire.ScenarioOnlineWeb,
	payment.ScenarioJSAPI:       wire.ScenarioJSAPI,
	payment.ScenarioNativeJSAPI: wire.ScenarioNativeJSAPI,
	payment.ScenarioH5:          wire.ScenarioOnlineWAP,
	payment.ScenarioApp:         wire.ScenarioApp,
	payment.ScenarioMiniProgram: wire.ScenarioMiniApp,
	payment.ScenarioCreditCard:  wire.ScenarioCreditCard,
	payment.ScenarioInStoreQR:   wire.ScenarioOfflineQRCode,
	payment.ScenarioInStoreScan: wire.ScenarioOffline,
}

func scenarioFromCode(code string) payment.Scenario {
	for s, c := range scenarioCodes {
		if c == code {
			return s
		}
	}
	return ""
}

var methodTypes = map[payment.Method]string{
	payment.MethodAlipay:    wire.MethodAlipay,
	payment.MethodWeChatPay: wire.MethodWechat,
	payment.MethodUnionPay:  wire.MethodUnionPay,
}

var statuses = map[string]payment.Status{
	wire.PaymentInProcess:     payment.StatusPending,
	wire.PaymentSuccess:       payment.StatusSucceeded,
	wire.PaymentFailed:        payment.StatusFailed,
	wire.PaymentClosed:        payment.StatusCancelled,
	wire.PaymentPartialRefund: payment.StatusPartiallyRefunded,
	wire.PaymentFullRefund:    payment.StatusRefunded,
}

var refundStatuses = map[string]payment.RefundStatus{
	wire.RefundInProcess: payment.RefundPending,
	wire.RefundSuccess:   payment.RefundSucceeded,
	wire.RefundFailed:    payment.RefundFailed,
}

var osTypes = map[payment.OS]string{payment.OSIOS: "IOS", payment.OSAndroid: "ANDROID"}

func toWireAmount(a money.Amount) wire.Amount {
	return wire.Amount{Value: a.MinorString(), Currency: a.Currency().Code()}
}

func fromWireAmount(a wire.Amount) (money.Amount, error) {
	cur, err := money.LookupCurrency(a.Currency)
	if err != nil {
		return money.Amount{}, err
	}
	return money.ParseMinor(a.Value, cur)
}

// parseTime reads AlphaPay's RFC 3339 timestamps; an absent or unreadable
// one is the zero time (timestamps are informative, never decisive).
func parseTime(s string) time.Time {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}
	}
	return t
}

// payRequest builds the wire body. Only the fields the scenario uses are
// sent, so the bytes signed are the ones AlphaPay documents.
func payRequest(req *payment.PayRequest) wire.PayRequest {
	w := wire.PayRequest{
		ScenarioCode:     scenarioCodes[req.Scenario],
		PaymentRequestID: req.PaymentRequestID,
		Order: wire.Order{
			OrderAmount: toWireAmount(req.Amount),
			Description: req.Description,
			NotifyURL:   req.NotifyURL,
			RedirectURL: req.RedirectURL,
		},
	}
	if t, ok := methodTypes[req.Method]; ok {
		w.PaymentMethod = &wire.PaymentMethod{PaymentMethodType: t}
	}
	switch req.Scenario {
	case payment.ScenarioInStoreScan:
		w.PaymentMethod = &wire.PaymentMethod{PaymentCode: req.PaymentCode}
	case payment.ScenarioNativeJSAPI, payment.ScenarioMiniProgram:
		w.Customer = &wire.Customer{AppID: req.Customer.AppID, CustomerID: req.Customer.PayerID}
	case payment.ScenarioApp:
		w.Env = &wire.Env{OSType: osTypes[req.Device.OS], Version: req.Device.Version}
	case payment.ScenarioCreditCard:
		card := req.Card
		wc := &wire.Card{CardID: card.Token, Remember: card.Remember, CustomerID: card.CustomerID, Email: card.Email}
		if card.Number != "" {
			wc.Info = &wire.CardInfo{
				Number: card.Number, ExpMonth: card.ExpMonth, ExpYear: card.ExpYear, CVV: card.CVV,
				Holder: card.Holder, Address: card.Address, City: card.City, State: card.State,
				Country: card.Country, PostalCode: card.PostalCode,
			}
		}
		w.Card = wc
	}
	return w
}

// payFromResponse maps a Done pay answer: S is a paid order, anything else
// (PAYMENT_IN_PROCESS) a pending one with the scenario's Action. It reports
// only what the answer says; the engine checks it against the request.
func payFromResponse(req *payment.PayRequest, resp *wire.PayResponse) (*payment.Payment, error) {
	p := &payment.Payment{
		Provider:         Name,
		PaymentRequestID: resp.PaymentRequestID,
		PaymentID:        resp.PaymentID,
		Status:           payment.StatusPending,
		Scenario:         scenarioFromCode(resp.ScenarioCode),
		CreatedAt:        parseTime(resp.PaymentCreateTime),
		ExpiresAt:        parseTime(resp.PaymentExpireTime),
	}
	if resp.Order != nil {
		amt, err := fromWireAmount(resp.Order.OrderAmount)
		if err != nil {
			return nil, fmt.Errorf("order amount: %w", err)
		}
		p.Amount = amt
	}
	if resp.Card != nil {
		// The saved-card token every CREDIT_CARD answer carries (the
		// official SDK's CreditCardOrderSpecification expects card.cardId
		// whether or not the card was remembered); Card.Token sends it back.
		p.CardToken = payment.CardToken(resp.Card.CardID)
	}
	if resp.Result.ResultStatus == wire.StatusS {
		// A repeated pay of an order that is no longer waiting, where
		// AlphaPay says so. The answer does not say whether part of it
		// has been refunded since: the status is left to the engine's
		// inquiry.
		p.Status = ""
		return p, nil
	}
	p.Action = action(req, resp.PaymentInfo)
	return p, nil
}

// action builds what the merchant does next, from the scenario and the
// paymentInfo AlphaPay returned.
func action(req *payment.PayRequest, info *wire.PaymentInfo) *payment.Action {
	if info == nil {
		info = &wire.PaymentInfo{}
	}
	switch req.Scenario.ActionKind() {
	case payment.ActionShowQR:
		return &payment.Action{Kind: payment.ActionShowQR, QRCode: info.PaymentURL, QRImage: dataURI(info.PaymentQRImage), URL: info.PayURL}
	case payment.ActionRedirect:
		u := info.PayURL
		if u == "" {
			u = info.ChannelPayURL
		}
		if req.Scenario == payment.ScenarioWeb && req.RedirectURL != "" && u != "" {
			// AlphaPay's PC web checkout returns the customer to the URL the
			// merchant appends as "redirect".
			u = appendQuery(u, "redirect", req.RedirectURL)
		}
		return &payment.Action{Kind: payment.ActionRedirect, URL: u, HTTPMethod: "GET"}
	case payment.ActionInvokeSDK:
		return &payment.Action{Kind: payment.ActionInvokeSDK, SDKParams: flatten(info.SDKParams)}
	}
	return nil
}

func appendQuery(raw, key, value string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return raw
	}
	q := u.Query()
	q.Set(key, value)
	u.RawQuery = q.Encode()
	return u.String()
}

// dataURI makes a QR image usable as <img src>: AlphaPay sends either a
// data URI or bare base64 PNG.
func dataURI(img string) string {
	if img == "" || strings.HasPrefix(img, "data:") {
		return img
	}
	return "data:image/png;base64," + img
}

// flatten turns the sdkParams object into strings: string values as they
// are, anything else as its JSON text.
func flatten(raw json.RawMessage) map[string]string {
	var m map[string]json.RawMessage
	if len(bytes.TrimSpace(raw)) == 0 || json.Unmarshal(raw, &m) != nil {
		return nil
	}
	out := make(map[string]string, len(m))
	for k, v := range m {
		var s string
		if json.Unmarshal(v, &s) == nil {
			out[k] = s
		} else {
			out[k] = string(v)
		}
	}
	return out
}

// paymentFromState maps an inquiry answer or a notification body.
func paymentFromState(st *wire.PaymentState) (*payment.Payment, error) {
	status, ok := statuses[st.PaymentStatus]
	if !ok {
		return nil, fmt.Errorf("unknown paymentStatus %q", st.PaymentStatus)
	}
	p := &payment.Payment{
		Provider:         Name,
		PaymentRequestID: st.PaymentRequestID,
		PaymentID:        st.PaymentID,
		Status:           status,
		Scenario:         scenarioFromCode(st.ScenarioCode),
		CreatedAt:        parseTime(st.PaymentCreateTime),
		ExpiresAt:        parseTime(st.PaymentExpireTime),
		PaidAt:           parseTime(st.PaymentTime),
	}
	if st.Order != nil {
		amt, err := fromWireAmount(st.Order.OrderAmount)
		if err != nil {
			return nil, fmt.Errorf("order amount: %w", err)
		}
		p.Amount = amt
	}
	return p, nil
}

// refundFromState maps an inquiryRefund answer or a refund notification.
func refundFromState(st *wire.RefundState) (*payment.Refund, error) {
	status, ok := refundStatuses[st.RefundStatus]
	if !ok {
		return nil, fmt.Errorf("unknown refundStatus %q", st.RefundStatus)
	}
	r := &payment.Refund{
		Provider:        Name,
		RefundRequestID: st.RefundRequestID,
		RefundID:        st.RefundID,
		PaymentID:       st.PaymentID,
		Status:          status,
		CreatedAt:       parseTime(st.RefundTime),
	}
	if status.Final() {
		r.CompletedAt = r.CreatedAt
	}
	if st.Refund != nil {
		amt, err := fromWireAmount(st.Refund.RefundAmount)
		if err != nil {
			return nil, fmt.Errorf("refund amount: %w", err)
		}
		r.Amount = amt
		r.Reason = st.Refund.Description
	}
	return r, nil
}
