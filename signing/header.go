package signing

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/url"
	"strconv"
	"strings"
)

// maxHeaderLen bounds ParseHeader's work on a peer-controlled value. The
// URL-encoded signature of an RSA-16384 key is under 4 KiB.
const maxHeaderLen = 8 << 10

// Header errors are fixed strings: the header is peer input and its
// signature value must never reach a log, so an error says what is wrong
// and never quotes what was sent.
var (
	errHeaderEmpty        = fmt.Errorf("%w: header is empty", ErrMalformedHeader)
	errHeaderTooLong      = fmt.Errorf("%w: header is too long", ErrMalformedHeader)
	errHeaderPair         = fmt.Errorf("%w: element is not a key=value pair", ErrMalformedHeader)
	errHeaderEmptyKey     = fmt.Errorf("%w: element has an empty key", ErrMalformedHeader)
	errHeaderDupAlgorithm = fmt.Errorf("%w: duplicate algorithm", ErrMalformedHeader)
	errHeaderDupVersion   = fmt.Errorf("%w: duplicate keyVersion", ErrMalformedHeader)
	errHeaderDupSignature = fmt.Errorf("%w: duplicate signature", ErrMalformedHeader)
	errHeaderNoSignature  = fmt.Errorf("%w: missing signature", ErrMalformedHeader)
	errHeaderSigEmpty     = fmt.Errorf("%w: signature is empty", ErrMalformedHeader)
	errHeaderSigEscape    = fmt.Errorf("%w: signature is not valid percent-encoding", ErrMalformedHeader)
	errHeaderSigBase64    = fmt.Errorf("%w: signature is not padded standard base64", ErrMalformedHeader)
)

// Header is the parsed value of the Signature HTTP header,
// "algorithm=RS256,keyVersion=1,signature=<value>".
//
// Signature holds the decoded signature bytes, so the wire encoding
// (URL-encoded or raw base64) is a concern of Format and ParseHeader only.
// String, GoString, LogValue and MarshalJSON redact it, so a Header can be
// logged through fmt, log/slog or encoding/json.
type Header struct {
	// Algorithm is "RS256" for AlphaPay and "RSA256" for Alipay+. ParseHeader
	// keeps what the peer sent, unvalidated; see AlgorithmOK.
	Algorithm string
	// KeyVersion identifies which of the signer's keys was used; it is
	// opaque here ("1" unless a wallet assigns another per merchant).
	KeyVersion string
	// Signature is the raw RSA signature.
	Signature []byte
}

// Format renders h as a Signature header value. Pairs are always written in
// the order algorithm, keyVersion, signature, because AlphaPay's official SDK
// parses the header by position. The value is standard base64 of
// h.Signature, additionally URL-encoded with url.QueryEscape (+ / = become
// %2B %2F %3D) when urlEncode is true, which is what both providers
// document; false gives the raw base64 form some wallets send.
//
// Algorithm and KeyVersion are written as they are: they are meant to be
// constants of the caller, and must not contain commas.
func (h Header) Format(urlEncode bool) string {
	value := base64.StdEncoding.EncodeToString(h.Signature)
	if urlEncode {
		value = url.QueryEscape(value)
	}
	var b strings.Builder
	b.Grow(len("algorithm=,keyVersion=,signature=") + len(h.Algorithm) + len(h.KeyVersion) + len(value))
	b.WriteString("algorithm=")
	b.WriteString(h.Algorithm)
	b.WriteString(",keyVersion=")
	b.WriteString(h.KeyVersion)
	b.WriteString(",signature=")
	b.WriteString(value)
	return b.String()
}

// ParseHeader parses a Signature header value. It accepts what the
// providers and their wallets are seen to send, because rejecting a
// harmless variation would fail real payments:
//
//   - comma-separated key=value pairs in any order, with optional spaces or
//     tabs around the commas, keys and values, and empty elements ignored;
//   - keys matched case-insensitively; a value is split at its first '=',
//     so values may themselves contain '=';
//   - unknown keys ignored, so a provider can add one without breaking us;
//   - the signature either URL-encoded or as raw base64: it is
//     percent-decoded with path semantics (url.PathUnescape, which keeps a
//     literal '+' instead of turning it into a space), then decoded as
//     strict, padded standard base64.
//
// It rejects, with an error wrapping [ErrMalformedHeader], anything that
// could be read two ways: a missing or empty signature, a duplicated
// algorithm, keyVersion or signature, an element without '=', and base64
// with bad characters, missing padding or non-zero trailing bits. An empty
// or missing algorithm is accepted; whether to require one is the caller's
// policy (see [AlgorithmOK]). Errors never contain the header's text.
func ParseHeader(s string) (Header, error) {
	if len(s) > maxHeaderLen {
		return Header{}, errHeaderTooLong
	}
	if trimOWS(s) == "" {
		return Header{}, errHeaderEmpty
	}
	var (
		h                  Header
		rawSig             string
		seenAlg, seenVer   bool
		seenSig            bool
		element, remaining string
		more               = true
	)
	remaining = s
	for more {
		element, remaining, more = strings.Cut(remaining, ",")
		element = trimOWS(element)
		if element == "" {
			continue
		}
		key, value, ok := strings.Cut(element, "=")
		if !ok {
			return Header{}, errHeaderPair
		}
		key, value = trimOWS(key), trimOWS(value)
		switch {
		case key == "":
			return Header{}, errHeaderEmptyKey
		case strings.EqualFold(key, "algorithm"):
			if seenAlg {
				return Header{}, errHeaderDupAlgorithm
			}
			seenAlg, h.Algorithm = true, value
		case strings.EqualFold(key, "keyVersion"):
			if seenVer {
				return Header{}, errHeaderDupVersion
			}
			seenVer, h.KeyVersion = true, value
		case strings.EqualFold(key, "signature"):
			if seenSig {
				return Header{}, errHeaderDupSignature
			}
			seenSig, rawSig = true, value
		}
	}
	if !seenSig {
		return Header{}, errHeaderNoSignature
	}
	sig, err := decodeSignature(rawSig)
	if err != nil {
		return Header{}, err
	}
	h.Signature = sig
	return h, nil
}

// decodeSignature percent-decodes (path semantics) and strictly
// base64-decodes a signature value.
func decodeSignature(raw string) ([]byte, error) {
	if raw == "" {
		return nil, errHeaderSigEmpty
	}
	// url's EscapeError quotes the offending text, so it is replaced, not
	// wrapped.
	b64, ok := unescapeBase64(raw)
	if !ok {
		var err error
		if b64, err = url.PathUnescape(raw); err != nil {
			return nil, errHeaderSigEscape
		}
	}
	if b64 == "" {
		return nil, errHeaderSigEmpty
	}
	// encoding/base64 silently skips '\r' and '\n', even in strict mode, so
	// the alphabet and padding are checked here first: one signature must
	// have exactly one accepted spelling.
	if !isPaddedBase64(b64) {
		return nil, errHeaderSigBase64
	}
	sig, err := base64.StdEncoding.Strict().DecodeString(b64)
	if err != nil {
		return nil, errHeaderSigBase64
	}
	return sig, nil
}

// unescapeBase64 percent-decodes the escapes url.QueryEscape writes into
// base64 (%2B %2F %3D, either case) in one pass; for anything else it
// reports false and the caller uses url.PathUnescape, which gives the same
// result for these three.
func unescapeBase64(raw string) (string, bool) {
	if strings.IndexByte(raw, '%') < 0 {
		return raw, true
	}
	var b strings.Builder
	b.Grow(len(raw))
	for i := 0; i < len(raw); i++ {
		c := raw[i]
		if c == '%' {
			if i+2 >= len(raw) {
				return "", false
			}
			switch raw[i+1 : i+3] {
			case "2B", "2b":
				c = '+'
			case "2F", "2f":
				c = '/'
			case "3D", "3d":
				c = '='
			default:
				return "", false
			}
			i += 2
		}
		b.WriteByte(c)
	}
	return b.String(), true
}

// isPaddedBase64 reports whether s is a whole number of standard base64
// quanta with '=' only as trailing padding.
func isPaddedBase64(s string) bool {
	if len(s)%4 != 0 {
		return false
	}
	body := strings.TrimSuffix(s, "=")
	body = strings.TrimSuffix(body, "=")
	for i := 0; i < len(body); i++ {
		c := body[i]
		switch {
		case 'A' <= c && c <= 'Z', 'a' <= c && c <= 'z', '0' <= c && c <= '9', c == '+', c == '/':
		default:
			return false
		}
	}
	return true
}

// trimOWS trims HTTP optional whitespace (spaces and tabs).
func trimOWS(s string) string {
	return strings.Trim(s, " \t")
}

// String returns the header with the signature redacted, for logs and error
// messages: "algorithm=RS256,keyVersion=1,signature=[redacted]" (or
// "[none]" when there is no signature). Algorithm and KeyVersion come from
// the peer, so they are quoted if they contain a comma, a double quote or
// anything other than printable ASCII, to keep a log line from being forged
// through them.
func (h Header) String() string {
	return "algorithm=" + logSafe(h.Algorithm) + ",keyVersion=" + logSafe(h.KeyVersion) + ",signature=" + h.signatureShown("[none]")
}

// GoString implements fmt.GoStringer so that %#v, which would otherwise
// print the Signature bytes field by field, is redacted as well.
func (h Header) GoString() string {
	return "signing.Header{Algorithm:" + strconv.Quote(h.Algorithm) +
		", KeyVersion:" + strconv.Quote(h.KeyVersion) + ", Signature:" + h.signatureShown("nil") + "}"
}

// LogValue implements slog.LogValuer so that structured handlers (the JSON
// handler would otherwise marshal Signature as base64) log the redacted
// form.
func (h Header) LogValue() slog.Value {
	return slog.StringValue(h.String())
}

// MarshalJSON encodes the header as the JSON string of String, so a Header
// inside a struct that is marshalled or logged by slog's JSON handler is
// redacted as well. It is for logs; the wire form is Format's.
func (h Header) MarshalJSON() ([]byte, error) {
	return json.Marshal(h.String())
}

// signatureShown is all that String and GoString show of the signature:
// whether there is one (none is what they write when there is not), never
// its bytes.
func (h Header) signatureShown(none string) string {
	if len(h.Signature) == 0 {
		return none
	}
	return "[redacted]"
}

// logSafe returns s unchanged if it is plain printable ASCII without commas,
// and strconv.QuoteToASCII(s) otherwise.
func logSafe(s string) string {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c > 0x7e || c == ',' || c == '"' {
			return strconv.QuoteToASCII(s)
		}
	}
	return s
}

// AlgorithmOK reports whether alg names RSASSA-PKCS1-v1_5 with SHA-256 in
// one of the spellings in use: "RS256" (AlphaPay), "RSA256" (Alipay+) and
// "SHA256withRSA" (some wallets, e.g. Rebell), matched case-insensitively
// because wallets differ in case too.
func AlgorithmOK(alg string) bool {
	return strings.EqualFold(alg, "RS256") ||
		strings.EqualFold(alg, "RSA256") ||
		strings.EqualFold(alg, "SHA256withRSA")
}
