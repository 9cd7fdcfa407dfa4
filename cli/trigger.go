package cli

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/paybridge/paybridge/money"
	"github.com/paybridge/paybridge/payment"
)

// trigger makes a running sandbox send a signed notification, as `stripe
// trigger` does for Stripe's test mode: either a new payment that the
// customer pays at once (the sandbox then notifies on the provider's real
// schedule), or the current state of an existing payment or refund, once.
// It talks to the sandbox's control endpoints and refuses anything that is
// not a paybridge sandbox on loopback: it must never create a payment at a
// real provider.

func triggerCommand(reg *opener) *command {
	return &command{
		name:     "trigger",
		summary:  "make the sandbox send a signed notification: a new paid payment's, or an existing one's",
		synopsis: "--config FILE [--wallet NAME] (--notify-url URL | --payment-id ID [--notify-url URL] | --refund-id ID --notify-url URL)",
		about: `Makes a running "paybridge sandbox" send a signed notification.

Without --payment-id it creates a payment with --notify-url (through the API,
as your app would) and has the customer pay it at once: the sandbox then sends
the payment's notification on the provider's schedule, retrying until it is
acknowledged, and trigger reports the first attempt.

With --payment-id it re-sends, once, the notification of that payment's current
state, to --notify-url or the payment's own notify URL; --refund-id does the same
for an AlphaPay or Antom refund. Use it when your endpoint missed one, or to have a
notification to save and check (listen --save, verify-notification).

Exit codes: 0 the notification was sent and acknowledged; 1 it was sent and
not acknowledged, or could not be sent; 2 bad flags, configuration, or a wallet
that is not a sandbox; 3, 4, 5 as for pay, for the payment trigger creates.`,
		json: true,
		setup: func(fs *flag.FlagSet) runFunc {
			var f triggerFlags
			fs.StringVar(&f.config, "config", "", "the sandbox's configuration `file` (sandbox/sandbox.json; required)")
			fs.StringVar(&f.wallet, "wallet", "", "wallet `name` in the configuration (optional if it names one wallet)")
			fs.StringVar(&f.paymentID, "payment-id", "", "re-send this payment's notification, for its current state")
			fs.StringVar(&f.refundID, "refund-id", "", "re-send this refund's notification (AlphaPay, Antom)")
			fs.StringVar(&f.notifyURL, "notify-url", "", "`URL` to send the notification to (for --payment-id: default the payment's own)")
			fs.StringVar(&f.amount, "amount", "", "`amount` of the new payment (default 1.00 in the wallet's first currency)")
			fs.DurationVar(&f.timeout, "timeout", time.Minute, "give up after this long")
			return func(ctx context.Context, pr printer) int { return runTrigger(ctx, pr, reg, f) }
		},
	}
}

type triggerFlags struct {
	config, wallet, paymentID, refundID, notifyURL, amount string
	timeout                                                time.Duration
}

// triggerJSON is trigger's --json object.
type triggerJSON struct {
	Wallet       string        `json:"wallet"`
	Payment      *paymentJSON  `json:"payment,omitempty"`
	Notification controlAnswer `json:"notification"`
}

func runTrigger(ctx context.Context, pr printer, reg *opener, f triggerFlags) int {
	if err := required([2]string{"config", f.config}); err != nil {
		return pr.failure(err, pr.cmdHint())
	}
	switch {
	case f.timeout <= 0:
		return pr.failure(usageErr("--timeout must be positive"), "")
	case f.paymentID != "" && f.refundID != "":
		return pr.failure(usageErr("--payment-id and --refund-id exclude each other"), pr.cmdHint())
	case f.paymentID == "" && f.notifyURL == "":
		return pr.failure(usageErr("--notify-url is required (where the sandbox sends the notification), unless --payment-id names a payment that has one"), pr.cmdHint())
	case f.paymentID != "" && f.amount != "":
		return pr.failure(usageErr("--amount is for a new payment; --payment-id names an existing one"), pr.cmdHint())
	}
	ctx, cancel := context.WithTimeout(ctx, f.timeout)
	defer cancel()
	w, err := openWallet(ctx, reg, f.config, f.wallet)
	if err != nil {
		return pr.failure(err, "")
	}
	sb, err := sandboxOf(ctx, f.config, w.name)
	if err != nil {
		return pr.failure(err, `trigger works with "paybridge sandbox" and the configuration it writes`)
	}
	out := triggerJSON{Wallet: w.name}
	if f.paymentID != "" || f.refundID != "" {
		out.Notification, err = sb.call(ctx, controlNotify, controlRequest{PaymentID: f.paymentID, RefundID: f.refundID, NotifyURL: f.notifyURL})
		if err != nil {
			return pr.failure(err, "")
		}
		return reportTrigger(pr, out, "re-sent the notification of "+out.Notification.Kind+" "+out.Notification.ID+" to")
	}

	req, err := triggerPayment(w.provider, f)
	if err != nil {
		return pr.failure(err, "")
	}
	p, err := w.provider.Pay(ctx, req)
	if err != nil {
		return pr.failure(err, "")
	}
	pj := toPaymentJSON(p)
	out.Payment = &pj
	out.Notification, err = sb.call(ctx, controlComplete, controlRequest{PaymentID: p.PaymentID})
	if err != nil {
		return pr.failure(err, "")
	}
	return reportTrigger(pr, out, fmt.Sprintf("created payment %s (request ID %s, %s) and the customer paid it; the sandbox notified",
		p.PaymentID, p.PaymentRequestID, p.Amount))
}

// triggerPayment is the new payment: the wallet's QR code scenario, or its
// cashier, for a small amount.
func triggerPayment(p payment.Provider, f triggerFlags) (*payment.PayRequest, error) {
	caps := p.Capabilities()
	amount := f.amount
	if amount == "" {
		code := "USD"
		if len(caps.Currencies) > 0 {
			code = caps.Currencies[0].Code()
		}
		amount = "1.00 " + code
		if _, err := money.Parse(amount); err != nil {
			amount = "1 " + code // a currency without minor units
		}
	}
	a, err := money.Parse(amount)
	if err != nil {
		return nil, &payment.Error{Op: payment.OpPay, Provider: p.Name(), Kind: payment.KindInvalidRequest, Err: fmt.Errorf("--amount: %w", err)}
	}
	id := "TRIGGER-" + time.Now().UTC().Format("20060102-150405.000")
	req := &payment.PayRequest{PaymentRequestID: strings.ReplaceAll(id, ".", "-"), Amount: a, Description: "paybridge trigger", NotifyURL: f.notifyURL}
	if caps.SupportsScenario(payment.ScenarioQRCode) {
		req.Scenario, req.Method = payment.ScenarioQRCode, payment.MethodWeChatPay
	} else {
		req.Scenario = payment.ScenarioCashier
		req.Device = &payment.Device{TerminalType: payment.TerminalWeb}
	}
	return req, nil
}

func reportTrigger(pr printer, out triggerJSON, what string) int {
	n := out.Notification
	if pr.json {
		_ = writeJSON(pr.stdout, out)
	} else {
		result := ""
		switch {
		case n.URL == "":
			result = "nobody: the payment has no notify URL"
		case n.StatusCode == 0:
			result = fmt.Sprintf("%s: no answer (%s)", n.URL, n.Err)
		case n.Acked:
			result = fmt.Sprintf("%s: HTTP %d, acknowledged", n.URL, n.StatusCode)
		default:
			result = fmt.Sprintf("%s: HTTP %d, not acknowledged", n.URL, n.StatusCode)
		}
		fmt.Fprintf(pr.stdout, "%s %s.\n", what, result)
		if out.Payment != nil && !n.Acked {
			fmt.Fprintln(pr.stdout, "The sandbox tries again on the provider's schedule; its log shows each attempt.")
		}
	}
	if n.Acked {
		return exitOK
	}
	return exitFailed
}

// sandboxClient calls one sandbox simulator's control endpoints.
type sandboxClient struct {
	base   string
	client *http.Client
}

// sandboxOf finds the wallet's base URL (and certificate) in the
// configuration and checks that a paybridge sandbox on loopback serves it.
func sandboxOf(ctx context.Context, config, wallet string) (*sandboxClient, error) {
	raw, err := os.ReadFile(config)
	if err != nil {
		return nil, usageError{kind: "config", err: err}
	}
	var cfg sandboxConfig
	if err := json.Unmarshal(raw, &cfg); err != nil {
		return nil, usageError{kind: "config", err: err}
	}
	var settings map[string]any
	for _, w := range cfg.Wallets {
		if w.Name == wallet {
			settings = w.Settings
		}
	}
	base, _ := settings["baseURL"].(string)
	u, err := url.Parse(base)
	if err != nil || u.Host == "" || !isLoopbackHost(u.Hostname()) {
		return nil, usageErr("wallet %q is not a sandbox: its baseURL %q is not on loopback", wallet, base)
	}
	tr := http.DefaultTransport.(*http.Transport).Clone()
	if ca, _ := settings["caFile"].(string); ca != "" {
		if !filepath.IsAbs(ca) {
			ca = filepath.Join(filepath.Dir(config), ca)
		}
		pemBytes, err := os.ReadFile(ca)
		if err != nil {
			return nil, usageError{kind: "config", err: err}
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pemBytes) {
			return nil, usageErr("caFile %s holds no certificate", ca)
		}
		tr.TLSClientConfig = &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}
	}
	sb := &sandboxClient{base: strings.TrimSuffix(base, "/"), client: &http.Client{Transport: tr, Timeout: time.Minute}}
	// A sandbox answers an empty control request with its own complaint;
	// anything else is not one.
	if _, err := sb.call(ctx, controlNotify, controlRequest{}); !errors.Is(err, errControlRefused) {
		var op *net.OpError
		if errors.As(err, &op) {
			return nil, usageErr("no sandbox answers at %s (%s): start it with \"paybridge sandbox\"", base, shortErr(err))
		}
		return nil, usageErr("%s does not answer as a paybridge sandbox: %v", base, err)
	}
	return sb, nil
}

// errControlRefused is a sandbox's refusal of a control request, with its
// reason.
var errControlRefused = errors.New("the sandbox refused")

func (sb *sandboxClient) call(ctx context.Context, path string, c controlRequest) (controlAnswer, error) {
	b, _ := json.Marshal(c)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, sb.base+path, bytes.NewReader(b))
	if err != nil {
		return controlAnswer{}, err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := sb.client.Do(req)
	if err != nil {
		return controlAnswer{}, err
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	var a controlAnswer
	if !strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") || json.Unmarshal(body, &a) != nil {
		return controlAnswer{}, fmt.Errorf("HTTP %d with no sandbox answer", resp.StatusCode)
	}
	if a.Problem != "" {
		// What a sandbox refuses is what the flags asked for: an unknown
		// ID, a payment without a notify URL.
		return a, usageError{kind: "usage", err: fmt.Errorf("%w: %s", errControlRefused, a.Problem)}
	}
	return a, nil
}
