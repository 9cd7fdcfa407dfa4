package alphapaytest

import (
	"bytes"
	"fmt"
	"html/template"
	"net/http"
	"strings"

	"github.com/paybridge/paybridge/providers/alphapay/internal/wire"
)

// cashierPage is the page behind payUrl and the QR code: what the customer
// sees in the wallet, and for the developer the payment's neutral status,
// AlphaPay's own code for it and what became of its notification. The QR
// code shows only while the payment can be paid; while a notification is
// on its way the page reloads itself. html/template escapes every value.
var cashierPage = template.Must(template.New("cashier").Parse(`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
{{- if .Sending}}
<meta http-equiv="refresh" content="1">
{{- end}}
<title>AlphaPay sandbox cashier</title>
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
<h1>AlphaPay sandbox cashier</h1>
<dl>
<dt>Merchant</dt><dd id="merchant">{{.Merchant}}</dd>
<dt>Amount</dt><dd id="amount">{{.Amount}} {{.Currency}}</dd>
<dt>Description</dt><dd id="description">{{.Description}}</dd>
<dt>Payment ID</dt><dd id="payment-id">{{.ID}}</dd>
<dt>Status</dt><dd id="status">{{.Status}}</dd>
<dt>AlphaPay status</dt><dd id="provider-status">{{.ProviderStatus}}</dd>
<dt>Notification</dt><dd id="notification">{{.Notification}}</dd>
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
	Found                          bool
	Merchant, Amount, Currency, ID string
	Description, Status, Note      string
	ProviderStatus, Notification   string
	Sending                        bool
	QR                             template.URL
	Open                           bool
	ApproveURL, DeclineURL         string
	ReturnURL                      string
}

func (s *Server) cashierMux() *http.ServeMux {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /pay/{id}", s.servePage)
	mux.HandleFunc("GET /qr/{id}", s.servePage)
	// The actions answer under both pages' URLs, so that "<the printed
	// URL>/approve" works whichever of the two a developer copied.
	for _, page := range []string{"pay", "qr"} {
		mux.HandleFunc("POST /"+page+"/{id}/approve", func(w http.ResponseWriter, r *http.Request) {
			s.serveAction(w, r, s.Complete)
		})
		mux.HandleFunc("POST /"+page+"/{id}/decline", func(w http.ResponseWriter, r *http.Request) {
			s.serveAction(w, r, s.Decline)
		})
	}
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		http.NotFound(w, r)
	})
	return mux
}

func (s *Server) servePage(w http.ResponseWriter, r *http.Request) {
	s.renderPage(w, r, r.PathValue("id"), http.StatusOK, "")
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
	http.Redirect(w, r, "/pay/"+id, http.StatusSeeOther)
}

func (s *Server) renderPage(w http.ResponseWriter, r *http.Request, id string, status int, note string) {
	d := cashierData{Merchant: s.cfg.merchantCode, Note: note}
	s.mu.Lock()
	if o := s.orderLocked(id); o != nil {
		d.Found = true
		d.ID = o.id
		d.Amount = o.amount.Major()
		d.Currency = o.amount.Currency().Code()
		d.Description = o.description
		d.Status = string(neutralStatuses[o.status])
		d.ProviderStatus = o.status
		d.Notification, d.Sending = s.notificationTextLocked(o)
		d.Open = o.status == wire.PaymentInProcess
		if o.info != nil && strings.HasPrefix(o.info.PaymentQRImage, "data:image/png;base64,") {
			// Our own base64 PNG: safe as an image source.
			d.QR = template.URL(o.info.PaymentQRImage)
		}
		d.ApproveURL = "/pay/" + o.id + "/approve"
		d.DeclineURL = "/pay/" + o.id + "/decline"
		d.ReturnURL = o.redirectURL
		if rd := r.URL.Query().Get("redirect"); rd != "" && checkURL(rd) {
			d.ReturnURL = rd
		}
	}
	s.mu.Unlock()
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

// notificationTextLocked says what became of the payment's notification:
// whether one is due, its last attempt and what happens next; sending
// reports one due but not yet tried.
func (s *Server) notificationTextLocked(o *order) (text string, sending bool) {
	if o.notifyURL == "" {
		return "none: the payment has no notify URL", false
	}
	var last *Delivery
	for i := len(s.deliveries) - 1; i >= 0; i-- {
		if d := &s.deliveries[i]; d.Kind == KindPayment && d.ID == o.id {
			last = d
			break
		}
	}
	switch {
	case last != nil && last.Acked:
		return fmt.Sprintf("sent to %s, acknowledged (attempt %d)", o.notifyURL, last.Attempt), false
	case last != nil && last.Attempt < paymentTries:
		return fmt.Sprintf("sent to %s, not acknowledged: %s (attempt %d); AlphaPay tries again at once", o.notifyURL, last.Err, last.Attempt), true
	case last != nil:
		return fmt.Sprintf("sent to %s, not acknowledged: %s (attempt %d); AlphaPay tries again every %d minutes until %d hours after the first attempt",
			o.notifyURL, last.Err, last.Attempt, int(retryInterval.Minutes()), int(retryWindow.Hours())), false
	case o.status == wire.PaymentInProcess:
		return "none yet: sent to " + o.notifyURL + " when the payment succeeds", false
	case o.paid.IsZero():
		return "none: AlphaPay notifies successful payments only", false
	}
	return "sending to " + o.notifyURL + "…", true
}
