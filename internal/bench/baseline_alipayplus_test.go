package bench

import (
	"bytes"
	"context"
	"crypto/rsa"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sync"
	"time"

	"github.com/paybridge/paybridge/signing"
)

// appBaseline is the minimal hand-written Alipay+ v1 client the adapter is
// measured against (see apBaseline): the same request body, signed the
// same way, the answer's signature verified and the answer decoded.
type appBaseline struct {
	base, prefix, clientID string
	key                    *rsa.PrivateKey
	wallet                 *rsa.PublicKey
	http                   *http.Client

	capture func(request, answer []byte)
}

// The JSON shapes, in the wallets' documented field order (as the
// adapter's wire types).
type (
	appAmount struct {
		Currency string `json:"currency"`
		Value    string `json:"value"`
	}
	appEnv struct {
		OSType       string `json:"osType,omitempty"`
		TerminalType string `json:"terminalType,omitempty"`
	}
	appOrder struct {
		ReferenceOrderID string     `json:"referenceOrderId,omitempty"`
		OrderDescription string     `json:"orderDescription,omitempty"`
		OrderAmount      *appAmount `json:"orderAmount,omitempty"`
		Env              *appEnv    `json:"env,omitempty"`
	}
	appPayRequest struct {
		ProductCode        string    `json:"productCode"`
		PaymentRequestID   string    `json:"paymentRequestId"`
		PaymentAmount      appAmount `json:"paymentAmount"`
		Order              appOrder  `json:"order"`
		PaymentRedirectURL string    `json:"paymentRedirectUrl,omitempty"`
	}
	appResult struct {
		ResultCode    string `json:"resultCode"`
		ResultStatus  string `json:"resultStatus"`
		ResultMessage string `json:"resultMessage"`
	}
	appPayAnswer struct {
		Result             appResult  `json:"result"`
		PaymentID          string     `json:"paymentId"`
		PaymentAmount      *appAmount `json:"paymentAmount"`
		RedirectActionForm *struct {
			Method         string `json:"method"`
			RedirectionURL string `json:"redirectionUrl"`
		} `json:"redirectActionForm"`
	}
	appInquiryRequest struct {
		PaymentID string `json:"paymentId,omitempty"`
	}
	appInquiryAnswer struct {
		Result           appResult  `json:"result"`
		PaymentID        string     `json:"paymentId"`
		PaymentRequestID string     `json:"paymentRequestId"`
		PaymentAmount    *appAmount `json:"paymentAmount"`
		PaymentTime      string     `json:"paymentTime"`
		PaymentStatus    string     `json:"paymentStatus"`
	}
)

// appPaid is what the baseline returns.
type appPaid struct {
	PaymentID, Status, RedirectURL string
}

// Pay creates a cashier payment.
func (c *appBaseline) Pay(ctx context.Context, requestID, value, currency, description, redirect string) (appPaid, error) {
	amt := appAmount{currency, value}
	req := appPayRequest{
		ProductCode:      "51051000101000000011",
		PaymentRequestID: requestID,
		PaymentAmount:    amt,
		Order: appOrder{ReferenceOrderID: requestID, OrderDescription: description, OrderAmount: &amt,
			Env: &appEnv{OSType: "ANDROID", TerminalType: "MINI_APP"}},
		PaymentRedirectURL: redirect,
	}
	var ans appPayAnswer
	if err := c.post(ctx, "/v1/payments/pay", req, &ans); err != nil {
		return appPaid{}, err
	}
	if r := ans.Result; r.ResultStatus != "S" && r.ResultStatus != "A" {
		return appPaid{}, fmt.Errorf("pay: %s %s", r.ResultStatus, r.ResultCode)
	}
	if ans.PaymentID == "" || (ans.PaymentAmount != nil && *ans.PaymentAmount != amt) {
		return appPaid{}, errors.New("pay: answer does not match the request")
	}
	p := appPaid{PaymentID: ans.PaymentID, Status: "PROCESSING"}
	if ans.RedirectActionForm != nil {
		p.RedirectURL = ans.RedirectActionForm.RedirectionURL
	}
	return p, nil
}

// Inquire returns a payment's status.
func (c *appBaseline) Inquire(ctx context.Context, paymentID string) (appPaid, error) {
	var ans appInquiryAnswer
	if err := c.post(ctx, "/v1/payments/inquiryPayment", appInquiryRequest{paymentID}, &ans); err != nil {
		return appPaid{}, err
	}
	if ans.Result.ResultStatus != "S" {
		return appPaid{}, errors.New("inquire: not S")
	}
	if ans.PaymentID != paymentID {
		return appPaid{}, errors.New("inquire: answer for another payment")
	}
	return appPaid{PaymentID: ans.PaymentID, Status: ans.PaymentStatus}, nil
}

func (c *appBaseline) post(ctx context.Context, path string, in, out any) error {
	body, err := json.Marshal(in)
	if err != nil {
		return err
	}
	uri := c.prefix + path
	ts := time.Now().Format("2006-01-02T15:04:05.000-07:00")
	msg := signing.Message(http.MethodPost, uri, body, c.clientID, ts)
	sig, err := signing.Sign(c.key, msg)
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.base+uri, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json; charset=UTF-8")
	req.Header.Set("Client-Id", c.clientID)
	req.Header.Set("Request-Time", ts)
	req.Header.Set("Signature", signing.Header{Algorithm: "RSA256", KeyVersion: "1", Signature: sig}.Format(true))
	resp, err := c.http.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	ans, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("HTTP %d", resp.StatusCode)
	}
	if resp.Header.Get("Client-Id") != c.clientID {
		return errors.New("answer for another client")
	}
	h, err := signing.ParseHeader(resp.Header.Get("Signature"))
	if err != nil {
		return err
	}
	ansMsg := signing.Message(http.MethodPost, uri, ans, c.clientID, resp.Header.Get("Response-Time"))
	if err := signing.Verify(c.wallet, ansMsg, h.Signature); err != nil {
		return err
	}
	if c.capture != nil {
		c.capture(msg, ansMsg)
	}
	return json.Unmarshal(ans, out)
}

// appBaselineNotify is the minimal hand-written handler for the wallet's
// notifyPayment (see apBaselineNotify).
func appBaselineNotify(clientID string, wallet *rsa.PublicKey, now func() time.Time) http.Handler {
	var mu sync.Mutex
	seen := map[string]bool{}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, 64<<10))
		if err != nil {
			http.Error(w, "bad body", http.StatusBadRequest)
			return
		}
		ts := r.Header.Get("Request-Time")
		sent, err := time.Parse(time.RFC3339, ts)
		if r.Header.Get("Client-Id") != clientID || err != nil || now().Sub(sent).Abs() > 5*time.Minute {
			http.Error(w, "unauthorized", http.StatusUnauthorized)
			return
		}
		h, err := signing.ParseHeader(r.Header.Get("Signature"))
		if err != nil {
			http.Error(w, "unauthorized", http.StatusUnauthorized)
			return
		}
		msg := signing.Message(http.MethodPost, r.URL.RequestURI(), body, clientID, ts)
		if err := signing.Verify(wallet, msg, h.Signature); err != nil {
			http.Error(w, "unauthorized", http.StatusUnauthorized)
			return
		}
		var n struct {
			PaymentID     string     `json:"paymentId"`
			PaymentAmount *appAmount `json:"paymentAmount"`
			PaymentResult *appResult `json:"paymentResult"`
		}
		if err := json.Unmarshal(body, &n); err != nil || n.PaymentID == "" || n.PaymentResult == nil {
			http.Error(w, "bad body", http.StatusBadRequest)
			return
		}
		key := n.PaymentID + "/" + n.PaymentResult.ResultStatus
		mu.Lock()
		dup := seen[key]
		seen[key] = true
		delete(seen, key) // every call is a new event, as in the Handler benchmark
		mu.Unlock()
		_ = dup
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write(appAck)
	})
}

var appAck = []byte(`{"result":{"resultCode":"SUCCESS","resultStatus":"S","resultMessage":"success"}}`)
