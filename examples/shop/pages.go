package main

import "html/template"

// The pages are plain HTML; html/template escapes every value.

const style = `<style>
body { font-family: system-ui, sans-serif; max-width: 40rem; margin: 2rem auto; padding: 0 1rem; color: #222; }
table { border-collapse: collapse; } td, th { padding: .2rem .8rem .2rem 0; text-align: left; }
.note { color: #666; } .error { color: #a00; }
</style>`

var homePage = template.Must(template.New("home").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>paybridge example shop</title>` + style + `</head>
<body>
<h1>paybridge example shop</h1>
<form method="post" action="/checkout">
<p><label>Product <select name="product">{{range .Products}}<option value="{{.Name}}">{{.Name}} — {{.Price}}</option>{{end}}</select></label></p>
<p><label>Pay with <select name="wallet">{{range .Wallets}}<option>{{.}}</option>{{end}}</select></label></p>
<p><button id="checkout" type="submit">Check out</button></p>
</form>
{{- if .Orders}}
<h2>Orders</h2>
<table>
<tr><th>Order</th><th>Wallet</th><th>Product</th><th>Amount</th><th>Status</th></tr>
{{- range .Orders}}
<tr><td><a href="/orders/{{.ID}}">{{.ID}}</a></td><td>{{.Wallet}}</td><td>{{.Product}}</td><td>{{.Amount}}</td><td>{{.Status}}</td></tr>
{{- end}}
</table>
{{- end}}
</body></html>
`))

var orderPage = template.Must(template.New("order").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8">
{{- if .Waiting}}<meta http-equiv="refresh" content="2">{{end}}
<title>Order {{.Order.ID}}</title>` + style + `</head>
<body>
<p><a href="/">← shop</a></p>
<h1>Order {{.Order.ID}}</h1>
<table>
<tr><th>Product</th><td>{{.Order.Product}}</td></tr>
<tr><th>Amount</th><td id="amount">{{.Order.Amount}}</td></tr>
<tr><th>Wallet</th><td>{{.Order.Wallet}}</td></tr>
<tr><th>Status</th><td id="status">{{.Status}}</td></tr>
{{- if .Order.Refunds}}<tr><th>Refunded</th><td id="refunded">{{.Refunded}}</td></tr>{{end}}
</table>
{{- if .QRImage}}
<p>Scan with the wallet app:</p>
<p><img id="qr" alt="QR code of the payment" src="{{.QRImage}}" width="200" height="200"></p>
{{- end}}
{{- if .PayURL}}
{{- if eq .PayMethod "POST"}}
<form method="post" action="{{.PayURL}}"><button type="submit">Pay in the wallet</button></form>
{{- else}}
<p><a id="pay" href="{{.PayURL}}">Pay in the wallet</a></p>
{{- end}}
{{- end}}
{{- if .Waiting}}<p class="note">This page refreshes itself until the payment ends.</p>{{end}}
{{- if .Refundable}}
<form method="post" action="/orders/{{.Order.ID}}/refund">
<p><label>Refund <input name="amount" size="8" value="{{.Order.Amount.Major}}"> {{.Order.Amount.Currency.Code}}</label>
<button id="refund" type="submit">Refund</button></p>
</form>
{{- end}}
{{- if .Order.Refunds}}
<h2>Refunds</h2>
<table>
<tr><th>Refund</th><th>Amount</th><th>Status</th><th></th></tr>
{{- range .Order.Refunds}}
<tr><td>{{.RequestID}}</td><td>{{.Amount}}</td><td>{{.Status}}</td><td class="error">{{.Err}}</td></tr>
{{- end}}
</table>
{{- end}}
</body></html>
`))
