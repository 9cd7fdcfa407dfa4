package cli

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"
	"time"

	"github.com/paybridge/paybridge/money"
	"github.com/paybridge/paybridge/payment"
)

// The operation commands print either a human block of "key: value" lines
// or, with --json, exactly one JSON object on stdout, so that a script can
// pipe stdout into a JSON parser whatever happened. The JSON field names are
// part of the CLI's interface: lower camel case, never renamed.

// paymentJSON is a payment as --json prints it.
type paymentJSON struct {
	Provider         string        `json:"provider"`
	PaymentID        string        `json:"paymentId,omitempty"`
	PaymentRequestID string        `json:"paymentRequestId,omitempty"`
	Status           string        `json:"status"`
	Amount           *money.Amount `json:"amount,omitempty"`
	Refunded         *money.Amount `json:"refunded,omitempty"`
	Scenario         string        `json:"scenario,omitempty"`
	Method           string        `json:"method,omitempty"`
	Action           *actionJSON   `json:"action,omitempty"`
	CreatedAt        string        `json:"createdAt,omitempty"`
	ExpiresAt        string        `json:"expiresAt,omitempty"`
	PaidAt           string        `json:"paidAt,omitempty"`
	CancelledAt      string        `json:"cancelledAt,omitempty"`
	FailureReason    string        `json:"failureReason,omitempty"`
	Result           *resultJSON   `json:"result,omitempty"`
}

// actionJSON is what the merchant does next. The QR image (a data URI) is
// left out: it is large, and qrCode is the same content.
type actionJSON struct {
	Kind       string            `json:"kind"`
	QRCode     string            `json:"qrCode,omitempty"`
	URL        string            `json:"url,omitempty"`
	HTTPMethod string            `json:"httpMethod,omitempty"`
	SDKParams  map[string]string `json:"sdkParams,omitempty"`
}

// refundJSON is a refund as --json prints it.
type refundJSON struct {
	Provider        string        `json:"provider"`
	RefundID        string        `json:"refundId,omitempty"`
	RefundRequestID string        `json:"refundRequestId,omitempty"`
	PaymentID       string        `json:"paymentId,omitempty"`
	Status          string        `json:"status"`
	Amount          *money.Amount `json:"amount,omitempty"`
	Reason          string        `json:"reason,omitempty"`
	CreatedAt       string        `json:"createdAt,omitempty"`
	CompletedAt     string        `json:"completedAt,omitempty"`
	FailureReason   string        `json:"failureReason,omitempty"`
	Result          *resultJSON   `json:"result,omitempty"`
}

type resultJSON struct {
	Status  string `json:"status,omitempty"`
	Code    string `json:"code,omitempty"`
	Message string `json:"message,omitempty"`
}

// errorJSON is {"error": {...}}: every failure under --json, so a script
// tells success from failure by the top-level key as well as the exit code.
type errorJSON struct {
	Error errorBody `json:"error"`
}

type errorBody struct {
	// Kind is a payment error kind in snake case ("unknown_outcome"), or
	// "usage" or "config" for the CLI's own errors.
	Kind      string `json:"kind"`
	Message   string `json:"message"`
	Code      string `json:"code,omitempty"`
	Status    string `json:"status,omitempty"`
	RequestID string `json:"requestId,omitempty"`
	Provider  string `json:"provider,omitempty"`
	Op        string `json:"op,omitempty"`
	Hint      string `json:"hint,omitempty"`
}

func toPaymentJSON(p *payment.Payment) paymentJSON {
	return paymentJSON{
		Provider:         p.Provider,
		PaymentID:        p.PaymentID,
		PaymentRequestID: p.PaymentRequestID,
		Status:           string(p.Status),
		Amount:           amountPtr(p.Amount),
		Refunded:         positiveAmountPtr(p.Refunded),
		Scenario:         string(p.Scenario),
		Method:           string(p.Method),
		Action:           toActionJSON(p.Action),
		CreatedAt:        timeText(p.CreatedAt),
		ExpiresAt:        timeText(p.ExpiresAt),
		PaidAt:           timeText(p.PaidAt),
		CancelledAt:      timeText(p.CancelledAt),
		FailureReason:    p.FailureReason,
		Result:           toResultJSON(p.Result),
	}
}

func toActionJSON(a *payment.Action) *actionJSON {
	if a == nil {
		return nil
	}
	return &actionJSON{Kind: string(a.Kind), QRCode: a.QRCode, URL: a.URL, HTTPMethod: a.HTTPMethod, SDKParams: a.SDKParams}
}

func toRefundJSON(r *payment.Refund) refundJSON {
	return refundJSON{
		Provider:        r.Provider,
		RefundID:        r.RefundID,
		RefundRequestID: r.RefundRequestID,
		PaymentID:       r.PaymentID,
		Status:          string(r.Status),
		Amount:          amountPtr(r.Amount),
		Reason:          r.Reason,
		CreatedAt:       timeText(r.CreatedAt),
		CompletedAt:     timeText(r.CompletedAt),
		FailureReason:   r.FailureReason,
		Result:          toResultJSON(r.Result),
	}
}

func toResultJSON(r payment.Result) *resultJSON {
	if r.IsZero() {
		return nil
	}
	return &resultJSON{Status: string(r.Status), Code: r.Code, Message: r.Message}
}

// amountPtr is nil for the zero Amount, which has no JSON form (a cancel
// answer, for one, carries no amount).
func amountPtr(a money.Amount) *money.Amount {
	if a.Currency().IsZero() {
		return nil
	}
	return &a
}

func positiveAmountPtr(a money.Amount) *money.Amount {
	if !a.IsPositive() {
		return nil
	}
	return &a
}

// timeText is RFC 3339 in UTC, or "" for an unknown time.
func timeText(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

// kindName is the JSON name of a payment error kind.
func kindName(k payment.Kind) string {
	if k == 0 {
		return "error"
	}
	return strings.ReplaceAll(k.String(), " ", "_")
}

func toErrorJSON(err error, hint string) errorJSON {
	body := errorBody{Kind: kindName(payment.KindOf(err)), Message: err.Error(), Hint: hint}
	var pe *payment.Error
	if errors.As(err, &pe) {
		body.Code, body.Status = pe.Result.Code, string(pe.Result.Status)
		body.RequestID, body.Provider, body.Op = pe.RequestID, pe.Provider, pe.Op
	}
	var ue usageError
	if errors.As(err, &ue) {
		body.Kind = ue.kind
	}
	return errorJSON{Error: body}
}

// usageError is an error of the CLI itself (flags, configuration), kept
// apart from payment errors so --json can name its kind.
type usageError struct {
	kind string // "usage" or "config"
	err  error
}

func (e usageError) Error() string { return e.err.Error() }
func (e usageError) Unwrap() error { return e.err }

// writeJSON prints v as one indented JSON object and a newline.
func writeJSON(w io.Writer, v any) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	_, err = w.Write(append(b, '\n'))
	return err
}

// block is an aligned "key: value" listing for human output. Empty values
// are left out, so each provider shows what it reported and nothing else.
type block struct{ keys, values []string }

func (b *block) add(key, value string) {
	if value != "" {
		b.keys, b.values = append(b.keys, key), append(b.values, value)
	}
}

func (b *block) write(w io.Writer) error {
	width := 0
	for _, k := range b.keys {
		width = max(width, len(k))
	}
	for i, k := range b.keys {
		if _, err := fmt.Fprintf(w, "%-*s  %s\n", width+1, k+":", b.values[i]); err != nil {
			return err
		}
	}
	return nil
}

func amountText(a money.Amount) string {
	if a.Currency().IsZero() {
		return ""
	}
	return a.String()
}

func resultText(r payment.Result) string {
	if r.IsZero() {
		return ""
	}
	return r.String()
}

func paymentBlock(p *payment.Payment) *block {
	b := &block{}
	b.add("provider", p.Provider)
	b.add("payment id", p.PaymentID)
	b.add("request id", p.PaymentRequestID)
	b.add("status", string(p.Status))
	b.add("amount", amountText(p.Amount))
	if p.Refunded.IsPositive() {
		b.add("refunded", p.Refunded.String())
	}
	b.add("scenario", string(p.Scenario))
	b.add("method", string(p.Method))
	addAction(b, p.Action)
	b.add("created at", timeText(p.CreatedAt))
	b.add("expires at", timeText(p.ExpiresAt))
	b.add("paid at", timeText(p.PaidAt))
	b.add("cancelled at", timeText(p.CancelledAt))
	b.add("failure reason", p.FailureReason)
	b.add("call result", resultText(p.Result))
	return b
}

// addAction says what to do next in words, then the data needed to do it.
func addAction(b *block, a *payment.Action) {
	if a == nil {
		return
	}
	switch a.Kind {
	case payment.ActionShowQR:
		b.add("action", "show this QR code to the customer")
		b.add("qr code", a.QRCode)
		b.add("qr page", a.URL)
	case payment.ActionRedirect:
		method := a.HTTPMethod
		if method == "" {
			method = "GET"
		}
		b.add("action", "redirect the customer ("+method+")")
		b.add("redirect url", a.URL)
	case payment.ActionInvokeSDK:
		b.add("action", "pass these parameters to the wallet SDK")
		keys := make([]string, 0, len(a.SDKParams))
		for k := range a.SDKParams {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			b.add("  "+k, a.SDKParams[k])
		}
	default:
		b.add("action", string(a.Kind))
		b.add("url", a.URL)
	}
}

func refundBlock(r *payment.Refund) *block {
	b := &block{}
	b.add("provider", r.Provider)
	b.add("refund id", r.RefundID)
	b.add("refund request id", r.RefundRequestID)
	b.add("payment id", r.PaymentID)
	b.add("status", string(r.Status))
	b.add("amount", amountText(r.Amount))
	b.add("reason", r.Reason)
	b.add("created at", timeText(r.CreatedAt))
	b.add("completed at", timeText(r.CompletedAt))
	b.add("failure reason", r.FailureReason)
	b.add("call result", resultText(r.Result))
	return b
}

// printer writes a command's outcome in the chosen form.
type printer struct {
	cmd            string // the command's name, for messages
	stdout, stderr io.Writer
	json           bool
}

// cmdHint points to the command's help.
func (p printer) cmdHint() string {
	return "Run \"paybridge help " + p.cmd + "\" for its flags."
}

func (p printer) payment(v *payment.Payment) {
	if p.json {
		_ = writeJSON(p.stdout, toPaymentJSON(v))
		return
	}
	_ = paymentBlock(v).write(p.stdout)
}

func (p printer) refund(v *payment.Refund) {
	if p.json {
		_ = writeJSON(p.stdout, toRefundJSON(v))
		return
	}
	_ = refundBlock(v).write(p.stdout)
}

// failure reports err (and what to do about it) and returns the exit code.
// Under --json the error object goes to stdout, where the result would have
// been; the human message always goes to stderr. A validation error names
// the command's flags, not the library's Go fields.
func (p printer) failure(err error, hint string) int {
	err = withFlagNames(err)
	if p.json {
		_ = writeJSON(p.stdout, toErrorJSON(err, hint))
	}
	fmt.Fprintf(p.stderr, "paybridge %s: %v\n", p.cmd, err)
	if hint != "" {
		fmt.Fprintln(p.stderr, hint)
	}
	return exitCode(err)
}

// exitCode maps an error to the CLI's exit codes (see main.go).
func exitCode(err error) int {
	var ue usageError
	switch {
	case err == nil:
		return exitOK
	case errors.As(err, &ue):
		return exitUsage
	}
	switch payment.KindOf(err) {
	case payment.KindInvalidRequest, payment.KindUnsupported:
		return exitInvalid
	case payment.KindUnknownOutcome:
		return exitUnknown
	case payment.KindUnavailable:
		return exitUnavailable
	}
	// Failed, NotFound, IdempotencyConflict and anything else.
	return exitFailed
}
