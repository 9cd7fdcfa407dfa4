package alipayplus

import "errors"

// Errors of answer and notification verification. They are the causes of
// unknown outcomes (answers) or the notify handler's rejections
// (notifications).
//
// The envelope is the Alipay family's (package providers/alipayfamily;
// docs/providers/alipayplus.md, Signing): RSA-SHA256 over
// "POST <uri>\n<Client-Id>.<time>.<body>", the merchant key for requests,
// the wallet keys for answers and notifications. It is given these
// sentinels, so its errors read as the adapter's and match both these and
// alipayfamily.ErrUnsigned and alipayfamily.ErrWrongClient.
//
// An unsigned answer is never accepted, whatever its result says
// (alipayfamily.NeverTrust). The official SDKs differ on it, but anyone
// between us and the wallet (a proxy, a captive portal, an attacker) can
// write one: an unsigned F taken as a definite failure would let the
// merchant charge the customer again for a payment the wallet may have
// taken. Such an answer therefore ends the call as an unknown outcome,
// which an inquiry settles. The error repeats the answer's status and code
// (never its message) so that support staff can see what the wallet, or
// whoever answered, claimed.
var (
	// ErrUnsigned: a signature, Client-Id or time header is missing where
	// the protocol requires it.
	ErrUnsigned = errors.New("alipayplus: not signed")
	// ErrWrongClient: the Client-Id header names another client.
	ErrWrongClient = errors.New("alipayplus: Client-Id is not ours")
)
