package main

import (
	"context"
	"errors"
	"fmt"
	"html/template"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/paybridge/paybridge/money"
	"github.com/paybridge/paybridge/notify"
	"github.com/paybridge/paybridge/payment"
	"github.com/paybridge/paybridge/providers"
)

// startID keeps order IDs unique across restarts of the shop: a provider
// (or the sandbox) remembers every PaymentRequestID it saw.
var startID = time.Now().Unix()

// product is what the shop sells, priced in major units of the wallet's
// currency.
type product struct{ Name, Price string }

var catalogue = []product{{"Green tea", "4.50"}, {"Mango shake", "6.00"}, {"Matcha cake", "12.75"}}

// Options configure a Shop.
type Options struct {
	// PublicURL is where providers reach the shop: notify URLs are
	// PublicURL/notify/{wallet} and customers return to
	// PublicURL/orders/{id}. Live, it must be public HTTPS.
	PublicURL string
	// ReconcileEvery is the reconcilers' base interval (default 5s).
	ReconcileEvery time.Duration
	// Logger logs what the shop does (default: discard).
	Logger *slog.Logger
}

// Shop is the example platform: one checkout over every wallet of a
// configuration.
type Shop struct {
	wallets  *providers.Wallets
	opts     Options
	orders   *orders
	store    notify.Store // shared by the notify handlers and reconcilers
	handlers map[string]*notify.Handler
	log      *slog.Logger
	bg       context.Context // the shop's lifetime, for work that outlives a request
	mux      *http.ServeMux
}

// New builds a shop over wallets. ctx bounds work that outlives a request
// (settling an unknown outcome); Run starts the reconcilers.
func New(ctx context.Context, wallets *providers.Wallets, opts Options) *Shop {
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.ReconcileEvery <= 0 {
		opts.ReconcileEvery = 5 * time.Second
	}
	s := &Shop{wallets: wallets, opts: opts, orders: newOrders(), log: opts.Logger,
		store: notify.NewMemoryStore(notify.MemoryStoreOptions{}), handlers: map[string]*notify.Handler{}, bg: ctx}
	for _, name := range wallets.Names() {
		// A wallet without notifications (ErrNoNotifications) gets no
		// notify endpoint; its reconciler settles its payments alone.
		if src, err := wallets.Source(name); err == nil {
			s.handlers[name] = notify.NewHandler(src, s.deliver, notify.WithStore(s.store), notify.WithLogger(s.log))
		}
	}
	s.mux = http.NewServeMux()
	s.mux.HandleFunc("GET /{$}", s.serveHome)
	s.mux.HandleFunc("POST /checkout", s.serveCheckout)
	s.mux.HandleFunc("GET /orders/{id}", s.serveOrder)
	s.mux.HandleFunc("POST /orders/{id}/refund", s.serveRefund)
	s.mux.HandleFunc("POST /notify/{wallet}", s.serveNotify)
	return s
}

// ServeHTTP serves the shop's pages and its notify endpoints.
func (s *Shop) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.mux.ServeHTTP(w, r) }

// Run runs a reconciler per wallet until ctx ends: it settles the payments
// whose notification never came.
func (s *Shop) Run(ctx context.Context) {
	done := make(chan struct{})
	names := s.wallets.Names()
	for _, name := range names {
		p, _ := s.wallets.Get(name)
		byRequestID := p.Capabilities().InquireByRequestID
		r := &notify.Reconciler{
			Provider: p,
			Pending: notify.PendingFunc(func(context.Context) ([]payment.Ref, error) {
				return s.orders.pending(name, byRequestID), nil
			}),
			Deliver:      s.deliver,
			Store:        s.store,
			BaseInterval: s.opts.ReconcileEvery,
			MaxInterval:  10 * s.opts.ReconcileEvery,
			Logger:       s.log,
		}
		go func() {
			_ = r.Run(ctx)
			done <- struct{}{}
		}()
	}
	for range names {
		<-done
	}
}

// deliver takes an event from a notification or a reconciler. It returns
// nil only once the event is recorded: the notify handler acknowledges the
// provider then, and not before.
func (s *Shop) deliver(_ context.Context, ev payment.Event) error {
	switch {
	case ev.Payment != nil:
		err := s.orders.merge(ev.Payment)
		if errors.Is(err, payment.ErrRegression) {
			s.log.Info("shop: an older view of the payment arrived late; ignored", "order", ev.Payment.PaymentRequestID, "status", ev.Payment.Status)
			return nil // taken: nothing to change
		}
		s.log.Info("shop: payment event", "key", ev.Key, "order", ev.Payment.PaymentRequestID, "status", ev.Payment.Status, "error", err)
		return err
	case ev.Refund != nil:
		r := ev.Refund
		s.log.Info("shop: refund event", "key", ev.Key, "refund", r.RefundRequestID, "status", r.Status)
		for _, o := range s.orders.list() {
			for i, rec := range o.Refunds {
				if rec.RequestID == r.RefundRequestID {
					return s.orders.update(o.ID, func(o *Order) error {
						o.Refunds[i].Status, o.Refunds[i].Err = string(r.Status), ""
						return nil
					})
				}
			}
		}
	}
	return nil // an event for nothing the shop knows: acknowledge it
}

func (s *Shop) serveNotify(w http.ResponseWriter, r *http.Request) {
	h, ok := s.handlers[r.PathValue("wallet")]
	if !ok {
		http.NotFound(w, r)
		return
	}
	h.ServeHTTP(w, r)
}

// --- checkout ---

func (s *Shop) serveHome(w http.ResponseWriter, r *http.Request) {
	render(w, homePage, map[string]any{"Wallets": s.wallets.Names(), "Products": catalogue, "Orders": s.orders.list()})
}

func (s *Shop) serveCheckout(w http.ResponseWriter, r *http.Request) {
	wallet, name := r.FormValue("wallet"), r.FormValue("product")
	p, ok := s.wallets.Get(wallet)
	var item *product
	for i := range catalogue {
		if catalogue[i].Name == name {
			item = &catalogue[i]
		}
	}
	if !ok || item == nil {
		http.Error(w, "choose a wallet and a product", http.StatusBadRequest)
		return
	}
	caps := p.Capabilities()
	currency := "USD"
	if len(caps.Currencies) > 0 {
		currency = caps.Currencies[0].Code()
	}
	amount, err := money.Parse(item.Price + " " + currency)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	o := s.orders.create(wallet, item.Name, amount)
	req := &payment.PayRequest{
		PaymentRequestID: o.ID,
		Amount:           amount,
		Description:      item.Name,
		NotifyURL:        s.opts.PublicURL + "/notify/" + wallet,
		RedirectURL:      s.opts.PublicURL + "/orders/" + o.ID,
	}
	if caps.SupportsScenario(payment.ScenarioQRCode) {
		req.Scenario, req.Method = payment.ScenarioQRCode, caps.Methods[0]
	} else {
		req.Scenario = payment.ScenarioCashier
		req.Device = &payment.Device{TerminalType: payment.TerminalWeb}
	}

	ctx, cancel := context.WithTimeout(r.Context(), 30*time.Second)
	defer cancel()
	pay, err := p.Pay(ctx, req)
	switch {
	case err == nil:
		err = s.orders.merge(pay)
	case errors.Is(err, payment.ErrUnknownOutcome):
		// The provider may have taken it. Never pay again under a new ID:
		// find out, here and then in the background.
		s.log.Warn("shop: unknown outcome; resolving", "order", o.ID, "error", err)
		_ = s.orders.update(o.ID, func(o *Order) error { o.Unknown = true; return nil })
		go s.resolve(req, p)
		err = nil
	}
	if err != nil {
		s.log.Error("shop: pay failed", "order", o.ID, "error", err)
		http.Error(w, "the payment could not be made: "+err.Error(), http.StatusBadGateway)
		return
	}
	http.Redirect(w, r, "/orders/"+o.ID, http.StatusSeeOther)
}

// resolve settles an unknown pay: it re-sends the identical request until
// the provider says what it did. payment.Resolve never charges twice.
func (s *Shop) resolve(req *payment.PayRequest, p payment.Provider) {
	ctx, cancel := context.WithTimeout(s.bg, 10*time.Minute)
	defer cancel()
	pay, err := payment.Resolve(ctx, p, req)
	if err != nil {
		s.log.Error("shop: still unknown; the order stays open for support", "order", req.PaymentRequestID, "error", err)
		return
	}
	_ = s.orders.merge(pay)
}

func (s *Shop) serveOrder(w http.ResponseWriter, r *http.Request) {
	o, ok := s.orders.get(r.PathValue("id"))
	if !ok {
		http.NotFound(w, r)
		return
	}
	data := map[string]any{"Order": o, "Status": o.Status(), "Refunded": o.Refunded()}
	if o.Payment != nil && o.Payment.Status == payment.StatusPending && o.Payment.Action != nil {
		a := o.Payment.Action
		data["QRImage"] = template.URL("")
		if strings.HasPrefix(a.QRImage, "data:image/png;base64,") {
			data["QRImage"] = template.URL(a.QRImage) // the provider's PNG, as a data URI
		}
		data["PayURL"], data["PayMethod"] = a.URL, a.HTTPMethod
	}
	data["Refundable"] = o.Payment != nil && (o.Payment.Status == payment.StatusSucceeded || o.Payment.Status == payment.StatusPartiallyRefunded)
	data["Waiting"] = o.Unknown || (o.Payment != nil && o.Payment.Status == payment.StatusPending)
	render(w, orderPage, data)
}

// --- refunds ---

func (s *Shop) serveRefund(w http.ResponseWriter, r *http.Request) {
	o, ok := s.orders.get(r.PathValue("id"))
	if !ok || o.Payment == nil {
		http.NotFound(w, r)
		return
	}
	p, _ := s.wallets.Get(o.Wallet)
	amount, err := money.Parse(strings.TrimSpace(r.FormValue("amount")) + " " + o.Amount.Currency().Code())
	if err != nil {
		http.Error(w, "amount: "+err.Error(), http.StatusBadRequest)
		return
	}
	// Record the refund's request ID before sending it. A refund whose
	// outcome was unknown is retried under its own ID, never a new one.
	var rec RefundRecord
	_ = s.orders.update(o.ID, func(o *Order) error {
		if n := len(o.Refunds); n > 0 && o.Refunds[n-1].Status == "unknown" && o.Refunds[n-1].Amount.Equal(amount) {
			rec = o.Refunds[n-1]
			return nil
		}
		rec = RefundRecord{RequestID: fmt.Sprintf("%s-R%d", o.ID, len(o.Refunds)+1), Amount: amount, Status: "sending"}
		o.Refunds = append(o.Refunds, rec)
		return nil
	})
	ctx, cancel := context.WithTimeout(r.Context(), 30*time.Second)
	defer cancel()
	refund, err := p.Refund(ctx, &payment.RefundRequest{RefundRequestID: rec.RequestID, Payment: o.Payment.Ref(), Amount: amount, Reason: "customer request"})
	status, errText := "", ""
	switch {
	case err == nil:
		status = string(refund.Status)
	case errors.Is(err, payment.ErrUnknownOutcome):
		status, errText = "unknown", "the outcome is unknown: refund again to retry under the same ID (never refunds twice)"
	default:
		status, errText = string(payment.RefundFailed), err.Error()
	}
	s.log.Info("shop: refund", "order", o.ID, "refund", rec.RequestID, "amount", amount, "status", status, "error", err)
	_ = s.orders.update(o.ID, func(o *Order) error {
		for i := range o.Refunds {
			if o.Refunds[i].RequestID == rec.RequestID {
				o.Refunds[i].Status, o.Refunds[i].Err = status, errText
			}
		}
		return nil
	})
	if err == nil && p.Capabilities().InquiryShowsRefunds {
		if pay, err := p.Inquire(ctx, o.Payment.Ref()); err == nil {
			_ = s.orders.merge(pay)
		}
	}
	http.Redirect(w, r, "/orders/"+o.ID, http.StatusSeeOther)
}

func render(w http.ResponseWriter, t *template.Template, data any) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	if err := t.Execute(w, data); err != nil {
		http.Error(w, "page failed", http.StatusInternalServerError)
	}
}
