package payment

import (
	"slices"

	"github.com/paybridge/paybridge/money"
)

// Capabilities says what a provider supports. ValidatePay and friends reject
// requests outside it locally, with KindUnsupported, so nothing unsupported is
// ever sent; the conformance suite skips checks it excludes.
type Capabilities struct {
	// Scenarios the provider accepts.
	Scenarios []Scenario
	// Methods the provider accepts in PayRequest.Method: well-known methods
	// (WellKnownMethods) and methods of the provider's own, which its
	// adapter documents. This list, not the Method type, decides: a method
	// it does not name is unsupported. Empty means the provider takes no
	// method (the wallet is the method) and a request that names one is
	// unsupported.
	Methods []Method
	// MethodRequired lists the scenarios in which PayRequest.Method must be set.
	MethodRequired []Scenario
	// ScenarioMethods narrows Methods per scenario: a scenario listed here
	// accepts only the methods listed for it (none, for an empty list).
	ScenarioMethods map[Scenario][]Method
	// Currencies the provider accepts; empty means any ISO 4217 currency.
	Currencies []money.Currency
	// MaxAmountDigits bounds the digits of an amount in minor units
	// (AlphaPay 7, Alipay+ 16); 0 means no limit beyond int64.
	MaxAmountDigits int
	// MaxDescription bounds PayRequest.Description in characters; 0 means
	// the neutral limit of 256.
	MaxDescription int

	// ExpiresAt: PayRequest.ExpiresAt is honoured. A provider without it
	// rejects a request that sets it (KindUnsupported) rather than let a
	// payment complete after the time the merchant asked for.
	ExpiresAt bool

	// InquireByRequestID: Inquire and Cancel accept a Ref with only a
	// PaymentRequestID.
	InquireByRequestID bool
	// Cancel: Cancel is supported.
	Cancel bool
	// CancelPaid: Cancel reverses a paid payment in full (Succeeded →
	// Cancelled) instead of failing.
	CancelPaid bool
	// Refund: Refund and InquireRefund are supported.
	Refund bool
	// PartialRefund: a refund may be less than the paid amount, and
	// several refunds may add up to it.
	PartialRefund bool
	// InquireRefundByRequestID: InquireRefund accepts a RefundRef with only
	// a RefundRequestID.
	InquireRefundByRequestID bool
	// InquiryShowsRefunds: Inquire reports PartiallyRefunded and Refunded.
	// Providers that track refunds only per refund (Alipay+) report a
	// refunded payment as Succeeded; use InquireRefund for its refunds.
	InquiryShowsRefunds bool
	// Notifications: the provider pushes signed notifications.
	Notifications bool
}

// SupportsScenario reports whether s is among c.Scenarios.
func (c Capabilities) SupportsScenario(s Scenario) bool { return slices.Contains(c.Scenarios, s) }

// SupportsMethod reports whether m is among c.Methods.
func (c Capabilities) SupportsMethod(m Method) bool { return slices.Contains(c.Methods, m) }

// SupportsMethodIn reports whether m is accepted in scenario s: among
// c.Methods, and among c.ScenarioMethods[s] if s is listed there.
func (c Capabilities) SupportsMethodIn(m Method, s Scenario) bool {
	if only, ok := c.ScenarioMethods[s]; ok && !slices.Contains(only, m) {
		return false
	}
	return c.SupportsMethod(m)
}

// SupportsCurrency reports whether cur is accepted.
func (c Capabilities) SupportsCurrency(cur money.Currency) bool {
	return len(c.Currencies) == 0 || slices.Contains(c.Currencies, cur)
}

// Clone returns a deep copy of c, so that a caller can change its slices
// and maps without changing what a provider validates against.
func (c Capabilities) Clone() Capabilities {
	c.Scenarios = slices.Clone(c.Scenarios)
	c.Methods = slices.Clone(c.Methods)
	c.MethodRequired = slices.Clone(c.MethodRequired)
	c.Currencies = slices.Clone(c.Currencies)
	if c.ScenarioMethods != nil {
		m := make(map[Scenario][]Method, len(c.ScenarioMethods))
		for s, ms := range c.ScenarioMethods {
			m[s] = slices.Clone(ms)
		}
		c.ScenarioMethods = m
	}
	return c
}
