package paymenttest

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/paybridge/paybridge/money"
	"github.com/paybridge/paybridge/payment"
)

// server is the simulated provider's API: an http.Handler that speaks the
// protocol of wire.go over the books of state.go. Like a real provider it
// verifies every request's signature and signs every answer. The transport
// calls it in process; nothing listens on a socket.
type server struct {
	st   *state
	keys keys
}

// ServeHTTP answers one request as the provider does when nothing goes
// wrong.
func (s *server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.serve(w, r, nil) }

// serve answers one request. f is nil or one of the faults that happen at
// the provider: FaultResult, FaultNoSignature, FaultBadSignature or
// FaultChangeAmount. The transport applies the network's faults itself.
func (s *server) serve(w http.ResponseWriter, r *http.Request, f *Fault) {
	if r.Method != http.MethodPost {
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	body, err := io.ReadAll(r.Body)
	if err != nil {
		http.Error(w, "unreadable request", http.StatusBadRequest)
		return
	}
	uri := r.URL.Path
	if err := s.keys.verify(roleRequest, uri, r.Header, body); err != nil {
		http.Error(w, err.Error(), http.StatusUnauthorized)
		return
	}
	process, ok := s.route(strings.TrimPrefix(uri, "/"), body)
	if !ok {
		http.NotFound(w, r)
		return
	}

	var a answer
	if f != nil && f.Kind == FaultResult && f.Status != payment.ResultSucceeded && f.Status != payment.ResultAccepted {
		// A scripted refusal or U: the provider answers without acting.
		a = answer{result: scripted(f)}
	} else {
		a = s.st.process(process)
		if f != nil && f.Kind == FaultResult && a.result.Status == payment.ResultSucceeded {
			a.result = scripted(f)
		}
		if f != nil && f.Kind == FaultChangeAmount {
			a.changeAmount()
		}
	}
	out, err := json.Marshal(a.wire())
	if err != nil {
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "application/json")
	now := s.st.clock.Now()
	switch {
	case f != nil && f.Kind == FaultNoSignature:
	case f != nil && f.Kind == FaultBadSignature:
		forged.sign(roleAnswer, uri, h, out, now)
	default:
		s.keys.sign(roleAnswer, uri, h, out, now)
	}
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(out)
}

func scripted(f *Fault) payment.Result {
	return payment.Result{Status: f.Status, Code: f.code(), Message: "scripted"}
}

// route decodes a request of op and returns its processing, to run under
// the state's lock. ok is false for an unknown op. A request the provider
// cannot read is refused with F PARAM_INVALID, as providers do; the
// engine's validation keeps such requests from being sent.
func (s *server) route(op string, body []byte) (process func() answer, ok bool) {
	invalid := func() answer { return failed(codeParamInvalid, "the request cannot be read") }
	switch op {
	case payment.OpPay:
		var w payPayload
		if json.Unmarshal(body, &w) != nil || w.PaymentRequestID == "" || w.Amount.Currency().IsZero() {
			return invalid, true
		}
		req := &payment.PayRequest{PaymentRequestID: w.PaymentRequestID, Scenario: payment.Scenario(w.Scenario),
			Amount: w.Amount, Method: payment.Method(w.Method)}
		if w.ExpiresAt != "" {
			t, err := time.Parse(time.RFC3339Nano, w.ExpiresAt)
			if err != nil {
				return invalid, true
			}
			req.ExpiresAt = t
		}
		return func() answer { return s.st.payLocked(req) }, true
	case payment.OpInquire, payment.OpCancel:
		var w refPayload
		if json.Unmarshal(body, &w) != nil || (w.PaymentID == "" && w.PaymentRequestID == "") {
			return invalid, true
		}
		ref := payment.Ref{PaymentID: w.PaymentID, PaymentRequestID: w.PaymentRequestID}
		if op == payment.OpCancel {
			return func() answer { return s.st.cancelLocked(ref) }, true
		}
		return func() answer { return s.st.inquireLocked(ref) }, true
	case payment.OpRefund:
		var w refundPayload
		if json.Unmarshal(body, &w) != nil || w.RefundRequestID == "" || w.Amount.Currency().IsZero() ||
			(w.Payment.PaymentID == "" && w.Payment.PaymentRequestID == "") {
			return invalid, true
		}
		req := &payment.RefundRequest{RefundRequestID: w.RefundRequestID, Amount: w.Amount, Reason: w.Reason,
			Payment: payment.Ref{PaymentID: w.Payment.PaymentID, PaymentRequestID: w.Payment.PaymentRequestID}}
		return func() answer { return s.st.refundLocked(req) }, true
	case payment.OpInquireRefund:
		var w refundRefPayload
		if json.Unmarshal(body, &w) != nil || (w.RefundID == "" && w.RefundRequestID == "") {
			return invalid, true
		}
		ref := payment.RefundRef{RefundID: w.RefundID, RefundRequestID: w.RefundRequestID}
		return func() answer { return s.st.inquireRefundLocked(ref) }, true
	}
	return nil, false
}

// wire returns the answer as sent. A model bug is answered F
// INTERNAL_ERROR with the bug's text: the provider refuses what it cannot
// do consistently, and the test that met the bug sees what broke.
func (a answer) wire() answerJSON {
	if a.bug != nil {
		return answerJSON{Result: resultOf(failedResult(codeInternalError, a.bug.Error()))}
	}
	w := answerJSON{Result: resultOf(a.result)}
	if a.payment != nil {
		w.Payment = paymentOf(a.payment)
	}
	if a.refund != nil {
		w.Refund = refundOf(a.refund)
	}
	return w
}

// changeAmount makes the answer name one minor unit more than the
// provider holds, for FaultChangeAmount.
func (a *answer) changeAmount() {
	more := func(x money.Amount) money.Amount {
		if y, err := money.FromMinor(x.Minor()+1, x.Currency()); err == nil {
			return y
		}
		return x
	}
	if a.payment != nil {
		a.payment.Amount = more(a.payment.Amount)
	}
	if a.refund != nil {
		a.refund.Amount = more(a.refund.Amount)
	}
}

// The envelope: requests and answers carry a time and an HMAC-SHA256 over
// the role, the request URI, the time and the body bytes. A shared secret
// is enough here: what matters is that an unsigned, wrongly signed or
// altered answer is detected the way an adapter detects it. The role keeps
// a request from ever verifying as an answer.
const (
	headerTime      = "Paymenttest-Time"
	headerSignature = "Paymenttest-Signature"

	roleRequest = "request"
	roleAnswer  = "answer"
)

var (
	errUnsigned     = errors.New("paymenttest: not signed")
	errBadSignature = errors.New("paymenttest: signature does not verify")
)

// keys is the secret the simulated adapter and provider share.
type keys struct{ secret []byte }

// newKeys returns a fresh secret, so that no answer of one Provider ever
// verifies at another.
func newKeys() keys { return keys{secret: []byte(rand.Text())} }

// forged signs with a key nobody trusts, for FaultBadSignature.
var forged = keys{secret: []byte("paymenttest: not the provider's key")}

func (k keys) mac(role, uri, ts string, body []byte) []byte {
	m := hmac.New(sha256.New, k.secret)
	m.Write([]byte(role + "\n" + uri + "\n" + ts + "\n"))
	m.Write(body)
	return m.Sum(nil)
}

func (k keys) sign(role, uri string, h http.Header, body []byte, now time.Time) {
	ts := now.UTC().Format(time.RFC3339Nano)
	h.Set(headerTime, ts)
	h.Set(headerSignature, base64.RawURLEncoding.EncodeToString(k.mac(role, uri, ts, body)))
}

func (k keys) verify(role, uri string, h http.Header, body []byte) error {
	ts, sig := h.Get(headerTime), h.Get(headerSignature)
	if ts == "" || sig == "" {
		return errUnsigned
	}
	got, err := base64.RawURLEncoding.DecodeString(sig)
	if err != nil || !hmac.Equal(got, k.mac(role, uri, ts, body)) {
		return errBadSignature
	}
	return nil
}
