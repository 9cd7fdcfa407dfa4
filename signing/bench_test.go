package signing

import (
	"encoding/base64"
	"testing"
)

// The benchmarks use the first AlphaPay request vector: a realistic body
// size and the three-field layout, the longer of the two.

func BenchmarkSign(b *testing.B) {
	c := loadVectors(b).cases[0]
	msg := []byte(c.v.StringToSign)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Sign(c.priv, msg); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkVerify(b *testing.B) {
	c := loadVectors(b).cases[0]
	msg := []byte(c.v.StringToSign)
	sig, err := base64.StdEncoding.DecodeString(c.v.SignatureBase64)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if err := Verify(c.pub, msg, sig); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkMessage(b *testing.B) {
	c := loadVectors(b).cases[0]
	v := c.v
	body := []byte(v.Body)
	b.Run("Message", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(int64(len(v.StringToSign)))
		for b.Loop() {
			_ = Message(v.Method, v.Path, body, v.MerchantCode, v.Time, v.Nonce)
		}
	})
	// The hot-path form: a buffer reused across requests must give 0 allocs.
	b.Run("AppendMessage", func(b *testing.B) {
		buf := make([]byte, 0, 4096)
		b.ReportAllocs()
		b.SetBytes(int64(len(v.StringToSign)))
		for b.Loop() {
			buf = AppendMessage(buf[:0], v.Method, v.Path, body, v.MerchantCode, v.Time, v.Nonce)
		}
	})
}

func BenchmarkParseHeader(b *testing.B) {
	c := loadVectors(b).cases[0]
	for _, bc := range []struct{ name, header string }{
		{"URLEncoded", c.v.SignatureHeader},
		{"RawBase64", "algorithm=RS256,keyVersion=1,signature=" + c.v.SignatureBase64},
	} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := ParseHeader(bc.header); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
