package signing

import (
	"bytes"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"errors"
	"os"
	"regexp"
	"sync"
	"testing"

	"github.com/paybridge/paybridge/internal/vectors"
)

// The vectors' shapes are internal/vectors' (testdata/signing-vectors.json,
// a copy of the shared vectors; tests read only the copy inside the
// repository).
type (
	vectorFile = vectors.File
	vector     = vectors.Vector
)

// protocolCase is one vector with what differs between the protocols
// resolved: the ordered header fields of the message and the algorithm name.
type protocolCase struct {
	protocol  string // "alphapay" or "alipayplus"
	v         vector
	algorithm string
	priv      *rsa.PrivateKey
	pub       *rsa.PublicKey
}

// fields returns the dot-joined fields of the string to sign in protocol
// order.
func (c protocolCase) fields() []string {
	if c.protocol == "alphapay" {
		return []string{c.v.MerchantCode, c.v.Time, c.v.Nonce}
	}
	return []string{c.v.ClientID, c.v.Time}
}

type loadedVectors struct {
	file  vectorFile
	priv  map[string]*rsa.PrivateKey
	pub   map[string]*rsa.PublicKey
	cases []protocolCase
}

var (
	vectorsOnce sync.Once
	vectorsData *loadedVectors
	vectorsErr  error
)

// loadVectors parses the vector file and its keys once per test binary; key
// parsing validates the keys and is too slow to repeat in every subtest.
func loadVectors(tb testing.TB) *loadedVectors {
	tb.Helper()
	vectorsOnce.Do(func() { vectorsData, vectorsErr = readVectors() })
	if vectorsErr != nil {
		tb.Fatalf("loading testdata/signing-vectors.json: %v", vectorsErr)
	}
	return vectorsData
}

func readVectors() (*loadedVectors, error) {
	raw, err := os.ReadFile(vectors.Path())
	if err != nil {
		return nil, err
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	// A field added to the vectors must be noticed and tested, not skipped.
	dec.DisallowUnknownFields()
	lv := &loadedVectors{priv: map[string]*rsa.PrivateKey{}, pub: map[string]*rsa.PublicKey{}}
	if err := dec.Decode(&lv.file); err != nil {
		return nil, err
	}
	for name, kp := range lv.file.Keys {
		priv, err := ParsePrivateKey(kp.PrivateKeyPEM)
		if err != nil {
			return nil, errors.New("key " + name + ": private: " + err.Error())
		}
		pub, err := ParsePublicKey(kp.PublicKeyPEM)
		if err != nil {
			return nil, errors.New("key " + name + ": public: " + err.Error())
		}
		if !priv.PublicKey.Equal(pub) {
			return nil, errors.New("key " + name + ": public key does not match private key")
		}
		lv.priv[name], lv.pub[name] = priv, pub
	}
	add := func(protocol, alg string, vs []vector) error {
		for _, v := range vs {
			priv, ok := lv.priv[v.SignedBy]
			if !ok {
				return errors.New(protocol + " vector " + v.Name + ": unknown signedBy " + v.SignedBy)
			}
			lv.cases = append(lv.cases, protocolCase{protocol: protocol, v: v, algorithm: alg, priv: priv, pub: lv.pub[v.SignedBy]})
		}
		return nil
	}
	if err := add("alphapay", "RS256", lv.file.AlphaPay); err != nil {
		return nil, err
	}
	if err := add("alipayplus", "RSA256", lv.file.AlipayPlus); err != nil {
		return nil, err
	}
	return lv, nil
}

func TestVectorFileShape(t *testing.T) {
	lv := loadVectors(t)
	// The README promises 8 vectors and three key pairs; fewer would mean a
	// truncated copy and silently weaker tests.
	if got := len(lv.file.AlphaPay); got != 4 {
		t.Errorf("alphapay vectors: got %d, want 4", got)
	}
	if got := len(lv.file.AlipayPlus); got != 4 {
		t.Errorf("alipayplus vectors: got %d, want 4", got)
	}
	for _, name := range []string{"merchant", "alphapay", "wallet"} {
		if _, ok := lv.priv[name]; !ok {
			t.Errorf("missing key pair %q", name)
		}
	}
	for _, c := range lv.cases {
		if c.protocol == "alphapay" && (c.v.MerchantCode == "" || c.v.Nonce == "" || c.v.ClientID != "") {
			t.Errorf("%s: AlphaPay vector must have merchantCode and nonce and no clientId", c.v.Name)
		}
		if c.protocol == "alipayplus" && (c.v.ClientID == "" || c.v.Nonce != "" || c.v.MerchantCode != "") {
			t.Errorf("%s: Alipay+ vector must have clientId and no nonce or merchantCode", c.v.Name)
		}
	}
}

var keyVersionRE = regexp.MustCompile(`(?:^|,)keyVersion=([^,]*)`)

func TestVectors(t *testing.T) {
	lv := loadVectors(t)
	for _, c := range lv.cases {
		t.Run(c.protocol+"/"+c.v.Name, func(t *testing.T) {
			t.Parallel()
			v := c.v
			body := []byte(v.Body)
			wantSig, err := base64.StdEncoding.DecodeString(v.SignatureBase64)
			if err != nil {
				t.Fatalf("vector signatureBase64 is not base64: %v", err)
			}
			// keyVersion is read from the vector's header with a regexp, not
			// ParseHeader, so Format is checked against independent data.
			m := keyVersionRE.FindStringSubmatch(v.SignatureHeader)
			if m == nil {
				t.Fatalf("vector header has no keyVersion")
			}
			keyVersion := m[1]

			msg := Message(v.Method, v.Path, body, c.fields()...)
			if !bytes.Equal(msg, []byte(v.StringToSign)) {
				t.Fatalf("Message mismatch\n got: %q\nwant: %q", msg, v.StringToSign)
			}
			if got := AppendMessage([]byte("prefix"), v.Method, v.Path, body, c.fields()...); string(got) != "prefix"+v.StringToSign {
				t.Fatalf("AppendMessage did not append the same bytes")
			}

			sig, err := Sign(c.priv, msg)
			if err != nil {
				t.Fatalf("Sign: %v", err)
			}
			if got := base64.StdEncoding.EncodeToString(sig); got != v.SignatureBase64 {
				t.Fatalf("Sign did not reproduce signatureBase64\n got: %s\nwant: %s", got, v.SignatureBase64)
			}

			h := Header{Algorithm: c.algorithm, KeyVersion: keyVersion, Signature: sig}
			if got := h.Format(true); got != v.SignatureHeader {
				t.Fatalf("Format(true) mismatch\n got: %s\nwant: %s", got, v.SignatureHeader)
			}

			parsed, err := ParseHeader(v.SignatureHeader)
			if err != nil {
				t.Fatalf("ParseHeader(vector header): %v", err)
			}
			if parsed.Algorithm != c.algorithm || parsed.KeyVersion != keyVersion || !bytes.Equal(parsed.Signature, wantSig) {
				t.Fatalf("ParseHeader round trip: got %v, want %v", parsed, h)
			}
			if !AlgorithmOK(parsed.Algorithm) {
				t.Errorf("AlgorithmOK(%q) = false", parsed.Algorithm)
			}
			if err := Verify(c.pub, msg, parsed.Signature); err != nil {
				t.Fatalf("Verify(vector): %v", err)
			}

			// Some wallets send raw base64; both the Format(false) output
			// and a hand-built raw header must parse and verify.
			raw := "algorithm=" + c.algorithm + ",keyVersion=" + keyVersion + ",signature=" + v.SignatureBase64
			if got := h.Format(false); got != raw {
				t.Fatalf("Format(false) mismatch\n got: %s\nwant: %s", got, raw)
			}
			rawParsed, err := ParseHeader(raw)
			if err != nil {
				t.Fatalf("ParseHeader(raw base64 header): %v", err)
			}
			if !bytes.Equal(rawParsed.Signature, wantSig) {
				t.Fatalf("raw base64 header decoded to different bytes")
			}
			if err := Verify(c.pub, msg, rawParsed.Signature); err != nil {
				t.Fatalf("Verify(raw base64 header signature): %v", err)
			}
		})
	}
}

// TestVectorsRejectAlterations checks that every signed input matters: a
// change to any one of them must fail verification with ErrBadSignature.
func TestVectorsRejectAlterations(t *testing.T) {
	lv := loadVectors(t)
	for _, c := range lv.cases {
		t.Run(c.protocol+"/"+c.v.Name, func(t *testing.T) {
			t.Parallel()
			sig, err := base64.StdEncoding.DecodeString(c.v.SignatureBase64)
			if err != nil {
				t.Fatal(err)
			}
			type alteration struct {
				name   string
				edit   func(v *vector)
				sig    func([]byte) []byte
				pub    *rsa.PublicKey
				fields func(v vector) []string // overrides the protocol's field list
			}
			alterations := []alteration{
				{name: "body one byte changed", edit: func(v *vector) { v.Body = flipByte(v.Body, len(v.Body)/2) }},
				{name: "body trailing newline added", edit: func(v *vector) { v.Body += "\n" }},
				{name: "body empty", edit: func(v *vector) { v.Body = "" }},
				{name: "time changed", edit: func(v *vector) { v.Time = flipByte(v.Time, len(v.Time)-7) }},
				{name: "path changed", edit: func(v *vector) { v.Path += "x" }},
				{name: "path trailing slash", edit: func(v *vector) { v.Path += "/" }},
				{name: "method changed", edit: func(v *vector) { v.Method = "PUT" }},
				{name: "signature one bit flipped", sig: func(s []byte) []byte { s = bytes.Clone(s); s[len(s)/2] ^= 0x01; return s }},
				{name: "signature truncated", sig: func(s []byte) []byte { return s[:len(s)-1] }},
				{name: "signature empty", sig: func([]byte) []byte { return nil }},
			}
			if c.protocol == "alphapay" {
				alterations = append(alterations,
					alteration{name: "merchant code changed", edit: func(v *vector) { v.MerchantCode = flipByte(v.MerchantCode, 0) }},
					alteration{name: "nonce changed", edit: func(v *vector) { v.Nonce = flipByte(v.Nonce, 0) }},
					// Protocol confusion: the Alipay+ layout over AlphaPay data.
					alteration{name: "nonce omitted", fields: func(v vector) []string { return []string{v.MerchantCode, v.Time} }},
					alteration{name: "time and nonce swapped", fields: func(v vector) []string { return []string{v.MerchantCode, v.Nonce, v.Time} }},
				)
			} else {
				alterations = append(alterations,
					alteration{name: "client id changed", edit: func(v *vector) { v.ClientID = flipByte(v.ClientID, len(v.ClientID)-1) }},
					alteration{name: "client id and time swapped", fields: func(v vector) []string { return []string{v.Time, v.ClientID} }},
				)
			}
			// Another party's key must not verify: requests and responses
			// are signed by different keys.
			for name, pub := range lv.pub {
				if name != c.v.SignedBy {
					alterations = append(alterations, alteration{name: "verified with " + name + " public key", pub: pub})
				}
			}

			for _, a := range alterations {
				t.Run(a.name, func(t *testing.T) {
					v, s, pub := c.v, sig, c.pub
					if a.edit != nil {
						a.edit(&v)
					}
					if a.sig != nil {
						s = a.sig(s)
					}
					if a.pub != nil {
						pub = a.pub
					}
					cc := c
					cc.v = v
					fields := cc.fields()
					if a.fields != nil {
						fields = a.fields(v)
					}
					msg := Message(v.Method, v.Path, []byte(v.Body), fields...)
					if string(msg) == c.v.StringToSign && a.sig == nil && a.pub == nil {
						t.Fatalf("alteration left the string to sign unchanged")
					}
					err := Verify(pub, msg, s)
					if !errors.Is(err, ErrBadSignature) {
						t.Fatalf("Verify: got %v, want an error wrapping ErrBadSignature", err)
					}
					if bytes.Contains([]byte(err.Error()), []byte(c.v.SignatureBase64[:16])) {
						t.Fatalf("Verify error quotes the signature")
					}
				})
			}
		})
	}
}

// flipByte returns s with the byte at i changed to a different printable
// character of the same class, so the edit stays plausible.
func flipByte(s string, i int) string {
	b := []byte(s)
	switch c := b[i]; {
	case c >= '0' && c <= '8', c >= 'a' && c <= 'y', c >= 'A' && c <= 'Y':
		b[i] = c + 1
	case c == '9':
		b[i] = '0'
	case c == 'z':
		b[i] = 'a'
	case c == 'Z':
		b[i] = 'A'
	default:
		b[i] = c ^ 0x01
	}
	return string(b)
}

// TestSignVerifyConcurrent shares one parsed key between goroutines, as the
// adapters do; run with -race.
func TestSignVerifyConcurrent(t *testing.T) {
	lv := loadVectors(t)
	c := lv.cases[0]
	msg := []byte(c.v.StringToSign)
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 4 {
				sig, err := Sign(c.priv, msg)
				if err != nil {
					t.Error(err)
					return
				}
				if base64.StdEncoding.EncodeToString(sig) != c.v.SignatureBase64 {
					t.Error("concurrent Sign produced a different signature")
					return
				}
				if err := Verify(c.pub, msg, sig); err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
}
