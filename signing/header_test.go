package signing

import (
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"testing"

	"github.com/paybridge/paybridge/internal/redacttest"
)

// headerErrors is every error ParseHeader may return. Each is fixed text, so
// an error in this set provably quotes nothing from the input.
var headerErrors = []error{
	errHeaderEmpty, errHeaderTooLong, errHeaderPair, errHeaderEmptyKey,
	errHeaderDupAlgorithm, errHeaderDupVersion, errHeaderDupSignature,
	errHeaderNoSignature, errHeaderSigEmpty, errHeaderSigEscape, errHeaderSigBase64,
}

func isKnownHeaderError(err error) bool {
	for _, e := range headerErrors {
		if err == e {
			return true
		}
	}
	return false
}

// testSig returns a real vector signature whose base64 contains '+' and
// '/' and ends in "==", so both escaping paths are exercised.
func testSig(t *testing.T) (raw []byte, b64 string) {
	t.Helper()
	for _, c := range loadVectors(t).cases {
		s := c.v.SignatureBase64
		if strings.Contains(s, "+") && strings.Contains(s, "/") && strings.HasSuffix(s, "==") {
			raw, err := base64.StdEncoding.DecodeString(s)
			if err != nil {
				t.Fatal(err)
			}
			return raw, s
		}
	}
	t.Fatal("no vector signature with '+', '/' and '==' padding")
	return nil, ""
}

func TestHeaderFormat(t *testing.T) {
	// 0xfb 0xff encodes as "+/8=", so all three escapes show up.
	h := Header{Algorithm: "RS256", KeyVersion: "1", Signature: []byte{0xfb, 0xff}}
	if got, want := h.Format(true), "algorithm=RS256,keyVersion=1,signature=%2B%2F8%3D"; got != want {
		t.Errorf("Format(true) = %q, want %q", got, want)
	}
	if got, want := h.Format(false), "algorithm=RS256,keyVersion=1,signature=+/8="; got != want {
		t.Errorf("Format(false) = %q, want %q", got, want)
	}
}

func TestParseHeaderAccepts(t *testing.T) {
	sig, b64 := testSig(t)
	enc := url.QueryEscape(b64)
	lowerEnc := strings.NewReplacer("%2B", "%2b", "%2F", "%2f", "%3D", "%3d").Replace(enc)
	// Half encoded, half raw: path unescaping handles both in one value.
	mixed := strings.Replace(b64, "+", "%2B", 1)

	cases := []struct {
		name, in          string
		wantAlg, wantKeyV string
	}{
		{"canonical URL-encoded", "algorithm=RS256,keyVersion=1,signature=" + enc, "RS256", "1"},
		{"raw base64 keeps literal plus", "algorithm=RSA256,keyVersion=1,signature=" + b64, "RSA256", "1"},
		{"lower-case percent escapes", "algorithm=RS256,keyVersion=1,signature=" + lowerEnc, "RS256", "1"},
		{"partly encoded", "algorithm=RS256,keyVersion=1,signature=" + mixed, "RS256", "1"},
		{"reverse order", "signature=" + enc + ",keyVersion=2,algorithm=RSA256", "RSA256", "2"},
		{"signature first", "signature=" + enc + ",algorithm=RS256,keyVersion=1", "RS256", "1"},
		{"spaces after commas", "algorithm=RS256, keyVersion=1, signature=" + enc, "RS256", "1"},
		{"spaces around commas, keys and values", " algorithm = RS256 , keyVersion =1 ,  signature= " + enc + " ", "RS256", "1"},
		{"tabs", "algorithm=RS256,\tkeyVersion=1,\tsignature=" + enc, "RS256", "1"},
		{"mixed-case keys", "ALGORITHM=RS256,KeyVersion=1,Signature=" + enc, "RS256", "1"},
		{"algorithm spelling kept as sent", "algorithm=sha256withrsa,keyVersion=1,signature=" + enc, "sha256withrsa", "1"},
		{"algorithm missing", "keyVersion=1,signature=" + enc, "", "1"},
		{"algorithm empty", "algorithm=,keyVersion=1,signature=" + enc, "", "1"},
		{"keyVersion missing", "algorithm=RS256,signature=" + enc, "RS256", ""},
		{"signature only", "signature=" + b64, "", ""},
		{"unknown keys ignored", "algorithm=RS256,charset=UTF-8,keyVersion=1,x-extra=a=b=c,signature=" + enc, "RS256", "1"},
		{"unknown key repeated is ignored", "foo=1,algorithm=RS256,foo=2,signature=" + enc, "RS256", ""},
		{"value containing equals", "algorithm=RS=256,keyVersion=1==,signature=" + enc, "RS=256", "1=="},
		{"trailing comma", "algorithm=RS256,keyVersion=1,signature=" + enc + ",", "RS256", "1"},
		{"empty element", "algorithm=RS256,,keyVersion=1, ,signature=" + enc, "RS256", "1"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			h, err := ParseHeader(c.in)
			if err != nil {
				t.Fatalf("ParseHeader: %v", err)
			}
			if h.Algorithm != c.wantAlg || h.KeyVersion != c.wantKeyV {
				t.Errorf("got algorithm %q keyVersion %q, want %q %q", h.Algorithm, h.KeyVersion, c.wantAlg, c.wantKeyV)
			}
			if !bytes.Equal(h.Signature, sig) {
				t.Errorf("signature bytes differ")
			}
		})
	}
}

func TestParseHeaderPercentDecoding(t *testing.T) {
	// %2B must decode to '+', and a literal '+' must stay '+' (query
	// semantics would make it a space and break the base64).
	h, err := ParseHeader("signature=%2B%2F8%3D")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(h.Signature, []byte{0xfb, 0xff}) {
		t.Fatalf("%%2B%%2F8%%3D decoded to %x, want fbff", h.Signature)
	}
	h, err = ParseHeader("signature=+/8=")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(h.Signature, []byte{0xfb, 0xff}) {
		t.Fatalf("+/8= decoded to %x, want fbff", h.Signature)
	}
}

func TestParseHeaderRejects(t *testing.T) {
	_, b64 := testSig(t)
	enc := url.QueryEscape(b64)
	unpadded := strings.TrimRight(b64, "=")
	ok := "algorithm=RS256,keyVersion=1,"

	cases := []struct {
		name, in string
		want     error
	}{
		{"empty string", "", errHeaderEmpty},
		{"only whitespace", "  \t ", errHeaderEmpty},
		{"only commas", " , ,", errHeaderNoSignature},
		{"missing signature", "algorithm=RS256,keyVersion=1", errHeaderNoSignature},
		{"signature key misspelt", ok + "signatur=" + enc, errHeaderNoSignature},
		{"signature empty", ok + "signature=", errHeaderSigEmpty},
		{"signature only spaces", ok + "signature=   ", errHeaderSigEmpty},
		{"duplicate signature", ok + "signature=" + enc + ",signature=" + enc, errHeaderDupSignature},
		{"duplicate signature differing in case", ok + "signature=" + enc + ",SIGNATURE=" + enc, errHeaderDupSignature},
		{"duplicate algorithm", "algorithm=RS256,Algorithm=RSA256,signature=" + enc, errHeaderDupAlgorithm},
		{"duplicate keyVersion", "keyVersion=1,keyversion=2,signature=" + enc, errHeaderDupVersion},
		{"element without equals", "RS256,keyVersion=1,signature=" + enc, errHeaderPair},
		{"empty key", ok + "=x,signature=" + enc, errHeaderEmptyKey},
		{"bad base64 characters", ok + "signature=" + b64[:20] + "!!!!" + b64[24:], errHeaderSigBase64},
		{"URL-safe base64 alphabet", ok + "signature=" + strings.NewReplacer("+", "-", "/", "_").Replace(b64), errHeaderSigBase64},
		{"missing padding", ok + "signature=" + unpadded, errHeaderSigBase64},
		{"missing encoded padding", ok + "signature=" + strings.TrimSuffix(enc, "%3D%3D"), errHeaderSigBase64},
		{"extra padding", ok + "signature=" + b64 + "====", errHeaderSigBase64},
		{"padding in the middle", ok + "signature=" + b64[:8] + "=" + b64[9:], errHeaderSigBase64},
		{"non-zero trailing bits", ok + "signature=AB==", errHeaderSigBase64},
		{"space inside (a query-decoded plus)", ok + "signature=" + strings.ReplaceAll(b64, "+", " "), errHeaderSigBase64},
		{"encoded newline inside", ok + "signature=" + b64[:40] + "%0A" + b64[40:], errHeaderSigBase64},
		{"encoded CRLF inside", ok + "signature=" + b64[:40] + "%0D%0A" + b64[40:], errHeaderSigBase64},
		{"double URL-encoded", ok + "signature=" + url.QueryEscape(enc), errHeaderSigBase64},
		{"invalid percent escape", ok + "signature=" + b64[:40] + "%zz" + b64[43:], errHeaderSigEscape},
		{"truncated percent escape", ok + "signature=" + enc[:len(enc)-2], errHeaderSigEscape},
		{"too long", ok + "signature=" + strings.Repeat("AAAA", maxHeaderLen/4), errHeaderTooLong},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			h, err := ParseHeader(c.in)
			if err == nil {
				t.Fatalf("accepted: %v", h)
			}
			if !errors.Is(err, ErrMalformedHeader) {
				t.Fatalf("error %v does not wrap ErrMalformedHeader", err)
			}
			if err != c.want {
				t.Errorf("got %q, want %q", err, c.want)
			}
			if h.Signature != nil || h.Algorithm != "" || h.KeyVersion != "" {
				t.Errorf("returned a non-zero Header with an error")
			}
			// The error must say what is wrong, never what was sent.
			if _, value, found := strings.Cut(c.in, "signature="); found && len(value) >= 8 {
				if strings.Contains(err.Error(), value[:8]) {
					t.Errorf("error text quotes the signature: %q", err)
				}
			}
			if !isKnownHeaderError(err) {
				t.Errorf("error %q is not one of the fixed header errors", err)
			}
		})
	}
}

// TestHeaderRedaction is the package's test of secrets in logs: the one
// type of package signing that holds one is Header.
func TestHeaderRedaction(t *testing.T) {
	sig, b64 := testSig(t)
	h := Header{Algorithm: "RS256", KeyVersion: "1", Signature: sig}
	if got, want := h.String(), "algorithm=RS256,keyVersion=1,signature=[redacted]"; got != want {
		t.Errorf("String() = %q, want %q", got, want)
	}
	if got, want := (Header{Algorithm: "RS256", KeyVersion: "1"}).String(), "algorithm=RS256,keyVersion=1,signature=[none]"; got != want {
		t.Errorf("String() without signature = %q, want %q", got, want)
	}

	// Every way a user is likely to log a Header (fmt, log/slog, JSON; value,
	// pointer, inside a struct), and %q, which Header's String also serves.
	renderings := redacttest.Renderings(t, h)
	renderings["%q"] = fmt.Sprintf("%q", h)
	// What must never appear: any form of the signature value.
	leaks := []string{b64[:16], url.QueryEscape(b64)[:16], fmt.Sprint(sig[:4]), fmt.Sprintf("%x", sig[:6])}
	for name, s := range renderings {
		if !strings.Contains(s, "[redacted]") {
			t.Errorf("%s: no redaction marker in %q", name, s)
		}
		for _, leak := range leaks {
			if strings.Contains(s, leak) {
				t.Errorf("%s: output contains signature material: %q", name, s)
			}
		}
	}

	// Peer-supplied fields cannot forge extra log content.
	forged := Header{Algorithm: "RS256\nlevel=ERROR msg=forged", KeyVersion: "1,signature=AAAA"}
	s := forged.String()
	want := `algorithm="RS256\nlevel=ERROR msg=forged",keyVersion="1,signature=AAAA",signature=[none]`
	if s != want {
		t.Errorf("String() of hostile fields:\n got %s\nwant %s", s, want)
	}
}

func TestAlgorithmOK(t *testing.T) {
	for alg, want := range map[string]bool{
		"RS256": true, "rs256": true, "RSA256": true, "rsa256": true,
		"SHA256withRSA": true, "sha256WITHrsa": true,
		"": false, "RS384": false, "PS256": false, "ES256": false, "HS256": false,
		" RS256": false, "RS256 ": false, "RSA": false, "none": false,
	} {
		if got := AlgorithmOK(alg); got != want {
			t.Errorf("AlgorithmOK(%q) = %v, want %v", alg, got, want)
		}
	}
}

func TestMessageLayout(t *testing.T) {
	body := []byte(`{"a":1}`)
	cases := []struct {
		name string
		got  []byte
		want string
	}{
		{"AlphaPay", Message("POST", "/api/v2.0/payments/pay", body, "M1", "2026-11-22T10:15:30-08:00", "n1"),
			"POST /api/v2.0/payments/pay\nM1.2026-11-22T10:15:30-08:00.n1.{\"a\":1}"},
		{"Alipay+", Message("POST", "/v1/payments/pay", body, "C1", "2026-11-22T18:15:30.123+08:00"),
			"POST /v1/payments/pay\nC1.2026-11-22T18:15:30.123+08:00.{\"a\":1}"},
		{"empty body", Message("POST", "/p", nil, "a", "b"), "POST /p\na.b."},
		{"no fields", Message("POST", "/p", body), "POST /p\n{\"a\":1}"},
		{"query string kept", Message("POST", "/p?x=1", body, "a"), "POST /p?x=1\na.{\"a\":1}"},
	}
	for _, c := range cases {
		if string(c.got) != c.want {
			t.Errorf("%s: got %q, want %q", c.name, c.got, c.want)
		}
	}
	// Message must size its buffer exactly, so callers keeping the result
	// do not pin spare capacity.
	m := Message("POST", "/p", body, "a", "b")
	if cap(m) != len(m) {
		t.Errorf("Message capacity %d, length %d", cap(m), len(m))
	}
}

func TestAppendMessageDoesNotAllocate(t *testing.T) {
	if testing.Short() {
		t.Skip("allocation counts are checked in full runs only")
	}
	body := bytes.Repeat([]byte("x"), 512)
	buf := make([]byte, 0, 1024)
	allocs := testing.AllocsPerRun(100, func() {
		buf = AppendMessage(buf[:0], "POST", "/api/v2.0/payments/pay", body, "PFA9QX", "2026-11-22T10:15:30-08:00", "b111bcf0dfb54d4e8bae68c293d85e2e")
	})
	if allocs != 0 {
		t.Errorf("AppendMessage into a reused buffer: %v allocs per run, want 0", allocs)
	}
}
