// Package signing implements the RSA request/response signing shared by the
// AlphaPay v2 and Alipay+ v1 adapters and by their simulators.
//
// Both providers sign with RSASSA-PKCS1-v1_5 over SHA-256, in both
// directions: the merchant signs requests with its own private key, and the
// provider (or wallet) signs responses and notifications with its key, which
// the merchant verifies with the provider's public key. The adapters and the
// simulators share this one implementation so they cannot drift apart, and
// its tests pin it to vectors that were checked against both providers'
// official signing code, so the shared code cannot drift from the real
// services either.
//
// # The string to sign
//
// Both protocols sign the same shape: the method and URI on the first line,
// then header values and the body joined by dots, the body byte for byte as
// sent (so callers marshal once and sign and send the same bytes):
//
//	AlphaPay:  POST <path>\n<Merchant-Code>.<Request-Time>.<Nonce>.<body>
//	Alipay+:   POST <path>\n<Client-Id>.<Request-Time>.<body>
//
// Alipay+ has no nonce; that is the only structural difference, so
// [Message] takes the header values as a variadic list and callers pass
// (merchantCode, requestTime, nonce) or (clientID, requestTime). For
// responses and notifications the fields are the response's time and nonce,
// but the method and path are those of the request (or of the notify URL).
// [AppendMessage] builds the same bytes into a caller-owned buffer so hot
// paths do not allocate.
//
// # The Signature header
//
// Both send "algorithm=<alg>,keyVersion=<n>,signature=<value>", where value
// is standard base64 of the signature, URL-encoded (+ / = become %2B %2F
// %3D). AlphaPay's official SDK parses that header by position, so
// [Header.Format] always writes the pairs in that order.
//
// [ParseHeader] is deliberately more tolerant than Format, because the
// signature is what gets checked and everything around it is
// presentation: wallets differ in key order, spacing, the case of the keys
// and the algorithm name (RS256, RSA256, SHA256withRSA), and some send the
// signature as raw base64 instead of URL-encoded. The value is therefore
// percent-decoded with path semantics, so a literal '+' of raw base64
// survives (query semantics would turn it into a space), and then decoded as
// strict, padded standard base64. Tolerance stops where ambiguity starts:
// duplicate keys, a missing or empty signature and non-canonical base64 are
// all rejected, since two readers of such a header could disagree about
// what was signed.
//
// # Keys that never leave an HSM
//
// [Sign] takes any crypto.Signer whose public key is RSA: an
// *rsa.PrivateKey parsed from PEM (the default, and the fast path), or a key
// held by a cloud KMS, a PKCS#11 HSM or a remote signing service, which is
// asked for PKCS#1 v1.5 over the SHA-256 digest (crypto.SHA256 as the
// SignerOpts) exactly once per call. A signer's public key is held to the
// same policy as a parsed key ([SignerPublicKey]), and a signature from a
// signer that is not an *rsa.PrivateKey is verified under its public key
// before it is returned, so a signer that uses another key, hash or padding
// fails here ([ErrSigner]) instead of at the provider. The adapters and
// both simulators sign through this one function.
//
// # Several trusted keys
//
// [VerifyAny] accepts a signature that verifies under any of several public
// keys: a merchant trusts the provider's old and new key while the provider
// changes it (docs/key-rotation.md).
//
// # Secrets in errors
//
// Errors, panics and String methods in this package never contain private
// key material, signature bytes or the raw text of a signature header:
// these strings end up in logs. Errors say what is wrong ("signature is not
// base64"), never what the value was. All key errors wrap [ErrInvalidKey],
// all header errors wrap [ErrMalformedHeader], a signature that does not
// match wraps [ErrBadSignature], and a failing signer wraps [ErrSigner]
// (with the signer's own error, which cannot hold a key the signer never
// gives out).
package signing
