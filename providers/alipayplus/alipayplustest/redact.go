package alipayplustest

import (
	"fmt"

	"github.com/paybridge/paybridge/simulator"
)

// Format prints c as fmt would print its fields for the same verb, with the
// private keys redacted (payment.Redact), so Credentials can be logged
// through fmt and log/slog's text handler. The simulator's keys guard
// nothing real, but WithKeys may be given a merchant's own.
func (c Credentials) Format(f fmt.State, verb rune) {
	simulator.FormatRedacted(f, verb, c, credentialSecrets...)
}

// MarshalJSON encodes c as encoding/json would, with the private keys
// redacted, so Credentials can be logged through log/slog's JSON handler.
func (c Credentials) MarshalJSON() ([]byte, error) {
	return simulator.MarshalRedacted(c, credentialSecrets...)
}
