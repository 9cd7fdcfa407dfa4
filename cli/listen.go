package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/paybridge/paybridge/notify"
	"github.com/paybridge/paybridge/payment"
	"github.com/paybridge/paybridge/providers"
	"github.com/paybridge/paybridge/simulator"
)

// listen is the notify endpoint a developer does not have yet, or a window
// onto the one they have: it receives notifications — from the sandbox, or
// from a provider through a tunnel — checks each as the notify handler
// would, prints it, saves it for verify-notification, and forwards it to
// the developer's app unchanged, relaying the app's answer back to the
// provider.

// maxListenBody bounds a notification body; the notify handler's own
// default is smaller (notify.DefaultMaxBytes), so nothing it would accept
// is refused here.
const maxListenBody = 1 << 20

func listenCommand(reg *opener) *command {
	return &command{
		name:     "listen",
		summary:  "receive notifications: check, print, save and forward each to your app",
		synopsis: "--config FILE [--wallet NAME] [--addr 127.0.0.1:4000] [--forward-to http://localhost:8080] [--save DIR]",
		about: `Receives notifications on --addr: give any URL on it as a payment's notify URL
(pay --notify-url http://127.0.0.1:4000/notify). For each one it prints a line:
the wallet whose provider signed it (checked as the notify handler checks:
signature over the exact bytes and URI, timestamp window), and the event.

With --save DIR it writes each notification as DIR/N.body (the exact bytes) and
DIR/N.headers (the request line and headers), which verify-notification reads.

With --forward-to it forwards each notification unchanged to your app and
relays your app's answer to the provider, which retries until your app
acknowledges. --forward-to is your app's origin (scheme, host and port): the
notification keeps its own path and query, since the provider's signature covers
them; mount your notify handler at the path you gave the provider. Without
--forward-to, listen acknowledges genuine notifications itself (so the provider
stops) and refuses the others (so it retries), as the notify handler would.

A real provider reaches listen through a public HTTPS URL (a tunnel such as
ngrok or cloudflared to --addr); see docs/going-live.md.`,
		setup: func(fs *flag.FlagSet) runFunc {
			var f listenFlags
			fs.StringVar(&f.config, "config", "", "wallets configuration `file`, to check signatures and acknowledge (required)")
			fs.StringVar(&f.wallet, "wallet", "", "the wallet to check against (default: any wallet in the configuration whose key verifies)")
			fs.StringVar(&f.addr, "addr", "127.0.0.1:4000", "`address` to listen on")
			fs.StringVar(&f.forward, "forward-to", "", "your app's origin `URL`, such as http://localhost:8080, to forward each notification to")
			fs.StringVar(&f.save, "save", "", "`directory` to save each notification in, as N.body and N.headers")
			fs.DurationVar(&f.tolerance, "tolerance", notify.DefaultTolerance, "the timestamp window either way")
			return func(ctx context.Context, pr printer) int { return runListen(ctx, pr, reg, f) }
		},
	}
}

type listenFlags struct {
	config, wallet, addr, forward, save string
	tolerance                           time.Duration
}

// listener is a running listen.
type listener struct {
	sources   []namedSource
	forward   *url.URL
	client    *http.Client
	save      string
	tolerance time.Duration
	log       *logger

	mu   sync.Mutex
	next int // the number of the next saved notification
}

type namedSource struct {
	name string
	src  notify.Source
}

func runListen(ctx context.Context, pr printer, reg *opener, f listenFlags) int {
	fail := func(code int, err error) int {
		fmt.Fprintln(pr.stderr, "paybridge listen:", err)
		if code == exitUsage {
			fmt.Fprintln(pr.stderr, pr.cmdHint())
		}
		return code
	}
	if err := required([2]string{"config", f.config}); err != nil {
		return fail(exitUsage, err)
	}
	if f.tolerance <= 0 {
		return fail(exitUsage, errors.New("--tolerance must be positive"))
	}
	l := &listener{save: f.save, tolerance: f.tolerance, log: &logger{out: pr.stdout, now: time.Now},
		client: &http.Client{Timeout: 30 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
	var err error
	if l.sources, err = notifySources(ctx, reg, f.config, f.wallet); err != nil {
		return fail(exitUsage, err)
	}
	if f.forward != "" {
		u, err := url.Parse(f.forward)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || (u.Path != "" && u.Path != "/") || u.RawQuery != "" {
			return fail(exitUsage, fmt.Errorf("--forward-to %q: want your app's origin, such as http://localhost:8080; "+
				"each notification keeps the path and query it was posted to, which its signature covers", f.forward))
		}
		u.Path = ""
		l.forward = u
	}
	if f.save != "" {
		if l.next, err = nextSaveNumber(f.save); err != nil {
			return fail(exitFailed, err)
		}
	}
	ln, err := net.Listen("tcp", f.addr)
	if err != nil {
		return fail(exitFailed, fmt.Errorf("cannot listen on %s: %w", f.addr, err))
	}
	srv := &http.Server{Handler: l, ReadHeaderTimeout: 10 * time.Second}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ln) }()

	base := "http://" + ln.Addr().String()
	fmt.Fprintf(pr.stdout, "Listening on %s: pass %s/notify (any path will do) as the notify URL.\n", base, base)
	names := make([]string, len(l.sources))
	for i, s := range l.sources {
		names[i] = s.name
	}
	fmt.Fprintf(pr.stdout, "Checking each notification against: %s.\n", strings.Join(names, ", "))
	switch {
	case l.forward != nil:
		fmt.Fprintf(pr.stdout, "Forwarding each to %s (same path and query); your app's answer goes back to the provider.\n", l.forward)
	default:
		fmt.Fprintln(pr.stdout, "Acknowledging genuine notifications, refusing the others (--forward-to sends them to your app instead).")
	}
	if l.save != "" {
		fmt.Fprintf(pr.stdout, "Saving each in %s as N.body and N.headers (for verify-notification).\n", l.save)
	}
	fmt.Fprintln(pr.stdout, "Press Ctrl-C to stop.")

	select {
	case <-ctx.Done():
	case err := <-done:
		return fail(exitFailed, err)
	}
	shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_ = srv.Shutdown(shutdown)
	fmt.Fprintln(pr.stdout, "stopped")
	return exitOK
}

// notifySources opens the configuration's wallets, with reg, that receive
// signed notifications: wallet alone, or all of them.
func notifySources(ctx context.Context, reg *opener, config, wallet string) ([]namedSource, error) {
	if wallet != "" {
		w, err := openWallet(ctx, reg, config, wallet)
		if err != nil {
			return nil, err
		}
		var src notify.Source
		if !payment.As(w.provider, &src) {
			return nil, fmt.Errorf("wallet %q (%s) does not receive signed notifications", w.name, w.kind)
		}
		return []namedSource{{w.name, src}}, nil
	}
	ws, err := reg.LoadFile(ctx, config)
	if err != nil {
		return nil, err
	}
	var (
		out  []namedSource
		none []string // wallet (kind), for the error
	)
	for _, name := range ws.Names() {
		src, err := ws.Source(name)
		if errors.Is(err, providers.ErrNoNotifications) {
			none = append(none, fmt.Sprintf("%s (%s)", name, ws.Kind(name)))
			continue
		}
		if err != nil {
			return nil, err
		}
		out = append(out, namedSource{name, src})
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no wallet in %s receives signed notifications: the providers of %s are not a notify.Source", config, strings.Join(none, ", "))
	}
	return out, nil
}

// nextSaveNumber creates dir and returns the number after the highest N of
// the N.body files already there, so a restart never overwrites one.
func nextSaveNumber(dir string) (int, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return 0, err
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return 0, err
	}
	next := 1
	for _, e := range entries {
		if n, err := strconv.Atoi(strings.TrimSuffix(e.Name(), ".body")); err == nil && strings.HasSuffix(e.Name(), ".body") && n >= next {
			next = n + 1
		}
	}
	return next, nil
}

// check is what listen found out about one notification.
type check struct {
	wallet string
	src    notify.Source
	sentAt time.Time
	err    error // why it is not genuine and fresh, or nil
	event  *payment.Event
	note   string // an event the adapter does not know, and such
}

func (l *listener) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		l.log.printf("listen", "%s %s: not a notification (providers POST); answered 405", r.Method, r.URL.RequestURI())
		w.Header().Set("Allow", http.MethodPost)
		http.Error(w, "notifications are POSTed", http.StatusMethodNotAllowed)
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, maxListenBody+1))
	if err != nil {
		l.log.printf("listen", "POST %s: reading the body failed: %v", r.URL.RequestURI(), err)
		return
	}
	if len(body) > maxListenBody {
		l.log.printf("listen", "POST %s: body over %d KiB; answered 413", r.URL.RequestURI(), maxListenBody>>10)
		http.Error(w, "body too large", http.StatusRequestEntityTooLarge)
		return
	}
	c := l.check(r, body)
	saved := l.saveNotification(r, body)

	var answer string
	switch {
	case l.forward != nil:
		answer = l.forwardTo(w, r, body)
	case c.err != nil:
		status := http.StatusBadRequest
		if errors.Is(c.err, notify.ErrBadSignature) {
			status = http.StatusUnauthorized
		}
		http.Error(w, http.StatusText(status), status)
		answer = fmt.Sprintf("refused (HTTP %d): the provider retries", status)
	default:
		status, contentType, ack := c.src.Acknowledgement()
		w.Header().Set("Content-Type", contentType)
		w.WriteHeader(status)
		_, _ = w.Write(ack)
		answer = fmt.Sprintf("acknowledged (HTTP %d)", status)
	}

	line := "POST " + r.URL.RequestURI() + "  "
	if c.err != nil {
		line += "NOT ACCEPTABLE: " + c.err.Error()
	} else {
		line += c.wallet + ": genuine, signed " + ago(time.Since(c.sentAt))
		switch {
		case c.event != nil:
			line += "; " + eventText(c.event)
		case c.note != "":
			line += "; " + c.note
		}
	}
	line += " → " + answer
	if saved != "" {
		line += "; saved as " + saved + ".body and .headers"
	}
	l.log.printf("listen", "%s", line)
}

// check verifies the notification against each candidate wallet, as the
// notify handler would: over the path and query it was posted to, or the
// path alone; then the timestamp window; then the body.
func (l *listener) check(r *http.Request, body []byte) check {
	var firstErr error
	for _, s := range l.sources {
		sentAt, err := s.src.VerifyNotification(r.Header, r.URL.RequestURI(), body)
		if err != nil && r.URL.RawQuery != "" {
			sentAt, err = s.src.VerifyNotification(r.Header, r.URL.Path, body)
		}
		if errors.Is(err, notify.ErrBadTimestamp) {
			// The signature verified; its time cannot be read.
			return check{wallet: s.name, src: s.src, err: err}
		}
		if err != nil {
			if firstErr == nil {
				firstErr = err
			}
			continue
		}
		c := check{wallet: s.name, src: s.src, sentAt: sentAt}
		now := time.Now()
		switch {
		case sentAt.Before(now.Add(-l.tolerance)):
			c.err = fmt.Errorf("%w: signed %s, outside the ±%s window", notify.ErrStale, ago(now.Sub(sentAt)), l.tolerance)
		case sentAt.After(now.Add(l.tolerance)):
			c.err = fmt.Errorf("%w: signed %s ahead, outside the ±%s window", notify.ErrFuture, sentAt.Sub(now).Round(time.Second), l.tolerance)
		}
		if c.err != nil {
			return c
		}
		ev, err := s.src.ParseNotification(body)
		switch {
		case errors.Is(err, payment.ErrUnknownEvent):
			c.note = "an event the adapter does not know (the notify handler acknowledges it and delivers nothing)"
		case err != nil:
			c.err = fmt.Errorf("%w: %v", notify.ErrUndecodable, err)
		default:
			c.event = &ev
		}
		return c
	}
	return check{err: fmt.Errorf("%w with any wallet's key (%v); verify-notification on the saved copy says why", notify.ErrBadSignature, firstErr)}
}

// forwardTo sends the notification unchanged to the app and relays the
// app's answer; it returns what happened, for the log.
func (l *listener) forwardTo(w http.ResponseWriter, r *http.Request, body []byte) string {
	target := *l.forward
	target.Path, target.RawPath, target.RawQuery = r.URL.Path, r.URL.RawPath, r.URL.RawQuery
	ctx, cancel := context.WithTimeout(r.Context(), 30*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, target.String(), strings.NewReader(string(body)))
	if err != nil {
		http.Error(w, "forwarding failed", http.StatusBadGateway)
		return "not forwarded: " + err.Error()
	}
	for name, values := range r.Header {
		switch http.CanonicalHeaderKey(name) {
		case "Connection", "Keep-Alive", "Proxy-Connection", "Te", "Trailer", "Transfer-Encoding", "Upgrade", "Content-Length":
			continue
		}
		req.Header[name] = append([]string(nil), values...)
	}
	resp, err := l.client.Do(req)
	if err != nil {
		http.Error(w, "your app did not answer", http.StatusBadGateway)
		return "forwarded to " + target.String() + ": no answer (" + shortErr(err) + "); answered 502, the provider retries"
	}
	defer resp.Body.Close()
	ack, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	if ct := resp.Header.Get("Content-Type"); ct != "" {
		w.Header().Set("Content-Type", ct)
	}
	w.WriteHeader(resp.StatusCode)
	_, _ = w.Write(ack)
	verdict := "not acknowledged: the provider retries"
	if resp.StatusCode == http.StatusOK && simulator.IsAck(ack) {
		verdict = "acknowledged"
	}
	return fmt.Sprintf("forwarded to %s: HTTP %d, %s", target.String(), resp.StatusCode, verdict)
}

// saveNotification writes the notification as N.body and N.headers and
// returns the path without the extension, or "" when not saving.
func (l *listener) saveNotification(r *http.Request, body []byte) string {
	if l.save == "" {
		return ""
	}
	l.mu.Lock()
	n := l.next
	l.next++
	l.mu.Unlock()
	base := filepath.Join(l.save, strconv.Itoa(n))
	var h strings.Builder
	fmt.Fprintf(&h, "POST %s HTTP/1.1\r\nHost: %s\r\n", r.URL.RequestURI(), r.Host)
	names := make([]string, 0, len(r.Header))
	for name := range r.Header {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		for _, v := range r.Header[name] {
			fmt.Fprintf(&h, "%s: %s\r\n", name, v)
		}
	}
	h.WriteString("\r\n")
	if err := os.WriteFile(base+".body", body, 0o600); err != nil {
		l.log.printf("listen", "saving %s.body: %v", base, err)
		return ""
	}
	if err := os.WriteFile(base+".headers", []byte(h.String()), 0o600); err != nil {
		l.log.printf("listen", "saving %s.headers: %v", base, err)
		return ""
	}
	return base
}

// eventText is one event in a few words.
func eventText(ev *payment.Event) string {
	switch {
	case ev.Payment != nil:
		p := ev.Payment
		return strings.TrimSpace(fmt.Sprintf("payment %s (%s) %s %s, dedupe key %s", p.PaymentID, p.PaymentRequestID, p.Status, amountText(p.Amount), ev.Key))
	case ev.Refund != nil:
		r := ev.Refund
		return strings.TrimSpace(fmt.Sprintf("refund %s of payment %s %s %s, dedupe key %s", r.RefundID, r.PaymentID, r.Status, amountText(r.Amount), ev.Key))
	}
	return string(ev.Kind) + ", dedupe key " + ev.Key
}

// ago is a past duration for people: "just now", "3s ago".
func ago(d time.Duration) string {
	d = d.Round(time.Second)
	if d <= 0 {
		return "just now"
	}
	return d.String() + " ago"
}
