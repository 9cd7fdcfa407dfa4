package cli

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"path"
	"strings"
	"sync"
	"time"

	"github.com/paybridge/paybridge/money"
	"github.com/paybridge/paybridge/payment"
	"github.com/paybridge/paybridge/providers/alipayfamily/familytest"
	"github.com/paybridge/paybridge/simulator"
)

// The sandbox serves each simulator's handler behind a front of its own,
// which writes one readable line per API call, cashier action and
// notification attempt, and answers the control endpoints that "paybridge
// trigger" calls. The simulators stay as they are; the front only watches
// and adds.

// Control endpoints of a sandbox simulator, for "paybridge trigger".
const (
	// controlNotify sends a payment's (or refund's) signed notification
	// for its current state, once.
	controlNotify = "/_sandbox/notify"
	// controlComplete is the customer paying; it answers with the first
	// attempt of the notification that follows.
	controlComplete = "/_sandbox/complete"
)

// logger writes the sandbox's lines, one at a time, each stamped.
type logger struct {
	mu  sync.Mutex
	out io.Writer
	now func() time.Time
}

func (l *logger) printf(who, format string, args ...any) {
	l.mu.Lock()
	defer l.mu.Unlock()
	fmt.Fprintf(l.out, "%s  %-8s %s\n", l.now().Format("15:04:05"), who, fmt.Sprintf(format, args...))
}

// sim is one simulator as the sandbox runs it.
type sim struct {
	label    string // in the log: "alphapay" or "wallet"
	front    *httptest.Server
	handler  http.Handler
	api      map[string]bool // the API endpoints' paths
	log      *logger
	notifier *notifier

	// Views of the simulator, by its own API.
	payment    func(id string) (requestID, wireStatus, notifyURL string, ok bool)
	status     func(requestID string) (payment.Status, bool)
	cashierURL func(id string) string
	approveURL func(id string) string
	signed     func(paymentID, refundID, target string) (*http.Request, error)
	complete   func(id string) error
	deliveries func() int
	awaitMore  func(ctx context.Context, n int) error
	delivery   func(i int) (id string, attempt, status int, acked bool, errText string)
	close      func()
}

// listenFront prepares the front server on addr, so that the simulator can
// learn its URL before it serves.
func listenFront(addr string, useTLS bool) (*httptest.Server, string, error) {
	l, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, "", fmt.Errorf("cannot listen on %s: %w", addr, err)
	}
	front := httptest.NewUnstartedServer(nil)
	front.Listener.Close()
	front.Listener = l
	scheme := "http"
	if useTLS {
		scheme = "https"
	}
	return front, scheme + "://" + l.Addr().String(), nil
}

// start serves the front with the simulator behind it.
func (s *sim) start(useTLS bool) {
	s.front.Config.Handler = http.HandlerFunc(s.serve)
	if useTLS {
		s.front.StartTLS()
	} else {
		s.front.Start()
	}
}

func (s *sim) shutdown() {
	s.front.Close()
	s.close()
}

// recorder keeps the status and the first bytes of an answer.
type recorder struct {
	http.ResponseWriter
	status int
	body   bytes.Buffer
}

const maxLoggedBody = 256 << 10

func (r *recorder) WriteHeader(code int) {
	if r.status == 0 {
		r.status = code
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *recorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	if room := maxLoggedBody - r.body.Len(); room > 0 {
		r.body.Write(b[:min(len(b), room)])
	}
	return r.ResponseWriter.Write(b)
}

func (r *recorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }

func (s *sim) serve(w http.ResponseWriter, r *http.Request) {
	switch {
	case r.URL.Path == controlNotify && r.Method == http.MethodPost:
		s.serveNotify(w, r)
		return
	case r.URL.Path == controlComplete && r.Method == http.MethodPost:
		s.serveComplete(w, r)
		return
	case r.Method == http.MethodGet && r.URL.Path == "/favicon.ico":
		http.NotFound(w, r)
		return
	}
	var reqBody []byte
	if s.api[r.URL.Path] {
		reqBody, _ = io.ReadAll(io.LimitReader(r.Body, maxLoggedBody+1))
		r.Body = io.NopCloser(bytes.NewReader(reqBody))
	}
	rec := &recorder{ResponseWriter: w}
	s.handler.ServeHTTP(rec, r)
	switch {
	case s.api[r.URL.Path]:
		s.logAPI(r, reqBody, rec)
	case rec.status == http.StatusNotFound:
		s.log.printf(s.label, "%s %s: 404 not found (the cashier page is %s, its actions %s)",
			r.Method, r.URL.Path, s.cashierURL("{paymentId}"), s.approveURL("{paymentId}"))
	case r.Method == http.MethodPost:
		s.logCashier(r, rec)
	}
}

// logAPI writes one line for an API call: the operation, the IDs and
// amount it names, and the answer's result, and for a new pending payment
// a second line saying where the customer pays.
func (s *sim) logAPI(r *http.Request, reqBody []byte, rec *recorder) {
	op := path.Base(r.URL.Path)
	var in, out map[string]any
	_ = json.Unmarshal(reqBody, &in)
	_ = json.Unmarshal(rec.body.Bytes(), &out)
	what := []string{op}
	for _, k := range []string{"paymentRequestId", "refundRequestId", "paymentId", "refundId"} {
		if v, ok := findKey(in, k).(string); ok && v != "" {
			what = append(what, v)
		}
	}
	if a := findAmount(in); a != "" {
		what = append(what, a)
	}
	answer := fmt.Sprintf("HTTP %d", rec.status)
	if res, ok := findKey(out, "result").(map[string]any); ok {
		answer = fmt.Sprintf("%v %v", res["resultStatus"], res["resultCode"])
		if rec.status != http.StatusOK {
			answer += fmt.Sprintf(" (HTTP %d)", rec.status)
		}
	}
	var facts []string
	paymentID, _ := findKey(out, "paymentId").(string)
	switch st, ok := findKey(out, "paymentStatus").(string); {
	case ok && paymentID != "":
		facts = append(facts, "payment "+paymentID+" "+st)
	case paymentID != "" && op == "pay":
		// The answer's result is the call's; say where the payment is.
		if reqID, wireStatus, _, found := s.payment(paymentID); found {
			neutral, _ := s.status(reqID)
			facts = append(facts, fmt.Sprintf("payment %s %s (%s)", paymentID, neutral, wireStatus))
		} else {
			facts = append(facts, "payment "+paymentID)
		}
	}
	if id, ok := findKey(out, "refundId").(string); ok && id != "" {
		st, _ := findKey(out, "refundStatus").(string)
		facts = append(facts, strings.TrimSpace("refund "+id+" "+st))
	}
	line := strings.Join(what, " ") + " → " + answer
	if len(facts) > 0 {
		line += "; " + strings.Join(facts, "; ")
	}
	s.log.printf(s.label, "%s", line)
	if op == "pay" && paymentID != "" && s.pending(paymentID) {
		s.log.printf("", "the customer pays at %s  (or: curl -X POST %s)", s.cashierURL(paymentID), s.approveURL(paymentID))
	}
}

// pending reports whether the payment still awaits the customer.
func (s *sim) pending(id string) bool {
	reqID, _, _, ok := s.payment(id)
	if !ok {
		return false
	}
	st, _ := s.status(reqID)
	return st == payment.StatusPending
}

// logCashier writes one line for a customer's action on a cashier page.
func (s *sim) logCashier(r *http.Request, rec *recorder) {
	id, action := path.Base(path.Dir(r.URL.Path)), path.Base(r.URL.Path)
	verb := map[string]string{"approve": "approved", "decline": "declined"}[action]
	reqID, wireStatus, notifyURL, ok := s.payment(id)
	switch {
	case verb == "" || !ok:
		s.log.printf(s.label, "%s %s: %d", r.Method, r.URL.Path, rec.status)
	case rec.status >= 400:
		st, _ := s.status(reqID)
		s.log.printf(s.label, "cashier: the customer tried to %s payment %s, which is %s (%s): refused, nothing changed", action, id, st, wireStatus)
	default:
		st, _ := s.status(reqID)
		next := "no notification: the payment has no notify URL"
		if notifyURL != "" {
			next = "its notification goes to " + notifyURL
		}
		s.log.printf(s.label, "cashier: the customer %s payment %s → %s (%s); %s", verb, id, st, wireStatus, next)
	}
}

// findKey returns the first value named key in a decoded JSON tree,
// depth first.
func findKey(v any, key string) any {
	switch t := v.(type) {
	case map[string]any:
		if x, ok := t[key]; ok {
			return x
		}
		for _, x := range t {
			if found := findKey(x, key); found != nil {
				return found
			}
		}
	case []any:
		for _, x := range t {
			if found := findKey(x, key); found != nil {
				return found
			}
		}
	}
	return nil
}

// findAmount returns the first amount object ({"currency","value"} in minor
// units) of a request, as "19.99 CAD".
func findAmount(v any) string {
	for _, k := range []string{"refundAmount", "paymentAmount", "orderAmount"} {
		if m, ok := findKey(v, k).(map[string]any); ok {
			b, _ := json.Marshal(m)
			var a money.Amount
			if json.Unmarshal(b, &a) == nil {
				return a.String()
			}
		}
	}
	return ""
}

// --- notifications ---

// notifier is the simulators' HTTP client for notifications: it writes a
// line per attempt, with the receiver's answer and what the simulator does
// next (its documented retry schedule).
type notifier struct {
	base  http.RoundTripper
	log   *logger
	label string
	// plan says what follows an unacknowledged attempt.
	plan func(kind string, attempt int) string

	mu       sync.Mutex
	attempts map[[32]byte]int
}

type triggeredKey struct{}

func (n *notifier) client() *http.Client {
	return &http.Client{Timeout: 30 * time.Second, Transport: n}
}

func (n *notifier) RoundTrip(req *http.Request) (*http.Response, error) {
	var body []byte
	if req.Body != nil {
		body, _ = io.ReadAll(req.Body)
		req.Body.Close()
		req.Body = io.NopCloser(bytes.NewReader(body))
	}
	kind, about := describeNotification(body)
	attempt, triggered := 0, req.Context().Value(triggeredKey{}) != nil
	if !triggered {
		// Every attempt of one notification carries the same body to the
		// same URL; only the signature headers change.
		key := sha256.Sum256(append([]byte(req.URL.String()+"\x00"), body...))
		n.mu.Lock()
		n.attempts[key]++
		attempt = n.attempts[key]
		n.mu.Unlock()
	}
	resp, err := n.base.RoundTrip(req)
	var result string
	acked := false
	switch {
	case err != nil:
		result = "no answer: " + shortErr(err)
	default:
		b, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
		resp.Body.Close()
		resp.Body = io.NopCloser(bytes.NewReader(b))
		acked = resp.StatusCode == http.StatusOK && simulator.IsAck(b)
		result = fmt.Sprintf("HTTP %d", resp.StatusCode)
		if acked {
			result += ", acknowledged"
		} else {
			result += ", not acknowledged"
		}
	}
	switch {
	case triggered:
		n.log.printf(n.label, "notification (triggered) %s → %s: %s", about, req.URL, result)
	case acked:
		n.log.printf(n.label, "notification %s → %s: %s (attempt %d)", about, req.URL, result, attempt)
	default:
		n.log.printf(n.label, "notification %s → %s: %s (attempt %d); %s", about, req.URL, result, attempt, n.plan(kind, attempt))
	}
	return resp, err
}

// describeNotification names what a notification body is about: its kind
// ("payment" or "refund") and "payment 123 SUCCESS".
func describeNotification(body []byte) (kind, about string) {
	var v map[string]any
	_ = json.Unmarshal(body, &v)
	kind, id := "payment", ""
	if r, ok := findKey(v, "refundId").(string); ok && r != "" {
		kind, id = "refund", r
	} else {
		id, _ = findKey(v, "paymentId").(string)
	}
	status := ""
	for _, k := range []string{"refundStatus", "paymentStatus"} {
		if s, ok := findKey(v, k).(string); ok && s != "" {
			status = s
			break
		}
	}
	if status == "" {
		if res, ok := findKey(v, "paymentResult").(map[string]any); ok {
			status, _ = res["resultCode"].(string)
		}
	}
	return kind, strings.TrimSpace(kind + " " + id + " " + status)
}

func shortErr(err error) string {
	var op *net.OpError
	if errors.As(err, &op) && op.Err != nil {
		return op.Op + ": " + op.Err.Error()
	}
	return err.Error()
}

// The simulators' documented notification schedules (alphapaytest's and
// alipayplustest's and antomtest's package documentation), for the log's
// "what next".
const (
	alphaPayTriesAtOnce = 3
	alphaPayInterval    = 30 * time.Minute
	alphaPayWindow      = 24 * time.Hour
)

var walletSchedule = familytest.NotifySchedule.Waits

func alphaPayPlan(kind string, attempt int) string {
	switch {
	case kind == "refund":
		return "AlphaPay sends a refund notification once: no retry (inquire-refund instead)"
	case attempt < alphaPayTriesAtOnce:
		return "AlphaPay tries again at once"
	}
	return fmt.Sprintf("AlphaPay tries again in %s, every %s until %s after the first attempt",
		simulator.WaitText(alphaPayInterval), simulator.WaitText(alphaPayInterval), simulator.WaitText(alphaPayWindow))
}

// familyPlan is what follows an unacknowledged notification of an Alipay
// family simulator: both alipayplustest and antomtest keep Antom's
// schedule.
func familyPlan(who string) func(kind string, attempt int) string {
	return func(_ string, attempt int) string {
		if attempt >= len(walletSchedule) {
			return "that was " + who + "'s last try: inquire the payment instead"
		}
		return fmt.Sprintf("%s tries again in %s (try %d of %d)", who, simulator.WaitText(walletSchedule[attempt]), attempt+1, len(walletSchedule))
	}
}

// --- control endpoints ---

// controlRequest is what "paybridge trigger" asks the sandbox.
type controlRequest struct {
	PaymentID string `json:"paymentId"`
	RefundID  string `json:"refundId,omitempty"`
	NotifyURL string `json:"notifyUrl,omitempty"`
}

// controlAnswer is the sandbox's account of the notification it sent.
type controlAnswer struct {
	Kind       string `json:"kind,omitempty"`
	ID         string `json:"id,omitempty"`
	URL        string `json:"url,omitempty"`
	Attempt    int    `json:"attempt,omitempty"`
	StatusCode int    `json:"statusCode,omitempty"`
	Acked      bool   `json:"acked"`
	Err        string `json:"error,omitempty"`
	// Problem is set when nothing was sent, and says why.
	Problem string `json:"problem,omitempty"`
}

func controlReply(w http.ResponseWriter, status int, a controlAnswer) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(a)
}

func readControl(w http.ResponseWriter, r *http.Request) (controlRequest, bool) {
	var c controlRequest
	if err := json.NewDecoder(io.LimitReader(r.Body, 64<<10)).Decode(&c); err != nil || (c.PaymentID == "" && c.RefundID == "") {
		controlReply(w, http.StatusBadRequest, controlAnswer{Problem: "want a JSON body with paymentId (or refundId)"})
		return c, false
	}
	return c, true
}

// serveNotify sends the signed notification of a payment's (or refund's)
// current state to its notify URL or the one given, once, and reports the
// receiver's answer.
func (s *sim) serveNotify(w http.ResponseWriter, r *http.Request) {
	c, ok := readControl(w, r)
	if !ok {
		return
	}
	target := c.NotifyURL
	if c.RefundID == "" {
		_, _, notifyURL, found := s.payment(c.PaymentID)
		if !found {
			controlReply(w, http.StatusNotFound, controlAnswer{Problem: "the sandbox has no payment " + c.PaymentID})
			return
		}
		if target == "" {
			target = notifyURL
		}
	}
	if target == "" {
		controlReply(w, http.StatusBadRequest, controlAnswer{Problem: "the payment has no notify URL: pass --notify-url"})
		return
	}
	req, err := s.signed(c.PaymentID, c.RefundID, target)
	if err != nil {
		status := http.StatusBadRequest
		if errors.Is(err, simulator.ErrNotFound) { // every simulator's ErrNotFound is the kit's
			status = http.StatusNotFound
		}
		controlReply(w, status, controlAnswer{Problem: err.Error()})
		return
	}
	ctx, cancel := context.WithTimeout(context.WithValue(r.Context(), triggeredKey{}, true), 30*time.Second)
	defer cancel()
	kind, id := "payment", c.PaymentID
	if c.RefundID != "" {
		kind, id = "refund", c.RefundID
	}
	a := controlAnswer{Kind: kind, ID: id, URL: target, Attempt: 1}
	resp, err := s.notifier.client().Do(req.WithContext(ctx))
	if err != nil {
		a.Err = shortErr(err)
	} else {
		b, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
		resp.Body.Close()
		a.StatusCode, a.Acked = resp.StatusCode, resp.StatusCode == http.StatusOK && simulator.IsAck(b)
	}
	controlReply(w, http.StatusOK, a)
}

// serveComplete is the customer paying; it waits (bounded) for the first
// attempt of the notification the simulator then sends, and reports it.
func (s *sim) serveComplete(w http.ResponseWriter, r *http.Request) {
	c, ok := readControl(w, r)
	if !ok {
		return
	}
	_, _, notifyURL, found := s.payment(c.PaymentID)
	if !found {
		controlReply(w, http.StatusNotFound, controlAnswer{Problem: "the sandbox has no payment " + c.PaymentID})
		return
	}
	before := s.deliveries()
	if err := s.complete(c.PaymentID); err != nil {
		controlReply(w, http.StatusConflict, controlAnswer{Problem: err.Error()})
		return
	}
	s.log.printf(s.label, "trigger: the customer paid payment %s", c.PaymentID)
	a := controlAnswer{Kind: "payment", ID: c.PaymentID, URL: notifyURL}
	if notifyURL == "" {
		controlReply(w, http.StatusOK, a)
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), 40*time.Second)
	defer cancel()
	for n := before + 1; ; n++ {
		if err := s.awaitMore(ctx, n); err != nil {
			a.Problem = "no notification attempt within 40 seconds: " + err.Error()
			controlReply(w, http.StatusGatewayTimeout, a)
			return
		}
		if id, attempt, status, acked, errText := s.delivery(n - 1); id == c.PaymentID {
			a.Attempt, a.StatusCode, a.Acked, a.Err = attempt, status, acked, errText
			controlReply(w, http.StatusOK, a)
			return
		}
	}
}
