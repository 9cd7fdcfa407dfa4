package alphapaytest

import (
	"encoding/json"
	"fmt"

	"github.com/paybridge/paybridge/payment"
)

// redactedCredentials has Credentials' fields and none of its methods, so
// fmt and encoding/json render a redacted copy field by field.
type redactedCredentials Credentials

// redacted returns a copy of c whose private keys appear only as
// payment.Redact shows them. The simulator's keys guard nothing real, but
// WithKeys may be given a merchant's own, and tests and the sandbox log
// Credentials.
func (c Credentials) redacted() redactedCredentials {
	c.MerchantPrivateKey = payment.Redact(c.MerchantPrivateKey)
	c.AlphaPayPrivateKey = payment.Redact(c.AlphaPayPrivateKey)
	return redactedCredentials(c)
}

// Format prints c as fmt would print its fields for the same verb, with the
// private keys redacted, so Credentials can be logged through fmt and
// log/slog's text handler.
func (c Credentials) Format(f fmt.State, verb rune) {
	fmt.Fprintf(f, fmt.FormatString(f, verb), c.redacted())
}

// MarshalJSON encodes c as encoding/json would, with the private keys
// redacted, so Credentials can be logged through log/slog's JSON handler.
func (c Credentials) MarshalJSON() ([]byte, error) { return json.Marshal(c.redacted()) }
