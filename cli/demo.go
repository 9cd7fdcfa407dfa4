package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http/httptest"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/paybridge/paybridge/money"
	"github.com/paybridge/paybridge/notify"
	"github.com/paybridge/paybridge/payment"
)

// demoWallet is one simulated provider and its adapter, as the demo needs
// them.
type demoWallet struct {
	title    string
	provider interface {
		payment.Provider
		notify.Source
	}
	// request builds the QR (or cashier) payment the demo takes.
	request func(id, notifyURL string) *payment.PayRequest
	// customerPays plays the customer approving the payment.
	customerPays func(paymentID string) error
	// dropNextPays makes the provider take the next pays but lose every
	// answer: an unknown outcome.
	dropNextPays func(n int)
	// charges counts what the provider took under a request ID.
	charges func(paymentRequestID string) int
	close   func()
}

func demoCommand() *command {
	return &command{
		name:     "demo",
		summary:  "a full payment flow on the built-in simulators, in-process",
		synopsis: "[--no-qr]",
		about: `Starts the simulated providers in-process and, for each, takes a payment (its QR
code drawn in the terminal), plays the customer, receives the signed notification
through package notify, inquires, refunds part and then the rest, and shows an
unknown outcome — the connection lost after the provider took the money —
settled by payment.Resolve without a second charge. No credentials, no network.`,
		setup: func(fs *flag.FlagSet) runFunc {
			noQR := fs.Bool("no-qr", false, "do not draw QR codes")
			return func(ctx context.Context, pr printer) int { return runDemo(ctx, pr, !*noQR) }
		},
	}
}

func runDemo(ctx context.Context, pr printer, drawQR bool) int {
	stdout, stderr := pr.stdout, pr.stderr
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()

	fmt.Fprintln(stdout, "paybridge demo — simulated providers on loopback; no credentials, no network.")
	wallets, err := demoWallets()
	if err != nil {
		fmt.Fprintln(stderr, "paybridge demo:", err)
		return exitFailed
	}
	defer func() {
		for _, w := range wallets {
			w.close()
		}
	}()
	for _, w := range wallets {
		if err := demoFlow(ctx, w, stdout, drawQR); err != nil {
			fmt.Fprintf(stderr, "paybridge demo: %s: %v\n", w.title, err)
			return exitFailed
		}
	}
	fmt.Fprintln(stdout, "\nEvery step above went over real HTTP with RSA signatures both ways.")
	return exitOK
}

// step is one line of the demo's table.
type step struct{ what, outcome, detail string }

func demoFlow(ctx context.Context, w demoWallet, out io.Writer, drawQR bool) error {
	fmt.Fprintf(out, "\n== %s ==\n", w.title)
	var steps []step
	add := func(what, outcome, detail string) { steps = append(steps, step{what, outcome, detail}) }

	// The platform's notify endpoint, on loopback.
	events := make(chan payment.Event, 8)
	site := httptest.NewServer(notify.NewHandler(w.provider, func(_ context.Context, ev payment.Event) error {
		events <- ev
		return nil
	}))
	defer site.Close()
	notifyURL := site.URL + "/notify/" + w.provider.Name()

	// 1. Pay.
	req := w.request("DEMO-"+strings.ToUpper(w.provider.Name())+"-1", notifyURL)
	p, err := w.provider.Pay(ctx, req)
	if err != nil {
		return fmt.Errorf("pay: %w", err)
	}
	add("pay "+req.Amount.String(), string(p.Status), "payment "+p.PaymentID+", action "+actionText(p.Action))
	if drawQR && p.Action != nil {
		// A QR payment shows its code; a cashier payment's page can be
		// opened by scanning its URL.
		content, caption := p.Action.QRCode, "The customer scans:"
		if p.Action.Kind == payment.ActionRedirect {
			content, caption = p.Action.URL, "The customer opens the wallet's cashier (scan to open "+p.Action.URL+"):"
		}
		if content != "" {
			fmt.Fprintln(out, caption)
			if err := writeQR(out, content); err != nil {
				return err
			}
		}
	}

	// 2. The customer pays; the provider notifies the platform.
	if err := w.customerPays(p.PaymentID); err != nil {
		return fmt.Errorf("customer: %w", err)
	}
	add("customer pays", "done", "in the simulator's cashier")
	select {
	case ev := <-events:
		add("notification", "delivered once, acknowledged", "dedupe key "+ev.Key+": notify drops re-deliveries with this key")
	case <-ctx.Done():
		return errors.New("no notification arrived")
	}

	// 3. Inquire, refund part, refund the rest.
	got, err := w.provider.Inquire(ctx, p.Ref())
	if err != nil {
		return fmt.Errorf("inquire: %w", err)
	}
	add("inquire", string(got.Status), got.Amount.String())
	part, rest, err := split(req.Amount)
	if err != nil {
		return err
	}
	refunded, err := money.FromMinor(0, req.Amount.Currency())
	if err != nil {
		return err
	}
	for i, amt := range []money.Amount{part, rest} {
		r, err := w.provider.Refund(ctx, &payment.RefundRequest{
			RefundRequestID: fmt.Sprintf("%s-R%d", req.PaymentRequestID, i+1),
			Payment:         payment.Ref{PaymentID: p.PaymentID, PaymentRequestID: req.PaymentRequestID},
			Amount:          amt,
		})
		if err != nil {
			return fmt.Errorf("refund: %w", err)
		}
		// Every provider reports a refund by the refund's ID.
		rs, err := w.provider.InquireRefund(ctx, payment.RefundRef{RefundID: r.RefundID, RefundRequestID: r.RefundRequestID})
		if err != nil {
			return fmt.Errorf("inquire refund: %w", err)
		}
		if refunded, err = refunded.Add(amt); err != nil {
			return err
		}
		add("refund "+amt.String(), string(rs.Status), fmt.Sprintf("refund %s; refunded so far: %s of %s", rs.RefundID, refunded, req.Amount))
	}
	got, err = w.provider.Inquire(ctx, p.Ref())
	if err != nil {
		return fmt.Errorf("inquire: %w", err)
	}
	note := "the payment after its refunds"
	if !w.provider.Capabilities().InquiryShowsRefunds {
		note += " (this provider's inquiry does not show refunds: read them per refund, as above)"
	}
	add("inquire", string(got.Status), note)

	// 4. An unknown outcome: the provider takes the payment, the answer is
	// lost on every attempt. Resolve finds the payment; nothing is charged
	// twice.
	req2 := w.request("DEMO-"+strings.ToUpper(w.provider.Name())+"-2", notifyURL)
	w.dropNextPays(payment.DefaultMaxAttempts)
	_, err = w.provider.Pay(ctx, req2)
	if !errors.Is(err, payment.ErrUnknownOutcome) {
		return fmt.Errorf("expected an unknown outcome, got %v", err)
	}
	add("pay "+req2.Amount.String(), "unknown outcome", "every answer lost after the provider took the request")
	p2, err := payment.Resolve(ctx, w.provider, req2)
	if err != nil {
		return fmt.Errorf("resolve: %w", err)
	}
	add("payment.Resolve", string(p2.Status), "found payment "+p2.PaymentID+": the retry met the original (same request ID), no second order")
	if err := w.customerPays(p2.PaymentID); err != nil {
		return fmt.Errorf("customer: %w", err)
	}
	select {
	case <-events:
	case <-ctx.Done():
		return errors.New("no notification arrived")
	}
	n := w.charges(req2.PaymentRequestID)
	verdict := "one charge despite the retry"
	if n != 1 {
		verdict = "MORE THAN ONE CHARGE"
	}
	add("customer pays", "done", fmt.Sprintf("charges under %s: %d — %s", req2.PaymentRequestID, n, verdict))

	tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "STEP\tOUTCOME\tDETAIL")
	for _, s := range steps {
		fmt.Fprintf(tw, "%s\t%s\t%s\n", s.what, s.outcome, s.detail)
	}
	return tw.Flush()
}

func actionText(a *payment.Action) string {
	if a == nil {
		return "none"
	}
	switch a.Kind {
	case payment.ActionRedirect:
		return "redirect to the cashier"
	case payment.ActionShowQR:
		return "show a QR code"
	}
	return string(a.Kind)
}

// split divides an amount into a part (a third) and the rest.
func split(a money.Amount) (money.Amount, money.Amount, error) {
	part, err := money.FromMinor(a.Minor()/3, a.Currency())
	if err != nil {
		return part, part, err
	}
	rest, err := a.Sub(part)
	return part, rest, err
}
