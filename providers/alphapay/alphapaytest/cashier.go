package alphapaytest

import (
	"bytes"
	"html/template"
	"net/http"
	"strings"

	"github.com/paybridge/paybridge/providers/alphapay/internal/wire"
)

// cashierPage is the page behind payUrl and the QR code: what the customer
// sees in the wallet. html/template escapes every value.
var cashierPage = template.Must(template.New("cashier").Parse(`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
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
</dl>
{{- if .QR}}
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
	QR                             template.URL
	Open                           bool
	ApproveURL, DeclineURL         string
	ReturnURL                      string
}

func (s *Server) cashierMux() *http.ServeMux {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /pay/{id}", s.servePage)
	mux.HandleFunc("GET /qr/{id}", s.servePage)
	mux.HandleFunc("POST /pay/{id}/approve", func(w http.ResponseWriter, r *http.Request) {
		s.serveAction(w, r, s.Complete)
	})
	mux.HandleFunc("POST /pay/{id}/decline", func(w http.ResponseWriter, r *http.Request) {
		s.serveAction(w, r, s.Decline)
	})
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
		d.Status = o.status
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
