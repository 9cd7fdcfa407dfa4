package bench

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/rsa"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sync"
	"time"

	"github.com/paybridge/paybridge/signing"
)

// apBaseline is the minimal hand-written AlphaPay v2 client the adapter is
// measured against: what a merchant would write with net/http,
// encoding/json and the same signing code, and nothing else — no
// validation beyond what decoding needs, no retries, no logging, no
// mapping to neutral types. It builds the same request body as the adapter
// (byte for byte: TestBaselineSameBody), signs it the same way, verifies
// the answer's signature and decodes the answer.
type apBaseline struct {
	base, merchant string
	key            *rsa.PrivateKey
	alphaPay       *rsa.PublicKey
	http           *http.Client

	// capture, if set, receives the strings signed and verified of each
	// exchange: the crypto floor benchmark signs and verifies those bytes.
	capture func(request, answer []byte)
}

// The JSON shapes, in AlphaPay's field order (as the adapter's wire types).
type (
	apAmount struct {
		Value    string `json:"value"`
		Currency string `json:"currency"`
	}
	apOrder struct {
		OrderAmount apAmount `json:"orderAmount"`
		Description string   `json:"description,omitempty"`
		NotifyURL   string   `json:"notifyUrl,omitempty"`
		RedirectURL string   `json:"redirectUrl,omitempty"`
	}
	apMethodJSON struct {
		PaymentMethodType string `json:"paymentMethodType,omitempty"`
	}
	apPayRequest struct {
		ScenarioCode     string        `json:"scenarioCode"`
		PaymentRequestID string        `json:"paymentRequestId"`
		Order            apOrder       `json:"order"`
		PaymentMethod    *apMethodJSON `json:"paymentMethod,omitempty"`
	}
	apResult struct {
		ResultCode    string `json:"resultCode"`
		ResultMessage string `json:"resultMessage"`
		ResultStatus  string `json:"resultStatus"`
	}
	apPayAnswer struct {
		PaymentRequestID string `json:"paymentRequestId"`
		PaymentID        string `json:"paymentId"`
		Order            *struct {
			OrderAmount apAmount `json:"orderAmount"`
		} `json:"order"`
		PaymentInfo *struct {
			PayURL string `json:"payUrl"`
		} `json:"paymentInfo"`
		PaymentCreateTime string   `json:"paymentCreateTime"`
		PaymentExpireTime string   `json:"paymentExpireTime"`
		Result            apResult `json:"result"`
	}
	apInquiryRequest struct {
		PaymentID string `json:"paymentId"`
	}
	apInquiryAnswer struct {
		PaymentRequestID string `json:"paymentRequestId"`
		PaymentID        string `json:"paymentId"`
		Order            *struct {
			OrderAmount apAmount `json:"orderAmount"`
		} `json:"order"`
		PaymentStatus string    `json:"paymentStatus"`
		PaymentTime   string    `json:"paymentTime"`
		Result        *apResult `json:"result"`
	}
)

// apPaid is what the baseline returns: the few fields a merchant needs.
type apPaid struct {
	PaymentID, Status, PayURL string
}

// Pay creates a JSAPI payment for minor units of currency.
func (c *apBaseline) Pay(ctx context.Context, requestID, value, currency, description, method, redirect string) (apPaid, error) {
	req := apPayRequest{
		ScenarioCode:     "JSAPI",
		PaymentRequestID: requestID,
		Order:            apOrder{OrderAmount: apAmount{value, currency}, Description: description, RedirectURL: redirect},
		PaymentMethod:    &apMethodJSON{PaymentMethodType: method},
	}
	var ans apPayAnswer
	if err := c.post(ctx, "/api/v2.0/payments/pay", req, &ans); err != nil {
		return apPaid{}, err
	}
	r := ans.Result
	if !(r.ResultStatus == "S" || (r.ResultStatus == "U" && r.ResultCode == "PAYMENT_IN_PROCESS")) {
		return apPaid{}, fmt.Errorf("pay: %s %s", r.ResultStatus, r.ResultCode)
	}
	if ans.PaymentID == "" || ans.PaymentRequestID != requestID ||
		ans.Order == nil || ans.Order.OrderAmount != req.Order.OrderAmount {
		return apPaid{}, errors.New("pay: answer does not match the request")
	}
	p := apPaid{PaymentID: ans.PaymentID, Status: "PAYMENT_IN_PROCESS"}
	if ans.PaymentInfo != nil {
		p.PayURL = ans.PaymentInfo.PayURL
	}
	return p, nil
}

// Inquire returns a payment's status.
func (c *apBaseline) Inquire(ctx context.Context, paymentID string) (apPaid, error) {
	var ans apInquiryAnswer
	if err := c.post(ctx, "/api/v2.0/payments/inquiryPayment", apInquiryRequest{paymentID}, &ans); err != nil {
		return apPaid{}, err
	}
	if ans.Result == nil || ans.Result.ResultStatus != "S" {
		return apPaid{}, errors.New("inquire: not S")
	}
	if ans.PaymentID != paymentID {
		return apPaid{}, errors.New("inquire: answer for another payment")
	}
	return apPaid{PaymentID: ans.PaymentID, Status: ans.PaymentStatus}, nil
}

// post marshals in, signs and sends it, checks the answer's signature and
// decodes it into out.
func (c *apBaseline) post(ctx context.Context, path string, in, out any) error {
	body, err := json.Marshal(in)
	if err != nil {
		return err
	}
	var nb [16]byte
	if _, err := rand.Read(nb[:]); err != nil {
		return err
	}
	nonce := hex.EncodeToString(nb[:])
	ts := time.Now().Format("2006-01-02T15:04:05-07:00")
	msg := signing.Message(http.MethodPost, path, body, c.merchant, ts, nonce)
	sig, err := signing.Sign(c.key, msg)
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.base+path, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json; charset=UTF-8")
	req.Header.Set("Merchant-Code", c.merchant)
	req.Header.Set("Request-Time", ts)
	req.Header.Set("Nonce", nonce)
	req.Header.Set("Signature", signing.Header{Algorithm: "RS256", KeyVersion: "1", Signature: sig}.Format(true))
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
	h, err := signing.ParseHeader(resp.Header.Get("Signature"))
	if err != nil {
		return err
	}
	ansMsg := signing.Message(http.MethodPost, path, ans, c.merchant, resp.Header.Get("Response-Time"), resp.Header.Get("Nonce"))
	if err := signing.Verify(c.alphaPay, ansMsg, h.Signature); err != nil {
		return err
	}
	if c.capture != nil {
		c.capture(msg, ansMsg)
	}
	return json.Unmarshal(ans, out)
}

// apBaselineNotify is a minimal hand-written handler for AlphaPay's
// payment notifications, next to which notify.Handler is measured: it
// reads the body, checks the merchant and the time window, parses the
// Signature header, verifies the signature, decodes the fields a merchant
// acts on, de-duplicates with a map and acknowledges.
func apBaselineNotify(merchant string, alphaPay *rsa.PublicKey, now func() time.Time) http.Handler {
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
		if r.Header.Get("Merchant-Code") != merchant || err != nil || now().Sub(sent).Abs() > 5*time.Minute {
			http.Error(w, "unauthorized", http.StatusUnauthorized)
			return
		}
		h, err := signing.ParseHeader(r.Header.Get("Signature"))
		if err != nil {
			http.Error(w, "unauthorized", http.StatusUnauthorized)
			return
		}
		msg := signing.Message(http.MethodPost, r.URL.RequestURI(), body, merchant, ts, r.Header.Get("Nonce"))
		if err := signing.Verify(alphaPay, msg, h.Signature); err != nil {
			http.Error(w, "unauthorized", http.StatusUnauthorized)
			return
		}
		var n struct {
			PaymentID string `json:"paymentId"`
			Order     *struct {
				OrderAmount apAmount `json:"orderAmount"`
			} `json:"order"`
			PaymentStatus string `json:"paymentStatus"`
		}
		if err := json.Unmarshal(body, &n); err != nil || n.PaymentID == "" {
			http.Error(w, "bad body", http.StatusBadRequest)
			return
		}
		key := n.PaymentID + "/" + n.PaymentStatus
		mu.Lock()
		dup := seen[key]
		seen[key] = true
		delete(seen, key) // every call is a new event, as in the Handler benchmark
		mu.Unlock()
		_ = dup
		w.Header().Set("Content-Type", "application/json; charset=UTF-8")
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write(apAck)
	})
}

var apAck = []byte(`{"result":{"resultCode":"SUCCESS","resultStatus":"S","resultMessage":"success"}}`)
