package alipayplustest

import "github.com/paybridge/paybridge/simulator"

// cashier is the page behind the redirect action form, /cashier/{id}. Its
// URL carries the merchant's redirect URL, so that the page links back.
var cashier = &simulator.Cashier{
	Title:            "Alipay+ sandbox cashier",
	StatusLabel:      "Wallet status",
	Who:              "the wallet",
	Pages:            []string{"/cashier/"},
	RedirectQuery:    true,
	MaxURL:           maxURL,
	NotifiesFailures: true,
	Schedule:         notifySchedule,
	WireStatus:       wireStatus,
}
