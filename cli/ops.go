package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/paybridge/paybridge/money"
	"github.com/paybridge/paybridge/payment"
)

// The operation commands — pay, inquire, cancel, refund, inquire-refund —
// call one configured wallet through the neutral payment API. They share the
// flags that pick the wallet (opFlags) and --json; each adds its own.
// Nothing they print contains a key or card data: cards are not supported
// on the command line at all, so that card numbers never land in shell
// history.

const opAbout = `
Every operation takes --config FILE (the wallets configuration, see "go doc
./providers"; relative "file:" secrets are read next to it; "paybridge sandbox"
writes one), --wallet NAME (optional when the file names one wallet), --json
and --timeout. Under --json, stdout carries exactly one JSON object whatever
happens: the payment or refund, or {"error": {"kind", "message", "hint", ...}};
messages for people go to stderr.

"call result" is the provider's answer to this call (its result code and
S/F/U/A status), not the payment's status: an inquiry answers SUCCESS (S) for
a payment that is still pending.`

// opFlags are the flags every operation command takes.
type opFlags struct {
	reg     *opener // opens the configuration's wallets
	config  string
	wallet  string
	timeout time.Duration
}

func (o *opFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&o.config, "config", "", "wallets configuration `file` (required)")
	fs.StringVar(&o.wallet, "wallet", "", "wallet `name` in the configuration (optional if it names one wallet)")
	fs.DurationVar(&o.timeout, "timeout", 5*time.Minute, "give up after this long")
}

// check validates the shared flags and the command's required ones
// (name, value pairs), naming every missing one at once.
func (o *opFlags) check(requiredFlags ...[2]string) error {
	if err := required(append([][2]string{{"config", o.config}}, requiredFlags...)...); err != nil {
		return err
	}
	if o.timeout <= 0 {
		return usageErr("--timeout must be positive, such as 30s or 5m")
	}
	return nil
}

// walletInfo is an opened wallet: its provider and what the configuration
// says about it.
type walletInfo struct {
	name     string
	kind     string
	provider payment.Provider
}

// open loads the configuration and picks the wallet. Configuration errors
// name the wallet and field, never a secret's value (providers guarantees
// it), so they can be printed as they are.
func (o *opFlags) open(ctx context.Context) (walletInfo, error) {
	return openWallet(ctx, o.reg, o.config, o.wallet)
}

// openWallet loads config with reg and picks the wallet name, or the only
// one.
func openWallet(ctx context.Context, reg *opener, config, wallet string) (walletInfo, error) {
	ws, err := reg.LoadFile(ctx, config)
	if err != nil {
		return walletInfo{}, usageError{kind: "config", err: err}
	}
	names := ws.Names()
	name := wallet
	if name == "" {
		if len(names) != 1 {
			return walletInfo{}, usageErr("--wallet is required: %s names %d wallets (%s)", config, len(names), strings.Join(names, ", "))
		}
		name = names[0]
	}
	p, ok := ws.Get(name)
	if !ok {
		return walletInfo{}, usageErr("no wallet %q in %s; its wallets are: %s", name, config, strings.Join(names, ", "))
	}
	return walletInfo{name: name, kind: ws.Kind(name), provider: p}, nil
}

// --- pay ---

type payFlags struct {
	id, amount, scenario, method, description   string
	notifyURL, redirectURL, paymentCode         string
	appID, payerID, osName, osVersion, terminal string
	wait, resolve, noQR                         bool
	pollInterval                                time.Duration
}

func payCommand(reg *opener) *command {
	return &command{
		name:     "pay",
		summary:  "create a payment with a configured wallet; --wait follows it to the end",
		synopsis: `--config FILE [--wallet NAME] --id ID --amount "19.99 CAD" [flags]`,
		about: `Creates a payment and prints what to do next — the QR code to show (drawn in
the terminal), the URL to redirect to, or the parameters for the wallet SDK.

--id is the idempotency key: repeating the command with the same --id and the same
content returns the same payment and never charges twice. Use a new --id only for
a new purchase attempt, never to retry one whose outcome is unknown (exit 3):
re-run that one with --resolve instead.

With --wait the command prints the action first, then polls until the customer
has paid (or the payment failed, was cancelled or expired), with a progress line
per poll on stderr, and prints the payment as it ended; it exits 1 if the payment
ended failed or cancelled, 3 if it was still pending at --timeout. Under --json
the action and QR code go to stderr, and stdout gets the final payment only.
` + opAbout,
		json:      true,
		exitCodes: true,
		setup: func(fs *flag.FlagSet) runFunc {
			o, f := &opFlags{reg: reg}, &payFlags{}
			o.register(fs)
			fs.StringVar(&f.id, "id", "", "your payment request `ID`, the idempotency key (required)")
			fs.StringVar(&f.amount, "amount", "", "`amount` and currency, e.g. \"19.99 CAD\" (required)")
			fs.StringVar(&f.scenario, "scenario", "", "how the customer pays: qr_code, web, jsapi, native_jsapi, h5, app, mini_program,\nin_store_qr, in_store_scan, cashier (default: the wallet's first;\ncredit_card is not available on the command line)")
			fs.StringVar(&f.method, "method", "", "wallet or network for providers that serve several, one the provider lists (alipay, wechat_pay, unionpay, gcash, …)")
			fs.StringVar(&f.description, "description", "", "what the customer sees (default \"Payment <id>\", printed on stderr;\nAlphaPay requires a description)")
			fs.StringVar(&f.notifyURL, "notify-url", "", "`URL` that receives the provider's notifications")
			fs.StringVar(&f.redirectURL, "redirect-url", "", "`URL` the customer returns to after paying")
			fs.StringVar(&f.paymentCode, "payment-code", "", "the code scanned from the customer's wallet (in_store_scan)")
			fs.StringVar(&f.appID, "app-id", "", "your app or mini program `ID` in the wallet (mini_program, native_jsapi)")
			fs.StringVar(&f.payerID, "payer-id", "", "the customer's `ID` in that app, such as a WeChat openid (mini_program, native_jsapi)")
			fs.StringVar(&f.osName, "os", "", "customer device OS: ios or android (app)")
			fs.StringVar(&f.osVersion, "os-version", "", "customer device OS `version` (app)")
			fs.StringVar(&f.terminal, "terminal-type", "", "terminal type: mini_app, app, web, wap, system (Alipay+ wallets)")
			fs.BoolVar(&f.wait, "wait", false, "print the action, then poll until the payment leaves pending (bounded by --timeout)")
			fs.BoolVar(&f.resolve, "resolve", false, "if the outcome is unknown, settle it by re-sending the same request before giving up")
			fs.BoolVar(&f.noQR, "no-qr", false, "do not draw the QR code in the terminal")
			fs.DurationVar(&f.pollInterval, "poll-interval", time.Second, "first wait between polls for --wait and --resolve (later ones double, up to 5 times as long)")
			return func(ctx context.Context, pr printer) int {
				if err := o.check([2]string{"id", f.id}, [2]string{"amount", f.amount}); err != nil {
					return pr.failure(err, pr.cmdHint())
				}
				if f.pollInterval <= 0 {
					return pr.failure(usageErr("--poll-interval must be positive, such as 1s"), "")
				}
				if f.description == "" {
					// Derived from --id alone, so that repeating the command (or
					// --resolve) sends the identical request.
					f.description = "Payment " + f.id
					fmt.Fprintf(pr.stderr, "paybridge pay: no --description; the customer sees %q\n", f.description)
				}
				ctx, cancel := context.WithTimeout(ctx, o.timeout)
				defer cancel()
				w, err := o.open(ctx)
				if err != nil {
					return pr.failure(err, "")
				}
				return payAndReport(ctx, w, f, pr)
			}
		},
	}
}

// payAndReport pays, settles an unknown outcome with --resolve, shows the
// action, waits with --wait, and prints the result.
func payAndReport(ctx context.Context, w walletInfo, f *payFlags, pr printer) int {
	p := w.provider
	req, err := buildPayRequest(p, f)
	if err != nil {
		return pr.failure(err, payHint(p, f, err))
	}
	pay, err := p.Pay(ctx, req)
	if err != nil && f.resolve && payment.KindOf(err) == payment.KindUnknownOutcome {
		fmt.Fprintf(pr.stderr, "paybridge pay: the outcome is unknown (%v); resolving: re-sending the same request %s\n", err, req.PaymentRequestID)
		pay, err = payment.Resolve(ctx, p, req, pollOptions(f, pr.stderr, "resolving "+req.PaymentRequestID)...)
	}
	if err != nil {
		return pr.failure(err, payHint(p, f, err))
	}
	waiting := f.wait && pay.Status == payment.StatusPending
	switch {
	case !pr.json:
		pr.payment(pay)
		if !f.noQR {
			drawAction(pr.stdout, pay.Action)
		}
	case waiting:
		// stdout is the final payment's alone; the person waiting must
		// still see where the customer pays.
		fmt.Fprintf(pr.stderr, "paybridge pay: payment %s is pending; the customer pays here:\n", pay.PaymentID)
		b := &block{}
		addAction(b, pay.Action)
		_ = b.write(pr.stderr)
		if !f.noQR {
			drawAction(pr.stderr, pay.Action)
		}
	}
	if !waiting {
		if pr.json {
			pr.payment(pay)
		}
		return exitOK
	}
	fmt.Fprintf(pr.stderr, "paybridge pay: waiting for the customer (at most %s; Ctrl-C stops waiting, not the payment)\n", remaining(ctx))
	last, err := payment.AwaitFinal(ctx, p, pay.Ref(), pollOptions(f, pr.stderr, "waiting for the customer, payment "+pay.PaymentID)...)
	if err != nil {
		if last != nil && !pr.json {
			fmt.Fprintf(pr.stdout, "\nStill %s when the wait ended:\n", last.Status)
			pr.payment(last)
		}
		return pr.failure(err, awaitHint(pay, err))
	}
	pay = last
	if !pr.json {
		fmt.Fprintf(pr.stdout, "\nThe payment ended %s:\n", pay.Status)
	}
	pr.payment(pay)
	if pay.Status == payment.StatusFailed || pay.Status == payment.StatusCancelled {
		fmt.Fprintf(pr.stderr, "paybridge pay: the payment ended %s\n", pay.Status)
		return exitFailed
	}
	return exitOK
}

// remaining is the time left before ctx's deadline, rounded for people.
func remaining(ctx context.Context) string {
	dl, ok := ctx.Deadline()
	if !ok {
		return "no limit"
	}
	return time.Until(dl).Round(time.Second).String()
}

// drawAction draws what the customer scans: a QR payment's code, or the
// cashier URL of a redirect (to open it on a phone).
func drawAction(w io.Writer, a *payment.Action) {
	if a == nil {
		return
	}
	content, caption := "", ""
	switch {
	case a.Kind == payment.ActionShowQR && a.QRCode != "":
		content, caption = a.QRCode, "The customer scans this with the wallet app:"
	case a.Kind == payment.ActionRedirect && a.URL != "":
		content, caption = a.URL, "Scan to open the redirect URL on a phone:"
	default:
		return
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, caption)
	_ = writeQR(w, content)
}

// buildPayRequest turns the flags into a request. Everything the provider
// can judge (scenario, method, extras) is left to its validation, so the
// CLI and the library never disagree; only the amount must be parsed here.
func buildPayRequest(p payment.Provider, f *payFlags) (*payment.PayRequest, error) {
	amount, err := money.Parse(f.amount)
	if err != nil {
		return nil, &payment.Error{Op: payment.OpPay, Provider: p.Name(), Kind: payment.KindInvalidRequest,
			RequestID: f.id, Err: fmt.Errorf("--amount: %w", err)}
	}
	req := &payment.PayRequest{
		PaymentRequestID: f.id,
		Scenario:         payment.Scenario(f.scenario),
		Amount:           amount,
		Description:      f.description,
		Method:           payment.Method(f.method),
		NotifyURL:        f.notifyURL,
		RedirectURL:      f.redirectURL,
		PaymentCode:      f.paymentCode,
	}
	if req.Scenario == "" {
		if s := cliScenarios(p.Capabilities()); len(s) > 0 {
			req.Scenario = s[0]
		}
	}
	if req.Scenario == payment.ScenarioCreditCard {
		return nil, &payment.Error{Op: payment.OpPay, Provider: p.Name(), Kind: payment.KindUnsupported, RequestID: f.id,
			Err: errors.New("the credit_card scenario is not available on the command line: card data must not pass through flags and shell history")}
	}
	if f.appID != "" || f.payerID != "" {
		req.Customer = &payment.Customer{AppID: f.appID, PayerID: f.payerID}
	}
	if f.osName != "" || f.osVersion != "" || f.terminal != "" {
		req.Device = &payment.Device{OS: payment.OS(f.osName), Version: f.osVersion, TerminalType: payment.TerminalType(f.terminal)}
	}
	return req, nil
}

// cliScenarios are the provider's scenarios the CLI can pay in: all but
// credit_card.
func cliScenarios(caps payment.Capabilities) []payment.Scenario {
	var out []payment.Scenario
	for _, s := range caps.Scenarios {
		if s != payment.ScenarioCreditCard {
			out = append(out, s)
		}
	}
	return out
}

// pollOptions configures Resolve and AwaitFinal: the poll interval, and a
// progress line per unsettled poll, so a person watching knows it is alive.
func pollOptions(f *payFlags, stderr io.Writer, what string) []payment.PollOption {
	return []payment.PollOption{
		payment.WithPollInterval(f.pollInterval, 5*f.pollInterval),
		payment.WithPollObserver(func(attempt int, err error) {
			if err == nil {
				fmt.Fprintf(stderr, "paybridge pay: %s: poll %d: still pending\n", what, attempt)
				return
			}
			fmt.Fprintf(stderr, "paybridge pay: %s: poll %d: no answer yet (%v); asking again\n", what, attempt, err)
		}),
	}
}

// payHint says what to do after a failed pay; most of all, it keeps a user
// who saw an unknown outcome from paying again under a new --id.
func payHint(p payment.Provider, f *payFlags, err error) string {
	caps := p.Capabilities()
	switch payment.KindOf(err) {
	case payment.KindUnknownOutcome:
		h := "the outcome is unknown: do not retry with a new --id; run `paybridge pay … --resolve`, this same\n" +
			"command (--id " + f.id + ", same flags) with --resolve added: it re-sends the identical request, which\n" +
			"never charges twice"
		if caps.InquireByRequestID {
			h += "; or `paybridge inquire --request-id " + f.id + "`"
		}
		return h + "."
	case payment.KindInvalidRequest, payment.KindUnsupported:
		return fmt.Sprintf("%s %s accepts scenarios %s; methods %s; currencies %s.", nothingHappened(err),
			p.Name(), joinScenarios(cliScenarios(caps)), joinMethods(caps.Methods), joinCurrencies(caps.Currencies))
	case payment.KindIdempotencyConflict:
		return "--id " + f.id + " was used before for a different payment; the earlier one stands. Use a new --id for a new purchase."
	case payment.KindUnavailable:
		return "the provider could not be reached and nothing happened; it is safe to run the command again."
	}
	return ""
}

// nothingHappened says whether an invalid request was stopped locally or
// refused by the provider: either way nothing happened, but the user
// debugging a request wants to know which side judged it.
func nothingHappened(err error) string {
	var pe *payment.Error
	if errors.As(err, &pe) && !pe.Result.IsZero() {
		return "the provider refused the request; nothing happened."
	}
	return "nothing was sent."
}

func awaitHint(pay *payment.Payment, err error) string {
	if payment.KindOf(err) != payment.KindUnknownOutcome {
		return ""
	}
	return "the payment is still pending at the provider and may yet complete: do not pay again under a new --id;\n" +
		"check it later with `paybridge inquire --payment-id " + pay.PaymentID + "`, or cancel it."
}

func joinScenarios(s []payment.Scenario) string {
	out := make([]string, len(s))
	for i, v := range s {
		out[i] = string(v)
	}
	return orNone(out)
}

func joinMethods(m []payment.Method) string {
	out := make([]string, len(m))
	for i, v := range m {
		out[i] = string(v)
	}
	return orNone(out)
}

func joinCurrencies(c []money.Currency) string {
	if len(c) == 0 {
		return "any"
	}
	out := make([]string, len(c))
	for i, v := range c {
		out[i] = v.Code()
	}
	return orNone(out)
}

func orNone(s []string) string {
	if len(s) == 0 {
		return "none"
	}
	return strings.Join(s, ", ")
}

// --- inquire and cancel ---

func inquireCommand(reg *opener) *command {
	return paymentRefCommand(reg, "inquire", "show a payment's current state", `Prints the payment's current state.`,
		func(ctx context.Context, p payment.Provider, ref payment.Ref) (*payment.Payment, error) {
			return p.Inquire(ctx, ref)
		})
}

func cancelCommand(reg *opener) *command {
	return paymentRefCommand(reg, "cancel", "cancel an unpaid payment", `Closes an unpaid payment (some wallets also reverse a paid one in full) and
prints its new state. Cancelling twice is safe. A paid payment that cannot be
cancelled is refused (exit 1): refund it instead.`,
		func(ctx context.Context, p payment.Provider, ref payment.Ref) (*payment.Payment, error) {
			return p.Cancel(ctx, ref)
		})
}

// paymentRefCommand is an operation on a payment named by --payment-id
// and/or --request-id.
func paymentRefCommand(reg *opener, name, summary, about string,
	op func(context.Context, payment.Provider, payment.Ref) (*payment.Payment, error)) *command {
	return &command{
		name:     name,
		summary:  summary,
		synopsis: "--config FILE [--wallet NAME] (--payment-id ID | --request-id ID)",
		about: about + `

--payment-id is the provider's ID (pay prints it); --request-id is yours (pay's --id).
Some providers (AlphaPay) look payments up by --payment-id only.
` + opAbout,
		json:      true,
		exitCodes: true,
		setup: func(fs *flag.FlagSet) runFunc {
			o := &opFlags{reg: reg}
			o.register(fs)
			var ref payment.Ref
			fs.StringVar(&ref.PaymentID, "payment-id", "", "the provider's payment `ID`")
			fs.StringVar(&ref.PaymentRequestID, "request-id", "", "your payment request `ID` (pay's --id)")
			return func(ctx context.Context, pr printer) int {
				if err := o.check(); err != nil {
					return pr.failure(err, pr.cmdHint())
				}
				if ref.PaymentID == "" && ref.PaymentRequestID == "" {
					return pr.failure(usageErr("--payment-id or --request-id is required"), pr.cmdHint())
				}
				ctx, cancel := context.WithTimeout(ctx, o.timeout)
				defer cancel()
				w, err := o.open(ctx)
				if err != nil {
					return pr.failure(err, "")
				}
				pay, err := op(ctx, w.provider, ref)
				if err != nil {
					return pr.failure(err, refHint(name, w.provider, ref, err))
				}
				pr.payment(pay)
				return exitOK
			}
		},
	}
}

// --- refund and inquire-refund ---

// hiddenUsage marks a flag that help does not list.
const hiddenUsage = "\x00hidden"

func refundCommand(reg *opener) *command {
	return &command{
		name:     "refund",
		summary:  "refund part or all of a paid payment",
		synopsis: `--config FILE [--wallet NAME] --refund-request-id ID (--payment-id ID | --request-id ID) --amount "5.00 CAD" [--reason TEXT]`,
		about: `Refunds part or all of a paid payment.

--refund-request-id is the refund's idempotency key, chosen by you: repeating the
command with the same one and the same amount returns the same refund and never
refunds twice. --payment-id/--request-id name the payment as for inquire.
` + opAbout,
		json:      true,
		exitCodes: true,
		setup: func(fs *flag.FlagSet) runFunc {
			o := &opFlags{reg: reg}
			o.register(fs)
			var req payment.RefundRequest
			var amount string
			var misnamed bool
			fs.StringVar(&req.RefundRequestID, "refund-request-id", "", "your refund request `ID`, the idempotency key (required)")
			fs.StringVar(&req.Payment.PaymentID, "payment-id", "", "the provider's payment `ID`")
			fs.StringVar(&req.Payment.PaymentRequestID, "request-id", "", "your payment request `ID` (pay's --id)")
			fs.StringVar(&amount, "amount", "", "`amount` to refund, in the payment's currency, e.g. \"5.00 CAD\" (required)")
			fs.StringVar(&req.Reason, "reason", "", "reason shown to the customer, where supported")
			fs.StringVar(&req.NotifyURL, "notify-url", "", "`URL` that receives the refund's notification, where supported")
			// The two refund IDs are easy to mix up, and "flag provided but
			// not defined" would not say which one was meant.
			fs.Func("refund-id", hiddenUsage, func(string) error { misnamed = true; return nil })
			return func(ctx context.Context, pr printer) int {
				if misnamed {
					return pr.failure(usageErr("name your refund with --refund-request-id (the ID you choose, the idempotency key); "+
						"--refund-id is the provider's ID of an existing refund, for inquire-refund"), pr.cmdHint())
				}
				if err := o.check([2]string{"refund-request-id", req.RefundRequestID}, [2]string{"amount", amount}); err != nil {
					return pr.failure(err, pr.cmdHint())
				}
				if req.Payment.PaymentID == "" && req.Payment.PaymentRequestID == "" {
					return pr.failure(usageErr("--payment-id or --request-id is required"), pr.cmdHint())
				}
				ctx, cancel := context.WithTimeout(ctx, o.timeout)
				defer cancel()
				w, err := o.open(ctx)
				if err != nil {
					return pr.failure(err, "")
				}
				if req.Amount, err = money.Parse(amount); err != nil {
					err = &payment.Error{Op: payment.OpRefund, Provider: w.provider.Name(), Kind: payment.KindInvalidRequest,
						RequestID: req.RefundRequestID, Err: fmt.Errorf("--amount: %w", err)}
					return pr.failure(err, "nothing was sent.")
				}
				r, err := w.provider.Refund(ctx, &req)
				if err != nil {
					return pr.failure(err, refundHint(w.provider, req.Payment, err))
				}
				pr.refund(r)
				return exitOK
			}
		},
	}
}

func inquireRefundCommand(reg *opener) *command {
	return &command{
		name:     "inquire-refund",
		summary:  "show a refund's current state",
		synopsis: "--config FILE [--wallet NAME] (--refund-id ID | --refund-request-id ID)",
		about: `Prints the refund's current state.

--refund-id is the provider's refund ID (refund prints it); --refund-request-id
is yours (refund's --refund-request-id). Some providers (AlphaPay) look refunds
up by --refund-id only.
` + opAbout,
		json:      true,
		exitCodes: true,
		setup: func(fs *flag.FlagSet) runFunc {
			o := &opFlags{reg: reg}
			o.register(fs)
			var ref payment.RefundRef
			fs.StringVar(&ref.RefundID, "refund-id", "", "the provider's refund `ID`")
			fs.StringVar(&ref.RefundRequestID, "refund-request-id", "", "your refund request `ID`")
			return func(ctx context.Context, pr printer) int {
				if err := o.check(); err != nil {
					return pr.failure(err, pr.cmdHint())
				}
				if ref.RefundID == "" && ref.RefundRequestID == "" {
					return pr.failure(usageErr("--refund-id or --refund-request-id is required"), pr.cmdHint())
				}
				ctx, cancel := context.WithTimeout(ctx, o.timeout)
				defer cancel()
				w, err := o.open(ctx)
				if err != nil {
					return pr.failure(err, "")
				}
				r, err := w.provider.InquireRefund(ctx, ref)
				if err != nil {
					hint := ""
					if payment.KindOf(err) == payment.KindUnsupported && ref.RefundID == "" {
						hint = w.provider.Name() + " looks refunds up by its own refund ID only: pass --refund-id (refund printed it)."
					} else if k := payment.KindOf(err); k == payment.KindUnknownOutcome || k == payment.KindUnavailable {
						hint = "asking changes nothing, so it is safe to run the command again."
					}
					return pr.failure(err, hint)
				}
				pr.refund(r)
				return exitOK
			}
		},
	}
}

func refHint(op string, p payment.Provider, ref payment.Ref, err error) string {
	switch payment.KindOf(err) {
	case payment.KindUnsupported:
		if ref.PaymentID == "" && !p.Capabilities().InquireByRequestID {
			return p.Name() + " looks payments up by its own payment id only: pass --payment-id (pay printed it).\n" +
				"If pay's outcome was unknown, re-run that pay with the same --id and --resolve instead."
		}
	case payment.KindUnknownOutcome:
		if op == "cancel" {
			return "the outcome is unknown: run cancel again (cancelling twice is safe) or inquire."
		}
		return "no trustworthy answer; asking changes nothing, so it is safe to run the command again."
	case payment.KindUnavailable:
		return "the provider could not be reached and nothing happened; it is safe to run the command again."
	}
	return ""
}

func refundHint(p payment.Provider, ref payment.Ref, err error) string {
	switch payment.KindOf(err) {
	case payment.KindUnknownOutcome:
		return "the outcome is unknown: the refund may or may not have been made. Do not retry with a new\n" +
			"--refund-request-id; run the same command again (the provider answers a repeat with the existing\n" +
			"refund and never refunds twice), or inquire-refund."
	case payment.KindIdempotencyConflict:
		return "this --refund-request-id was used before for a different refund; the earlier one stands."
	}
	return refHint("refund", p, ref, err)
}
