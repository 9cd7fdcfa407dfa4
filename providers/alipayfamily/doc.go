// Package alipayfamily is the protocol kit of the Alipay family of APIs:
// the Alipay+ style v1 wallet OpenAPI (GCash, Touch 'n Go, Super Qi, … —
// package providers/alipayplus) and Antom, Alipay's merchant gateway
// (/ams/api/v1/payments/…), which share one envelope, one result object and
// one table of result codes. It is public so that an adapter for another
// member of the family, in this module or in another, is built on it rather
// than on a copy.
//
// What it holds:
//
//   - Envelope: request signing (RSA-SHA256 over
//     "POST <uri>\n<Client-Id>.<time>.<body>", the Signature header raw or
//     URL-encoded, a key version, any crypto.Signer), and verification of
//     answers and notifications with any of several trusted public keys (a
//     key change). It implements driver.Envelope, and VerifyNotification
//     has the signature of notify.Source's. Unsigned answers are never
//     trusted; see UnsignedPolicy.
//   - The Request-Time forms: an ISO 8601 layout, TimeUnixMilli,
//     TimeUnixNano (FormatRequestTime, CheckTimeLayout).
//   - Result, the result object every answer carries, and Reasons, the
//     family's table from F codes to driver.Reason, which an adapter
//     extends with its own codes; Reasons.Classify and Reasons.Decode read
//     an answer into a driver.Verdict.
//   - Amount, the {"currency","value"} wire amount, decoded leniently (a
//     value as a string or a whole JSON number).
//   - The acknowledgement a merchant answers a notification with.
//   - What every member spells alike: the bodies PaymentRef, RefundRef
//     and CancelResponse, the transaction statuses (PaymentStatus,
//     RefundStatus), and an adapter's key settings (Keys).
//
// What it does not hold: paths, the other request and answer bodies and
// provider-only rules. Those differ between members and stay in each
// adapter (internal/wire of providers/alipayplus and providers/antom).
// The simulator side of the family is package familytest.
//
// The envelope, step by step, is docs/providers/alipayplus.md, "Signing".
package alipayfamily
