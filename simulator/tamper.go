package simulator

import "bytes"

// Tamper returns a copy of a signed body with one change that keeps JSON
// valid, so that only the signature can tell: its first digit from 1 to 8
// becomes the next digit, or, in a body without one, a newline is
// appended. It is the one tamper of the simulators, the conformance
// suite's FaultTransport and paymenttest.
func Tamper(body []byte) []byte {
	out := bytes.Clone(body)
	for i, c := range out {
		if c >= '1' && c <= '8' {
			out[i] = c + 1
			return out
		}
	}
	return append(out, '\n')
}
