package alipayplustest

import (
	"bytes"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"time"

	"github.com/paybridge/paybridge/providers/alipayplus/internal/wire"
)

// cashierPage is the page behind the redirect action form: what the
// customer sees in the wallet, and for the developer the payment's neutral
// status, the wallet's own code for it and what became of its notification
// (the page reloads itself while one is on its way). html/template escapes
// every value.
var cashierPage = template.Must(template.New("cashier").Parse(`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
{{- if .Sending}}
<meta http-equiv="refresh" content="1">
{{- end}}
<title>Alipay+ sandbox cashier</title>
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
<h1>Alipay+ sandbox cashier</h1>
<dl>
<dt>Amount</dt><dd id="amount">{{.Amount}} {{.Currency}}</dd>
<dt>Description</dt><dd id="description">{{.Description}}</dd>
<dt>Payment ID</dt><dd id="payment-id">{{.ID}}</dd>
<dt>Status</dt><dd id="status">{{.Status}}</dd>
<dt>Wallet status</dt><dd id="provider-status">{{.ProviderStatus}}</dd>
<dt>Notification</dt><dd id="notification">{{.Notification}}</dd>
</dl>
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
	Found                     bool
	Amount, Currency, ID      string
	Description, Status, Note string
	ProviderStatus            string
	Notification              string
	Sending                   bool
	Open                      bool
	ApproveURL, DeclineURL    string
	ReturnURL                 string
}

func (s *Server) cashierMux() *http.ServeMux {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /cashier/{id}", func(w http.ResponseWriter, r *http.Request) {
		s.renderPage(w, r, r.PathValue("id"), http.StatusOK, "")
	})
	mux.HandleFunc("POST /cashier/{id}/approve", func(w http.ResponseWriter, r *http.Request) {
		s.serveAction(w, r, s.Complete)
	})
	mux.HandleFunc("POST /cashier/{id}/decline", func(w http.ResponseWriter, r *http.Request) {
		s.serveAction(w, r, s.Decline)
	})
	mux.HandleFunc("/", http.NotFound)
	return mux
}

// serveAction approves or declines, then sends the browser back to the
// page (303), which shows the new status. An action the status no longer
// allows shows the page with a note instead.
func (s *Server) serveAction(w http.ResponseWriter, r *http.Request, act func(string) error) {
	id := r.PathValue("id")
	if err := act(id); err != nil {
		if _, found := s.Payment(id); !found {
			s.renderPage(w, r, id, http.StatusNotFound, "")
			return
		}
		s.renderPage(w, r, id, http.StatusConflict, "This payment can no longer be approved or declined.")
		return
	}
	back := "/cashier/" + url.PathEscape(id)
	if q := r.URL.RawQuery; q != "" {
		back += "?" + q
	}
	http.Redirect(w, r, back, http.StatusSeeOther)
}

func (s *Server) renderPage(w http.ResponseWriter, r *http.Request, id string, status int, note string) {
	d := cashierData{Note: note}
	requestID := ""
	s.mu.Lock()
	if p := s.lookupLocked(id, ""); p != nil {
		d.Found = true
		d.ID = p.id
		requestID = p.requestID
		d.Amount = p.amount.Major()
		d.Currency = p.amount.Currency().Code()
		d.Description = p.description
		d.ProviderStatus = p.status
		d.Notification, d.Sending = s.notificationTextLocked(p)
		d.Open = p.status == wire.PaymentProcessing
		// The actions keep the query, so the page after them still links
		// back to the merchant.
		q := ""
		if r.URL.RawQuery != "" {
			q = "?" + r.URL.RawQuery
		}
		d.ApproveURL = "/cashier/" + p.id + "/approve" + q
		d.DeclineURL = "/cashier/" + p.id + "/decline" + q
		d.ReturnURL = p.redirectURL
		if rd := r.URL.Query().Get("redirect"); rd != "" && len(rd) <= maxURL && isHTTPURL(rd) {
			d.ReturnURL = rd
		}
	}
	s.mu.Unlock()
	if !d.Found {
		status = http.StatusNotFound
	} else if st, ok := s.PaymentStatus(requestID); ok {
		d.Status = string(st)
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

// notificationTextLocked says what became of the payment's notification:
// whether one is due, its last attempt and when the wallet tries again;
// sending reports one due but not yet tried.
func (s *Server) notificationTextLocked(p *order) (text string, sending bool) {
	if p.notifyURL == "" {
		return "none: the payment has no notify URL", false
	}
	var last *Delivery
	for i := len(s.deliveries) - 1; i >= 0; i-- {
		if d := &s.deliveries[i]; d.ID == p.id {
			last = d
			break
		}
	}
	_, due := s.notificationBodyLocked(p)
	switch {
	case last != nil && last.Acked:
		return fmt.Sprintf("sent to %s, acknowledged (attempt %d)", p.notifyURL, last.Attempt), false
	case last != nil && last.Attempt < len(retrySchedule):
		return fmt.Sprintf("sent to %s, not acknowledged: %s (attempt %d of %d); the wallet tries again in %s",
			p.notifyURL, last.Err, last.Attempt, len(retrySchedule), cashierWaitText(retrySchedule[last.Attempt])), false
	case last != nil:
		return fmt.Sprintf("sent to %s, not acknowledged: %s (attempt %d, the last)", p.notifyURL, last.Err, last.Attempt), false
	case p.status == wire.PaymentProcessing:
		return "none yet: sent to " + p.notifyURL + " when the payment succeeds or fails", false
	case !due:
		return "none: the wallet notifies successful and failed payments only", false
	}
	return "sending to " + p.notifyURL + "…", true
}

// cashierWaitText writes a retry wait as people do: "2 minutes", "1 hour".
func cashierWaitText(d time.Duration) string {
	if d%time.Hour == 0 {
		if d == time.Hour {
			return "1 hour"
		}
		return fmt.Sprintf("%d hours", d/time.Hour)
	}
	return fmt.Sprintf("%d minutes", d/time.Minute)
}
