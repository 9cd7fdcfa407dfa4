package alphapaytest

import (
	"html/template"
	"strings"

	"github.com/paybridge/paybridge/simulator"
)

// cashierPage is the page behind payUrl and the QR code: /pay/{id}, and
// /qr/{id}, the QR code's content. The QR code shows only while the
// payment can be paid.
var cashierPage = &simulator.Cashier{
	Title:       "AlphaPay sandbox cashier",
	StatusLabel: "AlphaPay status",
	Who:         "AlphaPay",
	Pages:       []string{"/pay/", "/qr/"},
	MaxURL:      maxURL,
	Schedule:    paymentSchedule,
	WireStatus:  wireStatus,
}

// cashier returns the page with the merchant's code and the QR code.
func (s *Server) cashier() *simulator.Cashier {
	c := *cashierPage
	c.Extra = func(p *simulator.Payment) ([]simulator.Row, template.URL) {
		var qr template.URL
		if info := ext(p).info; info != nil && strings.HasPrefix(info.PaymentQRImage, "data:image/png;base64,") {
			// Our own base64 PNG: safe as an image source.
			qr = template.URL(info.PaymentQRImage)
		}
		return []simulator.Row{{ID: "merchant", Label: "Merchant", Value: s.cfg.merchantCode}}, qr
	}
	return &c
}
