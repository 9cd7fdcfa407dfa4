package simulator

import (
	"bytes"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"time"

	"github.com/paybridge/paybridge/payment"
)

// Cashier is the page behind a payment's URL: what the customer sees in
// the wallet, with Approve and Decline buttons while the payment is
// pending, and for the developer the payment's neutral status, the
// provider's own code for it and what became of its notification (the
// page reloads itself while one is on its way). html/template escapes
// every value.
type Cashier struct {
	// Title heads the page, such as "AlphaPay sandbox cashier".
	Title string
	// StatusLabel labels the provider's own status, such as "AlphaPay
	// status".
	StatusLabel string
	// Who is the provider in sentences, such as "AlphaPay" or "the
	// wallet".
	Who string
	// Pages are the path prefixes the page answers under, such as
	// "/pay/": GET {page}{id} shows it, POST {page}{id}/approve and
	// /decline act. The first is the page's URL.
	Pages []string
	// RedirectQuery makes the page's URL carry the payment's redirect URL
	// as ?redirect=, so that the page links back to the merchant.
	RedirectQuery bool
	// MaxURL is the longest ?redirect= URL the page links to.
	MaxURL int
	// NotifiesFailures says that failed payments are notified too, not
	// only successful ones.
	NotifiesFailures bool
	// Schedule is the payment notifications' schedule.
	Schedule Schedule
	// WireStatus returns the provider's own status of a payment.
	WireStatus func(p *Payment) string
	// Extra, if set, returns rows shown before the amount and a QR code
	// image (a data: URL the simulator made) shown while the payment is
	// pending.
	Extra func(p *Payment) (rows []Row, qr template.URL)
}

// Row is one line of the cashier page: its element ID, label and value.
type Row struct{ ID, Label, Value string }

var cashierPage = template.Must(template.New("cashier").Parse(`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
{{- if .Sending}}
<meta http-equiv="refresh" content="1">
{{- end}}
<title>{{.Title}}</title>
<style>
body { font-family: system-ui, sans-serif; max-width: 28rem; margin: 2rem auto; padding: 0 1rem; color: #222; }
dl { display: grid; grid-template-columns: max-content 1fr; gap: .4rem 1rem; }
dt { color: #666; }
dd { margin: 0; word-break: break-word; }
#status { font-weight: bold; }
form { display: inline-block; margin: 1rem .5rem 0 0; }
button { font-size: 1rem; padding: .5rem 1.5rem; }
.note { color: #a00; }
</style>
</head>
<body>
<main>
{{- if .Found}}
<h1>{{.Title}}</h1>
<dl>
{{- range .Rows}}
<dt>{{.Label}}</dt><dd id="{{.ID}}">{{.Value}}</dd>
{{- end}}
</dl>
{{- if and .Open .QR}}
<p><img id="qr" alt="QR code of the payment" src="{{.QR}}" width="200" height="200"></p>
{{- end}}
{{- if .Note}}
<p class="note" id="note">{{.Note}}</p>
{{- end}}
{{- if .Open}}
<form method="post" action="{{.ApproveURL}}"><button id="approve" type="submit">Approve</button></form>
<form method="post" action="{{.DeclineURL}}"><button id="decline" type="submit">Decline</button></form>
{{- end}}
{{- if .ReturnURL}}
<p><a id="return" href="{{.ReturnURL}}">Return to the merchant</a></p>
{{- end}}
{{- else}}
<h1>Payment not found</h1>
<p>There is no payment with this ID.</p>
{{- end}}
</main>
</body>
</html>
`))

type cashierData struct {
	Title, Note            string
	Found, Open, Sending   bool
	Rows                   []Row
	QR                     template.URL
	ApproveURL, DeclineURL string
	ReturnURL              string
}

// URL returns the cashier page of a payment.
func (c *Cashier) URL(p *Payment) string {
	u := p.Base + c.Pages[0] + url.PathEscape(p.ID)
	if c.RedirectQuery && p.RedirectURL != "" {
		u += "?redirect=" + url.QueryEscape(p.RedirectURL)
	}
	return u
}

// CashierURL returns the cashier page of a payment, where a person can
// approve or decline it; "" for an unknown ID or a server without one.
func (s *Server) CashierURL(paymentID string) string {
	p, ok := s.ledger.Payment(paymentID)
	if !ok || s.cfg.Cashier == nil {
		return ""
	}
	return s.cfg.Cashier.URL(&p)
}

func (c *Cashier) mux(s *Server) http.Handler {
	mux := http.NewServeMux()
	for _, page := range c.Pages {
		mux.HandleFunc("GET "+page+"{id}", func(w http.ResponseWriter, r *http.Request) {
			c.render(w, r, s, r.PathValue("id"), http.StatusOK, "")
		})
		// The actions answer under every page's URL, so that "<the printed
		// URL>/approve" works whichever a developer copied.
		mux.HandleFunc("POST "+page+"{id}/approve", c.action(s, s.ledger.Complete))
		mux.HandleFunc("POST "+page+"{id}/decline", c.action(s, s.ledger.Decline))
	}
	mux.HandleFunc("/", http.NotFound)
	return mux
}

// action approves or declines, then sends the browser back to the page
// (303), which shows the new status. An action the status no longer allows
// shows the page with a note instead.
func (c *Cashier) action(s *Server, act func(string) error) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		id := r.PathValue("id")
		if err := act(id); err != nil {
			if _, found := s.ledger.Payment(id); !found {
				c.render(w, r, s, id, http.StatusNotFound, "")
				return
			}
			c.render(w, r, s, id, http.StatusConflict, "This payment can no longer be approved or declined.")
			return
		}
		http.Redirect(w, r, c.Pages[0]+url.PathEscape(id)+query(r), http.StatusSeeOther)
	}
}

// query is the request's query with its "?", or "".
func query(r *http.Request) string {
	if r.URL.RawQuery == "" {
		return ""
	}
	return "?" + r.URL.RawQuery
}

func (c *Cashier) render(w http.ResponseWriter, r *http.Request, s *Server, id string, status int, note string) {
	d := cashierData{Title: c.Title, Note: note}
	s.ledger.Lock()
	if p := s.ledger.PaymentLocked(id); p != nil {
		d.Found = true
		if c.Extra != nil {
			d.Rows, d.QR = c.Extra(p)
		}
		text, sending := c.notificationText(s, p)
		d.Rows = append(d.Rows,
			Row{"amount", "Amount", p.Amount.Major() + " " + p.Amount.Currency().Code()},
			Row{"description", "Description", p.Description},
			Row{"payment-id", "Payment ID", p.ID},
			Row{"status", "Status", string(p.Status)},
			Row{"provider-status", c.StatusLabel, c.WireStatus(p)},
			Row{"notification", "Notification", text},
		)
		d.Sending = sending
		d.Open = p.Status == payment.StatusPending
		// The actions keep the query, so the page after them still links
		// back to the merchant.
		d.ApproveURL = c.Pages[0] + p.ID + "/approve" + query(r)
		d.DeclineURL = c.Pages[0] + p.ID + "/decline" + query(r)
		d.ReturnURL = p.RedirectURL
		if rd := r.URL.Query().Get("redirect"); rd != "" && len(rd) <= c.MaxURL && IsHTTPURL(rd) {
			d.ReturnURL = rd
		}
	}
	s.ledger.Unlock()
	if !d.Found {
		status = http.StatusNotFound
	}
	var buf bytes.Buffer
	if err := cashierPage.Execute(&buf, d); err != nil {
		http.Error(w, "cashier page failed", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

// notificationText says what became of the payment's notification: whether
// one is due, its last attempt and when the provider tries again; sending
// reports one due but not yet tried, or to be tried again at once.
func (c *Cashier) notificationText(s *Server, p *Payment) (text string, sending bool) {
	if p.NotifyURL == "" {
		return "none: the payment has no notify URL", false
	}
	last, tried := s.lastDelivery(KindPayment, p.ID)
	outcomes, when := "successful payments only", "succeeds"
	if c.NotifiesFailures {
		outcomes, when = "successful and failed payments only", "succeeds or fails"
	}
	sc := c.Schedule
	switch {
	case tried && last.Acked:
		return fmt.Sprintf("sent to %s, acknowledged (attempt %d)", p.NotifyURL, last.Attempt), false
	case tried:
		head := fmt.Sprintf("sent to %s, not acknowledged: %s (attempt %d", p.NotifyURL, last.Err, last.Attempt)
		if sc.Every == 0 {
			head += fmt.Sprintf(" of %d", len(sc.Waits))
		}
		wait, more := sc.wait(last.Attempt + 1)
		switch {
		case !more:
			return fmt.Sprintf("sent to %s, not acknowledged: %s (attempt %d, the last)", p.NotifyURL, last.Err, last.Attempt), false
		case last.Attempt >= len(sc.Waits):
			return fmt.Sprintf("%s); %s tries again every %s until %s after the first attempt", head, c.Who, WaitText(sc.Every), WaitText(sc.Until)), false
		case wait == 0:
			return head + "); " + c.Who + " tries again at once", true
		}
		return head + "); " + c.Who + " tries again in " + WaitText(wait), false
	case p.Status == payment.StatusPending:
		return "none yet: sent to " + p.NotifyURL + " when the payment " + when, false
	case p.Paid.IsZero() && !(c.NotifiesFailures && p.Status == payment.StatusFailed):
		return "none: " + c.Who + " notifies " + outcomes, false
	}
	return "sending to " + p.NotifyURL + "…", true
}

// WaitText writes a wait as people do: "2 minutes", "1 hour", "24 hours".
func WaitText(d time.Duration) string {
	switch {
	case d == time.Hour:
		return "1 hour"
	case d%time.Hour == 0:
		return fmt.Sprintf("%d hours", d/time.Hour)
	}
	return fmt.Sprintf("%d minutes", d/time.Minute)
}
