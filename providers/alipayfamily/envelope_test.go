package alipayfamily_test

import (
	"bytes"
	"crypto"
	"crypto/rsa"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/paybridge/paybridge/internal/vectors"

	"github.com/paybridge/paybridge/notify"
	"github.com/paybridge/paybridge/providers/alipayfamily"
	"github.com/paybridge/paybridge/signing"
)

// The signing vectors, shared by every package that signs (internal/vectors).
type (
	vector     = vectors.Vector
	vectorFile = vectors.File
)

func loadVectors(t testing.TB) vectorFile { return vectors.Load(t) }

func find(t testing.TB, vs []vector, prefix string) vector { return vectors.Find(t, vs, prefix) }

func private(t testing.TB, pem string) *rsa.PrivateKey {
	t.Helper()
	k, err := signing.ParsePrivateKey(pem)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func public(t testing.TB, pem string) *rsa.PublicKey {
	t.Helper()
	k, err := signing.ParsePublicKey(pem)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// config is the vectors' merchant: its key signs, the wallet's verifies.
func config(t testing.TB, vf vectorFile) alipayfamily.EnvelopeConfig {
	return alipayfamily.EnvelopeConfig{
		ClientID:   "2022091516250500001",
		Signer:     private(t, vf.Keys["merchant"].PrivateKeyPEM),
		PublicKeys: []*rsa.PublicKey{public(t, vf.Keys["wallet"].PublicKeyPEM)},
	}
}

func envelope(t testing.TB, c alipayfamily.EnvelopeConfig) *alipayfamily.Envelope {
	t.Helper()
	e, err := alipayfamily.NewEnvelope(c)
	if err != nil {
		t.Fatal(err)
	}
	return e
}

func headers(clientID, timeHeader, ts, sig string) http.Header {
	h := http.Header{}
	h.Set(alipayfamily.HeaderClientID, clientID)
	h.Set(timeHeader, ts)
	h.Set(alipayfamily.HeaderSignature, sig)
	return h
}

// Sign reproduces the signing vectors byte for byte: the documented
// URL-encoded header, and the raw form, with a key version and a time
// layout of whole seconds.
func TestSignVectors(t *testing.T) {
	vf := loadVectors(t)
	for _, tc := range []struct {
		prefix, layout, keyVersion string
	}{
		{"request: pay", "", ""},
		{"request: refund", "2006-01-02T15:04:05-07:00", "2"},
	} {
		v := find(t, vf.AlipayPlus, tc.prefix)
		now, err := time.Parse(time.RFC3339Nano, v.Time)
		if err != nil {
			t.Fatal(err)
		}
		for _, raw := range []bool{false, true} {
			c := config(t, vf)
			c.TimeLayout, c.KeyVersion, c.RawSignature = tc.layout, tc.keyVersion, raw
			h := http.Header{}
			if err := envelope(t, c).Sign(h, v.Path, []byte(v.Body), now); err != nil {
				t.Fatal(err)
			}
			want := v.SignatureHeader
			if raw {
				kv := tc.keyVersion
				if kv == "" {
					kv = "1"
				}
				want = "algorithm=RSA256,keyVersion=" + kv + ",signature=" + v.SignatureBase64
			}
			if h.Get("Client-Id") != v.ClientID || h.Get("Request-Time") != v.Time || h.Get("Signature") != want {
				t.Errorf("%s (raw %v): %v", tc.prefix, raw, h)
			}
		}
	}
}

// The Request-Time forms: the default layout, Unix milliseconds and
// nanoseconds; CheckTimeLayout refuses what is not ISO 8601 with seconds
// and an offset.
func TestRequestTime(t *testing.T) {
	now := time.Date(2026, 11, 22, 10, 15, 30, 123456789, time.FixedZone("", 3*3600))
	for layout, want := range map[string]string{
		"":                          "2026-11-22T10:15:30.123+03:00",
		alipayfamily.TimeLayout:     "2026-11-22T10:15:30.123+03:00",
		alipayfamily.TimeUnixMilli:  "1795331730123",
		alipayfamily.TimeUnixNano:   "1795331730123456789",
		"2006-01-02T15:04:05Z07:00": "2026-11-22T10:15:30+03:00",
	} {
		if got := alipayfamily.FormatRequestTime(now, layout); got != want {
			t.Errorf("%q: %s, want %s", layout, got, want)
		}
		if err := alipayfamily.CheckTimeLayout(layout); err != nil {
			t.Errorf("%q: %v", layout, err)
		}
	}
	for _, bad := range []string{"2006-01-02", "15:04:05", time.Kitchen, "2006-01-02T15:04:05", "2006-01-02T15:04-07:00", "unixsec"} {
		if alipayfamily.CheckTimeLayout(bad) == nil {
			t.Errorf("%q accepted", bad)
		}
	}
	if alipayfamily.ParseTime("2026-11-22T10:15:30.5+03:00").IsZero() || !alipayfamily.ParseTime("yesterday").IsZero() {
		t.Error("ParseTime")
	}
}

// Verify accepts exactly the signed answer, under any of the trusted keys,
// and refuses everything else with the error its cause deserves.
func TestVerify(t *testing.T) {
	vf := loadVectors(t)
	v := find(t, vf.AlipayPlus, "response: pay")
	other := public(t, vf.Keys["merchant"].PublicKeyPEM)
	wallet := public(t, vf.Keys["wallet"].PublicKeyPEM)
	signed := func() http.Header { return headers(v.ClientID, "Response-Time", v.Time, v.SignatureHeader) }

	for name, keys := range map[string][]*rsa.PublicKey{"one key": {wallet}, "rotation, new key first": {other, wallet}, "rotation, old key first": {wallet, other}} {
		c := config(t, vf)
		c.PublicKeys = keys
		e := envelope(t, c)
		if err := e.Verify(v.Path, signed(), []byte(v.Body)); err != nil {
			t.Errorf("%s: %v", name, err)
		}
		raw := signed()
		raw.Set("Signature", "keyVersion=1, algorithm=sha256withrsa, signature="+v.SignatureBase64)
		if err := e.Verify(v.Path, raw, []byte(v.Body)); err != nil {
			t.Errorf("%s, raw base64 in another order: %v", name, err)
		}
	}

	e := envelope(t, config(t, vf))
	for name, tc := range map[string]struct {
		mutate func(h http.Header) (string, []byte)
		want   error
	}{
		"body": {func(h http.Header) (string, []byte) { return v.Path, []byte(v.Body + " ") }, signing.ErrBadSignature},
		"uri":  {func(h http.Header) (string, []byte) { return "/api" + v.Path, []byte(v.Body) }, signing.ErrBadSignature},
		"time": {func(h http.Header) (string, []byte) {
			h.Set("Response-Time", v.Time+"0")
			return v.Path, []byte(v.Body)
		}, signing.ErrBadSignature},
		"client id":        {func(h http.Header) (string, []byte) { h.Set("Client-Id", "1"); return v.Path, []byte(v.Body) }, alipayfamily.ErrWrongClient},
		"no client id":     {func(h http.Header) (string, []byte) { h.Del("Client-Id"); return v.Path, []byte(v.Body) }, alipayfamily.ErrUnsigned},
		"no response time": {func(h http.Header) (string, []byte) { h.Del("Response-Time"); return v.Path, []byte(v.Body) }, alipayfamily.ErrUnsigned},
		"request time only": {func(h http.Header) (string, []byte) {
			h.Set("Request-Time", v.Time)
			h.Del("Response-Time")
			return v.Path, []byte(v.Body)
		}, alipayfamily.ErrUnsigned},
		"no signature": {func(h http.Header) (string, []byte) { h.Del("Signature"); return v.Path, []byte(v.Body) }, alipayfamily.ErrUnsigned},
		"another algorithm": {func(h http.Header) (string, []byte) {
			h.Set("Signature", strings.Replace(v.SignatureHeader, "RSA256", "RSA512", 1))
			return v.Path, []byte(v.Body)
		}, signing.ErrMalformedHeader},
		"malformed": {func(h http.Header) (string, []byte) { h.Set("Signature", "signature"); return v.Path, []byte(v.Body) }, signing.ErrMalformedHeader},
		"unsigned, other id": {func(h http.Header) (string, []byte) {
			h.Del("Signature")
			h.Set("Client-Id", "1")
			return v.Path, []byte(v.Body)
		}, alipayfamily.ErrWrongClient},
	} {
		h := signed()
		uri, body := tc.mutate(h)
		if err := e.Verify(uri, h, body); !errors.Is(err, tc.want) {
			t.Errorf("%s: %v, want %v", name, err, tc.want)
		}
	}
}

// An unsigned answer is never trusted, whatever it says; the error repeats
// the claimed status and code when they are in the protocol's alphabet,
// and nothing else of the body.
func TestUnsignedNeverTrusted(t *testing.T) {
	e := envelope(t, config(t, loadVectors(t)))
	for body, says := range map[string]string{
		`{"result":{"resultStatus":"F","resultCode":"ACCESS_DENIED","resultMessage":"go away"}}`: "F ACCESS_DENIED",
		`{"result":{"resultStatus":"S","resultCode":"SUCCESS"},"paymentId":"1"}`:                 "S SUCCESS",
		`{"result":{"resultStatus":"U","resultCode":"unknown exception"}}`:                       "U",
		`{"result":{"resultStatus":"A","resultCode":"` + strings.Repeat("X", 65) + `"}}`:         "A",
		`{"result":{"resultStatus":"Q","resultCode":"X"}}`:                                       "",
		`<html>captive portal</html>`:                                                            "",
		``:                                                                                       "",
	} {
		err := e.Verify("/v1/payments/pay", http.Header{}, []byte(body))
		want := "alipayfamily: not signed"
		if says != "" {
			want += " (the answer says " + says + ")"
		}
		if !errors.Is(err, alipayfamily.ErrUnsigned) || err.Error() != want {
			t.Errorf("%s: %v, want %s", body, err, want)
		}
	}
}

// An adapter's own sentinels: the errors read as the adapter's and match
// both.
func TestAdapterSentinels(t *testing.T) {
	own, wrong := errors.New("yourpay: not signed"), errors.New("yourpay: Client-Id is not ours")
	c := config(t, loadVectors(t))
	c.ErrUnsigned, c.ErrWrongClient = own, wrong
	e := envelope(t, c)
	err := e.Verify("/p", http.Header{}, []byte(`{"result":{"resultStatus":"F","resultCode":"X"}}`))
	if !errors.Is(err, own) || !errors.Is(err, alipayfamily.ErrUnsigned) || err.Error() != "yourpay: not signed (the answer says F X)" {
		t.Errorf("unsigned: %v", err)
	}
	err = e.Verify("/p", http.Header{}, nil)
	if !errors.Is(err, own) || !errors.Is(err, alipayfamily.ErrUnsigned) || err.Error() != own.Error() {
		t.Errorf("unsigned, no claim: %v", err)
	}
	h := http.Header{}
	h.Set("Client-Id", "x")
	err = e.Verify("/p", h, nil)
	if !errors.Is(err, wrong) || !errors.Is(err, alipayfamily.ErrWrongClient) || errors.Is(err, alipayfamily.ErrUnsigned) || err.Error() != wrong.Error() {
		t.Errorf("wrong client: %v", err)
	}
	if _, err := e.VerifyNotification(http.Header{}, "/n", nil); !errors.Is(err, own) || !errors.Is(err, alipayfamily.ErrUnsigned) {
		t.Errorf("notification: %v", err)
	}
}

// VerifyNotification checks the signature over Request-Time as sent and
// then reads it: ISO 8601 or Unix time digits; a signed time nobody can
// read is notify.ErrBadTimestamp, not a bad signature.
func TestVerifyNotification(t *testing.T) {
	vf := loadVectors(t)
	v := find(t, vf.AlipayPlus, "notification:")
	e := envelope(t, config(t, vf))
	got, err := e.VerifyNotification(headers(v.ClientID, "Request-Time", v.Time, v.SignatureHeader), v.Path, []byte(v.Body))
	if want, _ := time.Parse(time.RFC3339, v.Time); err != nil || !got.Equal(want) {
		t.Fatalf("vector: %v, %v", got, err)
	}
	if _, err := e.VerifyNotification(headers(v.ClientID, "Request-Time", v.Time, v.SignatureHeader), v.Path+"?x=1", []byte(v.Body)); !errors.Is(err, signing.ErrBadSignature) {
		t.Errorf("another URI: %v", err)
	}
	if _, err := e.VerifyNotification(headers(v.ClientID, "Response-Time", v.Time, v.SignatureHeader), v.Path, []byte(v.Body)); !errors.Is(err, alipayfamily.ErrUnsigned) {
		t.Errorf("Response-Time in place of Request-Time: %v", err)
	}
	if _, err := e.VerifyNotification(headers("other", "Request-Time", v.Time, v.SignatureHeader), v.Path, []byte(v.Body)); !errors.Is(err, alipayfamily.ErrWrongClient) {
		t.Errorf("another client: %v", err)
	}

	wallet := private(t, vf.Keys["wallet"].PrivateKeyPEM)
	now := time.Date(2026, 11, 22, 10, 15, 30, 123e6, time.UTC)
	for _, ts := range []string{now.Format(alipayfamily.TimeLayout), fmt.Sprint(now.UnixMilli()), fmt.Sprint(now.UnixNano()), "yesterday"} {
		sig, err := signing.Sign(wallet, signing.Message(http.MethodPost, "/n", []byte("{}"), v.ClientID, ts))
		if err != nil {
			t.Fatal(err)
		}
		h := headers(v.ClientID, "Request-Time", ts, signing.Header{Algorithm: "RSA256", Signature: sig}.Format(true))
		got, err := e.VerifyNotification(h, "/n", []byte("{}"))
		if ts == "yesterday" {
			if !errors.Is(err, notify.ErrBadTimestamp) || errors.Is(err, signing.ErrBadSignature) {
				t.Errorf("unreadable time: %v", err)
			}
			continue
		}
		if err != nil || !got.Equal(now) {
			t.Errorf("%s: %v, %v", ts, got, err)
		}
	}
}

// A round trip through a signer that is not an *rsa.PrivateKey (a KMS, an
// HSM): the envelope asks it once per attempt.
type countingSigner struct {
	crypto.Signer
	n int
}

func (s *countingSigner) Sign(r io.Reader, digest []byte, opts crypto.SignerOpts) ([]byte, error) {
	s.n++
	return s.Signer.Sign(r, digest, opts)
}

func TestSignerRoundTrip(t *testing.T) {
	vf := loadVectors(t)
	key := private(t, vf.Keys["merchant"].PrivateKeyPEM)
	s := &countingSigner{Signer: key}
	e := envelope(t, alipayfamily.EnvelopeConfig{ClientID: "C1", Signer: s, PublicKeys: []*rsa.PublicKey{&key.PublicKey}, TimeLayout: alipayfamily.TimeUnixNano})
	for i := range 3 {
		h := http.Header{}
		if err := e.Sign(h, "/ams/api/v1/payments/pay", []byte(`{"a":1}`), time.Unix(1795331730, int64(i))); err != nil {
			t.Fatal(err)
		}
		h.Set("Response-Time", h.Get("Request-Time"))
		if err := e.Verify("/ams/api/v1/payments/pay", h, []byte(`{"a":1}`)); err != nil {
			t.Fatalf("attempt %d: %v", i, err)
		}
	}
	if s.n != 3 {
		t.Errorf("the signer was asked %d times for 3 attempts", s.n)
	}
}

// NewEnvelope names the field it refuses and never shows a key.
func TestNewEnvelopeErrors(t *testing.T) {
	vf := loadVectors(t)
	for field, mutate := range map[string]func(c *alipayfamily.EnvelopeConfig){
		"ClientID":      func(c *alipayfamily.EnvelopeConfig) { c.ClientID = "" },
		"ClientID ":     func(c *alipayfamily.EnvelopeConfig) { c.ClientID = "a b" },
		"KeyVersion":    func(c *alipayfamily.EnvelopeConfig) { c.KeyVersion = "1,signature=x" },
		"TimeLayout":    func(c *alipayfamily.EnvelopeConfig) { c.TimeLayout = "2006-01-02" },
		"Unsigned":      func(c *alipayfamily.EnvelopeConfig) { c.Unsigned = 1 },
		"Signer":        func(c *alipayfamily.EnvelopeConfig) { c.Signer = nil },
		"PublicKeys":    func(c *alipayfamily.EnvelopeConfig) { c.PublicKeys = nil },
		"PublicKeys[1]": func(c *alipayfamily.EnvelopeConfig) { c.PublicKeys = append(c.PublicKeys, nil) },
	} {
		c := config(t, vf)
		mutate(&c)
		_, err := alipayfamily.NewEnvelope(c)
		var ce *alipayfamily.ConfigError
		if !errors.As(err, &ce) || ce.Field != strings.TrimSpace(field) {
			t.Errorf("%s: %v", field, err)
		}
	}
	if alipayfamily.NeverTrust.String() != "never trust" || alipayfamily.UnsignedPolicy(1).String() != "UnsignedPolicy(1)" {
		t.Error("UnsignedPolicy.String")
	}
}

// A config and an envelope can be printed, logged and marshalled: the
// signer appears only as its type.
func TestRedaction(t *testing.T) {
	vf := loadVectors(t)
	c := config(t, vf)
	e := envelope(t, c)
	key := c.Signer.(*rsa.PrivateKey)
	secret := key.D.String()[:24]
	var out bytes.Buffer
	for _, v := range []any{c, &c, e, *e} {
		for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q"} {
			fmt.Fprintf(&out, verb+"\n", v)
		}
		j, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		out.Write(j)
		slog.New(slog.NewTextHandler(&out, nil)).Info("x", "v", v)
		slog.New(slog.NewJSONHandler(&out, nil)).Info("x", "v", v)
	}
	if strings.Contains(out.String(), secret) || !strings.Contains(out.String(), "*rsa.PrivateKey") {
		t.Errorf("key shown or signer type missing:\n%s", out.String())
	}
}
