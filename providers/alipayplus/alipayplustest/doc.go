// Package alipayplustest is a simulated Alipay+ wallet (the v1 payment
// OpenAPI that GCash, Touch 'n Go, Super Qi and other Alipay+ wallets host)
// for tests, the conformance suite and the CLI sandbox, in the style of
// net/http/httptest: NewServer gives a running wallet and Credentials the
// configuration a client needs to talk to it.
//
// The server speaks the wire protocol the wallets document (paybridge's
// reading of it, with its sources, is docs/providers/alipayplus.md) and is
// at least as strict as the wallets are documented to be:
//
//   - The five endpoints answer POST {prefix}/v1/payments/{name}; the
//     prefix is per wallet (WithPrefix: "/api" by default, "" as Super Qi,
//     "/miniprogram/api" as GCash). Any other POST under the prefix is
//     answered F INVALID_API, anything else 404.
//   - Every request is verified in order: Client-Id (INVALID_CLIENT),
//     Request-Time within 5 minutes of the clock either way, in ISO 8601
//     as documented or in Unix time digits as Alipay's official SDKs send
//     it (ISO 8601 only with WithStrictRequestTime; REQUEST_TIME_INVALID),
//     the Signature header (INVALID_SIGNATURE, also when it is missing:
//     the wallets name no code for that, so this one is the simulator's
//     choice), its keyVersion (KEY_NOT_FOUND unless a merchant key is
//     registered under it), its algorithm and the RSA
//     signature over "POST <request URI>\n<Client-Id>.<Request-Time>.<body>"
//     (INVALID_SIGNATURE; URL-encoded and raw base64 are both accepted),
//     then the body: a Content-Type, if sent, of application/json and JSON
//     in UTF-8 (MSG_PARSE_ERROR), and its schema (PARAM_ILLEGAL, naming
//     the field). Field names are case-sensitive, duplicate keys are
//     rejected and amount values must be strings, unlike what
//     encoding/json would let through.
//   - Every answer is HTTP 200 JSON carrying Client-Id, Response-Time and
//     a Signature made with the wallet's key over the request's URI
//     (prefix included), URL-encoded unless WithRawSignature; with
//     WithUnsignedFailures, F and U answers go unsigned, the laxer reading
//     (the paybridge adapter believes no unsigned answer and reports them
//     as unknown outcomes). Pay and refund answers carry the fields the
//     wallets document, which include no amount; WithAnswerAmounts adds
//     paymentAmount and refundAmount, as Alipay's SDK models have them.
//   - State is kept: pay is idempotent by paymentRequestId (REPEAT_REQUEST
//     for the same request, REPEAT_REQ_INCONSISTENT for another) and
//     refund by refundRequestId, refunds never exceed the paid amount,
//     unpaid payments are CANCELLED after their expiry time on the injected
//     clock (WithClock), paid ones may be cancelled (reversed in full)
//     within a window, and every state change is atomic under concurrent
//     requests.
//
// A pay without paymentAuthCode is a cashier payment: it stays PROCESSING
// and the answer (S SUCCESS as documented, or A ACCEPT with
// WithAcceptStatus) carries a redirectActionForm to the cashier page at
// CashierURL. The customer is played by the test through Complete, Decline
// and Expire, or by a person on that page. A pay with paymentAuthCode is an
// agreement pay and succeeds at once, except for the magic codes
// AuthCodeExpired, AuthCodeUsed and AuthCodePoor.
//
// A payment that succeeds or fails is notified to its paymentNotifyUrl,
// signed like a request over the notify URL's path and query (its path
// alone with WithNotifyPathOnly), in shape B (or A, or the SDK's C, with
// WithNotificationShape), on the schedule 0 s, 2 min, 10 min, 10 min, 1 h,
// 2 h, 6 h, 15 h of the server clock until acknowledged. Deliveries and
// AwaitDeliveries observe the attempts; SignedNotification builds one
// without sending it.
//
// Script queues faults for an endpoint's next requests: scripted results
// (a payment.Result, so any module can script an F or a U),
// HTTP errors, delays, hangs, connections dropped before or after the
// state changed, and answers with a missing or wrong signature, a tampered
// body, a changed amount or the other spelling of the redirect URL.
// Requests, RequestCount, Orders and Charges let a test check what reached
// the server and how often money was taken.
//
// Keys change as they do in production (docs/key-rotation.md): SetSigner
// makes the server sign with another key from then on — any crypto.Signer,
// so a test can count or fail its signatures — and AddMerchantKey
// registers another merchant public key under a keyVersion.
//
// Nothing secret (private keys, signatures, paymentAuthCode) appears in
// logs, errors, answers or pages.
package alipayplustest
