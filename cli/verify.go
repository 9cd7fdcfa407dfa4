package cli

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/paybridge/paybridge/money"
	"github.com/paybridge/paybridge/notify"
	"github.com/paybridge/paybridge/payment"
	"github.com/paybridge/paybridge/providers/alipayfamily"
	"github.com/paybridge/paybridge/providers/alipayplus"
	"github.com/paybridge/paybridge/providers/alphapay"
	"github.com/paybridge/paybridge/providers/antom"
	"github.com/paybridge/paybridge/signing"
)

// verify-notification answers the commonest support question — "why does
// my webhook reject this notification?" — offline, from a saved copy: it
// runs the same checks as notify.Handler (signature over the exact bytes and
// URI, the timestamp window, parsing) and says which one fails and why.

// signedHeaders are the headers each provider's notification signature
// covers, so a missing one can be named rather than reported as "unsigned".
var signedHeaders = map[string][]string{
	alphapay.Name:   {"Merchant-Code", "Request-Time", "Nonce", "Signature"},
	alipayplus.Name: {"Client-Id", "Request-Time", "Signature"},
	antom.Name:      {"Client-Id", "Request-Time", "Signature"},
}

// idHeader is the header that names the merchant a notification is for.
var idHeader = map[string]string{alphapay.Name: "Merchant-Code", alipayplus.Name: "Client-Id", antom.Name: "Client-Id"}

// publicKeySettings name the setting holding each kind's provider public
// key. The three maps are paybridge's kinds only: a kind registered outside
// it (Options.Registry) is checked all the same, with plainer hints.
var publicKeySettings = map[string]string{alphapay.Name: "alphaPayPublicKey", alipayplus.Name: "walletPublicKey", antom.Name: "antomPublicKey"}

type verifyFlags struct {
	config, wallet, bodyFile, headersFile, uri, at string
	tolerance                                      time.Duration
}

func verifyCommand(reg *opener) *command {
	return &command{
		name:     "verify-notification",
		summary:  "check a saved notification's signature, time and event, offline",
		synopsis: "--config FILE [--wallet NAME] --body FILE --headers FILE [--uri PATH] [--at RFC3339] [--json]",
		about: `Checks a saved notification the way the notify handler does, step by step: the
headers, the signature (with the wallet's provider public key, over POST, the URI,
the headers and the exact body bytes), the timestamp window, and the event the
body describes. A leading HTTP status or request line in the headers file is
skipped. The signature value itself is never printed.

"paybridge listen --save DIR" saves every notification it receives in this form
(DIR/N.body and DIR/N.headers, with the request line); so does a proxy's or
curl -D's header dump with the raw body beside it.

With --json, stdout carries one JSON object: {"valid": bool, "steps": [...],
"event": {...}}, or {"error": {...}} for bad flags, files or configuration.

Exit codes: 0 the notification is genuine and fresh; 1 it is not; 2 bad flags,
files or configuration.`,
		json: true,
		setup: func(fset *flag.FlagSet) runFunc {
			var f verifyFlags
			fset.StringVar(&f.config, "config", "", "wallets configuration `file` (required)")
			fset.StringVar(&f.wallet, "wallet", "", "wallet `name` (default: the wallet whose provider key verifies the notification)")
			fset.StringVar(&f.bodyFile, "body", "", "`file` holding the notification body, byte for byte as received (required)")
			fset.StringVar(&f.headersFile, "headers", "", "`file` of \"Name: value\" header lines, as curl -D or a proxy log writes them (required)")
			fset.StringVar(&f.uri, "uri", "", "the `path` and query the provider posted to, e.g. /notify/alphapay (default: the\nrequest line of the headers file, if it has one)")
			fset.StringVar(&f.at, "at", "", "check the timestamp window against this RFC 3339 `time` instead of now")
			fset.DurationVar(&f.tolerance, "tolerance", notify.DefaultTolerance, "the timestamp window either way, as configured in notify.WithTolerance")
			return func(ctx context.Context, pr printer) int {
				in, err := f.load(ctx, reg)
				if err != nil {
					if _, ok := err.(usageError); !ok {
						err = usageError{kind: "usage", err: err}
					}
					return pr.failure(err, "")
				}
				r := in.check()
				if pr.json {
					_ = writeJSON(pr.stdout, r)
				} else {
					r.write(pr.stdout)
				}
				if r.Valid {
					return exitOK
				}
				return exitFailed
			}
		},
	}
}

// verifyInput is everything one check needs, read and validated.
type verifyInput struct {
	kind, wallet string
	src          notify.Source
	header       http.Header
	body         []byte
	uri          string
	uriNote      string
	at           time.Time
	atLabel      string
	tolerance    time.Duration
}

// load reads the flags' files and the wallet, opened with reg. Every error
// here is the caller's to fix (exitUsage), unlike a failing check.
func (f *verifyFlags) load(ctx context.Context, reg *opener) (*verifyInput, error) {
	if err := required([2]string{"config", f.config}, [2]string{"body", f.bodyFile}, [2]string{"headers", f.headersFile}); err != nil {
		return nil, err
	}
	switch {
	case f.tolerance <= 0:
		return nil, errors.New("--tolerance must be positive")
	}
	in := &verifyInput{tolerance: f.tolerance, at: time.Now(), atLabel: "now"}
	if f.at != "" {
		at, err := time.Parse(time.RFC3339Nano, f.at)
		if err != nil {
			return nil, fmt.Errorf("--at: want an RFC 3339 time such as 2025-01-31T12:00:00Z: %v", err)
		}
		in.at, in.atLabel = at, "--at"
	}
	var err error
	if in.body, err = os.ReadFile(f.bodyFile); err != nil {
		return nil, fmt.Errorf("--body: %w", err)
	}
	raw, err := os.ReadFile(f.headersFile)
	if err != nil {
		return nil, fmt.Errorf("--headers: %w", err)
	}
	h, target, err := parseHeaderFile(raw)
	if err != nil {
		return nil, fmt.Errorf("--headers %s: %w", f.headersFile, err)
	}
	in.header = h
	if in.uri, in.uriNote, err = chooseURI(f.uri, target); err != nil {
		return nil, err
	}
	sources, err := notifySources(ctx, reg, f.config, f.wallet)
	if err != nil {
		return nil, err
	}
	chosen, err := pickSource(sources, in)
	if err != nil {
		return nil, err
	}
	in.kind, in.wallet, in.src = chosen.src.Name(), chosen.name, chosen.src
	return in, nil
}

// pickSource chooses the wallet to check against when the configuration
// has several and --wallet names none: the one whose provider key verifies
// the notification, else the only one of the provider its headers name.
func pickSource(sources []namedSource, in *verifyInput) (namedSource, error) {
	if len(sources) == 1 {
		return sources[0], nil
	}
	for _, s := range sources {
		_, err := s.src.VerifyNotification(in.header, in.uri, in.body)
		if err == nil || errors.Is(err, notify.ErrBadTimestamp) {
			return s, nil
		}
	}
	var byHeader []namedSource
	for _, s := range sources {
		if h := idHeader[s.src.Name()]; h != "" && in.header.Get(h) != "" {
			byHeader = append(byHeader, s)
		}
	}
	if len(byHeader) == 1 {
		return byHeader[0], nil
	}
	names := make([]string, len(sources))
	for i, s := range sources {
		names[i] = s.name
	}
	return namedSource{}, usageErr("--wallet is required: no wallet's key verifies this notification, and its headers do not say which of %s it is for", strings.Join(names, ", "))
}

// chooseURI picks the URI the signature is checked over: --uri, or the
// request line's target. A full URL is cut to its path and query, which is
// what the provider signs.
func chooseURI(flagURI, requestTarget string) (uri, note string, err error) {
	uri = flagURI
	if uri == "" {
		uri = requestTarget
		note = "from the headers file's request line"
	}
	if uri == "" {
		return "", "", errors.New("--uri is required (the path the provider posted to, e.g. /notify/alphapay): the headers file has no request line")
	}
	if !strings.HasPrefix(uri, "/") {
		u, perr := url.Parse(uri)
		if perr != nil || u.Host == "" {
			return "", "", fmt.Errorf("--uri %q: want a path such as /notify/alphapay, or a full URL", uri)
		}
		uri, note = u.RequestURI(), "the path and query of the URL given"
	}
	if flagURI != "" && requestTarget != "" && requestTarget != uri {
		note = "--uri; the headers file's request line says " + requestTarget
	}
	return uri, note, nil
}

// parseHeaderFile reads "Name: value" lines. It skips a leading HTTP status
// or request line (returning the request line's target), the "> " and "< "
// prefixes of curl -v, and stops at the blank line that ends a header block.
func parseHeaderFile(raw []byte) (http.Header, string, error) {
	h := http.Header{}
	target := ""
	for i, line := range strings.Split(string(raw), "\n") {
		line = strings.TrimRight(line, "\r")
		if line != "" && (line[0] == '>' || line[0] == '<') {
			line = strings.TrimPrefix(line[1:], " ") // curl -v; no header name starts so
		}
		if strings.TrimSpace(line) == "" {
			if len(h) > 0 {
				break
			}
			continue
		}
		if t, ok := startLine(line); ok {
			if t != "" {
				target = t
			}
			continue
		}
		name, value, ok := strings.Cut(line, ":")
		if !ok || name == "" || strings.ContainsAny(name, " \t") {
			return nil, "", fmt.Errorf("line %d is not a \"Name: value\" header line", i+1)
		}
		h.Add(name, strings.TrimSpace(value))
	}
	if len(h) == 0 {
		return nil, "", errors.New("no header lines found")
	}
	return h, target, nil
}

// startLine recognises "HTTP/1.1 200 OK" (target "") and
// "POST /notify HTTP/1.1" (target "/notify"; an absolute-form target is cut
// to its path and query).
func startLine(line string) (target string, ok bool) {
	fields := strings.Fields(line)
	if len(fields) > 0 && strings.HasPrefix(fields[0], "HTTP/") {
		return "", true
	}
	if len(fields) != 3 || !strings.HasPrefix(fields[2], "HTTP/") {
		return "", false
	}
	target = fields[1]
	if u, err := url.Parse(target); err == nil && u.Host != "" {
		target = u.RequestURI()
	}
	return target, true
}

// verifyReport is the outcome of a check: the steps in the handler's
// order and the verdict. It is also verify-notification's --json object.
type verifyReport struct {
	Valid    bool         `json:"valid"`
	Wallet   string       `json:"wallet"`
	Provider string       `json:"provider"`
	URI      string       `json:"uri"`
	URINote  string       `json:"uriNote,omitempty"`
	Steps    []verifyStep `json:"steps"`
	Event    *eventJSON   `json:"event,omitempty"`
}

// verifyStep is one check: its name, what it found and notes on what to do.
type verifyStep struct {
	Step   string   `json:"step"`
	Result string   `json:"result"`
	Notes  []string `json:"notes,omitempty"`
}

// eventJSON is a notification's event as --json prints it.
type eventJSON struct {
	Kind    string       `json:"kind"`
	Key     string       `json:"key"`
	Payment *paymentJSON `json:"payment,omitempty"`
	Refund  *refundJSON  `json:"refund,omitempty"`
}

func (r *verifyReport) step(label, text string, notes ...string) {
	r.Steps = append(r.Steps, verifyStep{Step: label, Result: text, Notes: notes})
}

// check runs the handler's checks in its order and reports whether the
// handler would accept the notification.
func (in *verifyInput) check() *verifyReport {
	r := &verifyReport{Wallet: in.wallet, Provider: in.kind, URI: in.uri, URINote: in.uriNote}
	in.reportBody(r)
	headersOK := in.reportHeaders(r)
	sentAt, sigErr := in.src.VerifyNotification(in.header, in.uri, in.body)
	in.reportSignature(r, sigErr, headersOK)
	fresh := in.reportTime(r, sentAt, sigErr == nil)
	eventOK := in.reportEvent(r, sigErr == nil && fresh)
	r.Valid = sigErr == nil && fresh && eventOK
	if r.Valid {
		r.step("result", "VALID: the notify handler would accept this notification")
	} else {
		r.step("result", "INVALID: the notify handler would reject this notification")
	}
	return r
}

// write prints the report for people: one labelled line per step, notes
// indented under it.
func (r *verifyReport) write(w io.Writer) {
	fmt.Fprintf(w, "Checking a notification for wallet %q (%s) posted to POST %s", r.Wallet, r.Provider, r.URI)
	if r.URINote != "" {
		fmt.Fprintf(w, " (%s)", r.URINote)
	}
	fmt.Fprintln(w)
	for _, st := range r.Steps {
		fmt.Fprintf(w, "%-10s %s\n", st.Step+":", st.Result)
		for _, m := range st.Notes {
			fmt.Fprintf(w, "%-10s %s\n", "", m)
		}
		if st.Step == "event" && r.Event != nil {
			b := eventBlock(r.Event)
			for i, k := range b.keys {
				fmt.Fprintf(w, "%-10s %-18s %s\n", "", k+":", b.values[i])
			}
		}
	}
}

func (in *verifyInput) reportBody(r *verifyReport) {
	note := ""
	if len(in.body) > notify.DefaultMaxBytes {
		note = fmt.Sprintf(" (over the handler's default %d KiB limit: it answers 413 unless notify.WithMaxBytes raises it)", notify.DefaultMaxBytes>>10)
	}
	r.step("body", fmt.Sprintf("%d bytes%s", len(in.body), note))
}

// reportHeaders names the signed headers that are missing. It prints names
// only: the Signature value must never be echoed.
func (in *verifyInput) reportHeaders(r *verifyReport) bool {
	want := signedHeaders[in.kind]
	var present, missing []string
	for _, name := range want {
		if in.header.Get(name) == "" {
			missing = append(missing, name)
		} else {
			present = append(present, name)
		}
	}
	if len(missing) > 0 {
		r.step("headers", "MISSING "+strings.Join(missing, ", ")+"; present: "+orNone(present),
			"a proxy or logger may have dropped them; save all request headers as received")
		return false
	}
	if len(want) > 0 {
		r.step("headers", strings.Join(present, ", ")+" present")
	}
	return true
}

func (in *verifyInput) reportSignature(r *verifyReport, err error, headersOK bool) {
	if err == nil {
		r.step("signature", "verifies over POST "+in.uri+" with the wallet's provider public key")
		return
	}
	more := signatureHints(in, err, headersOK)
	r.step("signature", "DOES NOT VERIFY: "+err.Error(), more...)
}

// signatureHints turns a verification error into what to check, most
// likely cause first.
func signatureHints(in *verifyInput, err error, headersOK bool) []string {
	idName := idHeader[in.kind]
	switch {
	case !headersOK:
		// Checked first: a missing Merchant-Code reads as "another
		// merchant" to the adapter, which would send the user astray.
		return []string{"the headers listed as missing above are required"}
	case errors.Is(err, alphapay.ErrWrongMerchant), errors.Is(err, alipayfamily.ErrWrongClient): // alipayplus and antom
		return []string{fmt.Sprintf("the notification is for %s %q, not this wallet's: check --wallet and the configuration",
			idName, in.header.Get(idName))}
	case errors.Is(err, signing.ErrMalformedHeader):
		return []string{"the Signature header is damaged: it must be saved exactly as received (algorithm=…,keyVersion=…,signature=…)"}
	case errors.Is(err, signing.ErrBadSignature):
		hints := []string{
			"the signature covers POST " + in.uri + ", " + coveredHeaders(in.kind) + " and the body byte for byte:",
			"- if a proxy rewrote the path, pass the public path (as the provider posted it) with --uri",
			"- the body file must hold the exact bytes received: not pretty-printed, not re-encoded",
			"- the wallet's provider public key (" + publicKeySetting(in.kind) + ") must be the provider's, not yours",
		}
		if bytes.HasSuffix(in.body, []byte("\n")) {
			hints = append(hints, "- the body file ends with a newline: if an editor added it, remove it")
		}
		return hints
	}
	return nil
}

// publicKeySetting names the setting that holds a kind's provider public
// key; a kind registered outside paybridge has its own.
func publicKeySetting(kind string) string {
	if k, ok := publicKeySettings[kind]; ok {
		return k
	}
	return "in the wallet's settings"
}

// coveredHeaders names the headers a signature covers besides itself.
func coveredHeaders(kind string) string {
	var names []string
	for _, n := range signedHeaders[kind] {
		if n != "Signature" {
			names = append(names, n)
		}
	}
	if len(names) == 0 {
		return "the signed headers"
	}
	return "the " + strings.Join(names, ", ") + " headers"
}

// reportTime shows when the provider signed the notification and how far
// that is from the reference time, against the handler's window. Without a
// verified signature the time is shown from the header, marked unverified.
func (in *verifyInput) reportTime(r *verifyReport, sentAt time.Time, verified bool) bool {
	if !verified {
		if signedHeaders[in.kind] == nil {
			// A kind registered outside paybridge: where its time is
			// is its adapter's to know.
			r.step("time", "unknown: only a verified signature tells it for this kind")
			return false
		}
		ts := in.header.Get("Request-Time")
		t, err := time.Parse(time.RFC3339Nano, ts)
		if err != nil {
			r.step("time", "unknown: no readable Request-Time header")
			return false
		}
		sentAt = t
	}
	d := in.at.Sub(sentAt)
	var rel string
	switch {
	case d >= 0:
		rel = fmt.Sprintf("%s before %s", d.Round(time.Second), in.atLabel)
	default:
		rel = fmt.Sprintf("%s after %s", (-d).Round(time.Second), in.atLabel)
	}
	text := fmt.Sprintf("signed %s, %s (window ±%s)", sentAt.UTC().Format(time.RFC3339), rel, in.tolerance)
	// The handler's own comparisons, so the verdict cannot differ from it.
	switch {
	case sentAt.Before(in.at.Add(-in.tolerance)):
		r.step("time", text+": STALE", "the handler rejects notifications signed outside the window;",
			"the provider re-sends with a fresh time, or check the server's clock")
		return false
	case sentAt.After(in.at.Add(in.tolerance)):
		r.step("time", text+": IN THE FUTURE", "check the clocks of this server and of whatever saved the notification")
		return false
	}
	if !verified {
		r.step("time", text+" (not verified: the signature failed)")
		return true
	}
	r.step("time", text+": fresh")
	return true
}

// reportEvent parses the body, only once it is known genuine: an unverified
// body's claims are not worth showing as an event.
func (in *verifyInput) reportEvent(r *verifyReport, trusted bool) bool {
	if !trusted {
		r.step("event", "not parsed: the notification is not genuine and fresh")
		return true
	}
	ev, err := in.src.ParseNotification(in.body)
	switch {
	case errors.Is(err, payment.ErrUnknownEvent):
		r.step("event", "not one the adapter knows: "+err.Error(),
			"the handler acknowledges it (so the provider stops) and delivers nothing")
		return true
	case err != nil:
		r.step("event", "UNDECODABLE: "+err.Error(), "the handler answers 400 and the provider will retry")
		return false
	}
	r.step("event", string(ev.Kind))
	r.Event = toEventJSON(ev)
	return true
}

func toEventJSON(ev payment.Event) *eventJSON {
	e := &eventJSON{Kind: string(ev.Kind), Key: ev.Key}
	if ev.Payment != nil {
		p := toPaymentJSON(ev.Payment)
		e.Payment = &p
	}
	if ev.Refund != nil {
		rf := toRefundJSON(ev.Refund)
		e.Refund = &rf
	}
	return e
}

// eventBlock lists an event's facts for people.
func eventBlock(ev *eventJSON) *block {
	b := &block{}
	b.add("key", ev.Key)
	if p := ev.Payment; p != nil {
		b.add("provider", p.Provider)
		b.add("payment id", p.PaymentID)
		b.add("request id", p.PaymentRequestID)
		b.add("status", p.Status)
		b.add("amount", jsonAmountText(p.Amount))
		b.add("paid at", p.PaidAt)
		b.add("failure reason", p.FailureReason)
	}
	if r := ev.Refund; r != nil {
		b.add("provider", r.Provider)
		b.add("refund id", r.RefundID)
		b.add("refund request id", r.RefundRequestID)
		b.add("payment id", r.PaymentID)
		b.add("status", r.Status)
		b.add("amount", jsonAmountText(r.Amount))
	}
	return b
}

func jsonAmountText(a *money.Amount) string {
	if a == nil {
		return ""
	}
	return a.String()
}
