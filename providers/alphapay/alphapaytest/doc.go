// Package alphapaytest is a simulated AlphaPay v2 server for tests, the
// conformance suite and the CLI sandbox, in the style of net/http/httptest:
// NewServer gives a running AlphaPay and Credentials the configuration a
// client needs to talk to it.
//
// The server speaks the wire protocol of the AlphaPay v2 specification
// exactly and is at least as strict as the real server is known to be:
//
//   - Every request is verified in the real server's order: merchant code
//     (INVALID_MERCHANT_CODE), Request-Time within 5 minutes of the clock
//     (SIGN_TIMEOUT), a nonce (PARAM_INVALID), the RSA signature over
//     "POST <request URI>\n<merchant>.<time>.<nonce>.<body>" with the
//     merchant key registered under the header's keyVersion (INVALID_SIGN),
//     no nonce reused within 10 minutes (INVALID_SIGN), then the body's
//     schema (PARAM_INVALID and the specific codes). Field names are
//     case-sensitive and duplicate keys are rejected, unlike encoding/json.
//   - Every JSON answer, failures included, is signed with AlphaPay's key
//     over the request's path, Merchant-Code and the answer's Response-Time
//     and Nonce.
//   - State is kept: pay is idempotent by paymentRequestId and refund by
//     refundRequestId, refunds never exceed the paid amount, unpaid orders
//     close after the expiry time on the injected clock (WithClock), and
//     every state change is atomic under concurrent requests.
//
// The customer is played by the test through Complete, Decline and Expire,
// or by a person on the cashier page at CashierURL (the payment's payUrl
// and QR code point there). A successful payment is notified to its
// notifyUrl with the real schedule: three tries at once, then one every 30
// minutes of the server clock until acknowledged or 24 hours have passed;
// a refund is notified once. Deliveries and AwaitDeliveries observe them;
// SignedNotification builds one without sending it.
//
// Script queues faults for an endpoint's next requests: scripted results,
// HTTP errors, delays, hangs, connections dropped before or after the
// state changed, and answers with a missing or wrong signature, a tampered
// body or a changed amount. Requests, RequestCount, Orders and Charges let
// a test check what reached the server and how often money was taken.
//
// Keys change as they do in production (docs/key-rotation.md): SetSigner
// makes the server sign with another key from then on — any crypto.Signer,
// so a test can count or fail its signatures — and AddMerchantKey
// registers another merchant public key under a keyVersion.
//
// Nothing secret (private keys, card numbers, CVVs, signatures) appears in
// logs, errors, answers or pages: a card is echoed only as a cardId token.
package alphapaytest
