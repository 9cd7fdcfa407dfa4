// Package simulator is the kit paybridge's provider simulators
// (alphapaytest, alipayplustest) are built on, and a simulator of your own
// provider can be: everything a simulated provider does that does not
// depend on its wire format.
//
//   - Server is a real HTTP server in the style of net/http/httptest:
//     NewServer, NewTLSServer and NewUnstartedServer, URL, Client (which
//     trusts the TLS certificate and can refuse connections), Certificate,
//     Handler and Close, which ends hangs, delays and notification retries
//     waiting on a clock that does not move.
//   - A Protocol is the provider's wire format: it routes requests to
//     endpoints, verifies them (the request verification hook), executes
//     them and says which headers an answer carries and which message its
//     signature covers. The server signs with the provider's key (SetSigner,
//     AddMerchantKey for key changes) and applies the signature and amount
//     faults.
//   - Faults (Script, Outage) are queued per endpoint path, or aimed at one
//     call by its request ID or a matcher, so that concurrent requests do
//     not take each other's faults: scripted results, HTTP errors, delays,
//     hangs, refused connections, connections dropped before or after the
//     provider acted, answers unsigned, badly signed, tampered with or
//     stating another amount, a timed outage of an endpoint, and duplicated
//     notifications.
//   - Requests is the request log, with card data redacted (RedactJSON).
//   - Notify delivers signed notifications on a Schedule of the server's
//     clock until acknowledged; Deliveries and AwaitDeliveries observe them.
//   - A Ledger keeps payments and refunds in neutral terms with the
//     idempotency indexes, expiry on the clock, the customer controls
//     (Complete, Decline, Expire) and the counters (Orders, Charges,
//     RefundCount); it lists payments and refunds and finds a refund by its
//     request ID.
//   - A Cashier is the page behind a payment's URL where a person approves
//     or declines it and sees what became of its notification.
//   - CheckJSON, CheckAmount and the small checks are the strict JSON and
//     field rules both providers share; Tamper alters a signed body so that
//     only its signature can tell; DefaultKeys are generated once per
//     process.
//
// Nothing here knows a provider's field names, codes or signature layout:
// those stay in the simulator's own package, which implements Protocol.
package simulator
