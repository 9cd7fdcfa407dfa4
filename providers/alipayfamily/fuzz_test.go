package alipayfamily_test

import (
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/paybridge/paybridge/payment"
	"github.com/paybridge/paybridge/payment/driver"
	"github.com/paybridge/paybridge/providers/alipayfamily"
)

// FuzzVerify feeds arbitrary headers, URIs and bodies to Verify and
// VerifyNotification. Neither may panic or accept anything but exactly what
// the wallet key signed, and an unsigned answer's error repeats at most a
// status and a code.
func FuzzVerify(f *testing.F) {
	vf := loadVectors(f)
	ans := find(f, vf.AlipayPlus, "response: pay")
	note := find(f, vf.AlipayPlus, "notification:")
	f.Add(ans.Path, ans.ClientID, ans.Time, ans.SignatureHeader, ans.Body)
	f.Add(note.Path, note.ClientID, note.Time, note.SignatureHeader, note.Body)
	f.Add(ans.Path, ans.ClientID, ans.Time, "signature="+ans.SignatureBase64+", keyVersion=1, algorithm=SHA256withRSA", ans.Body)
	f.Add(ans.Path, "", "", "", `{"result":{"resultStatus":"F","resultCode":"X"}}`)
	f.Add(ans.Path, ans.ClientID, "", "", `{"result":{"resultStatus":"U","resultCode":"`+strings.Repeat("Z", 64)+`"}}`)
	f.Add(ans.Path, ans.ClientID, "x", "algorithm=RSA256,signature=%ZZ", "")
	e := envelope(f, config(f, vf))
	f.Fuzz(func(t *testing.T, uri, clientID, ts, sig, body string) {
		h := http.Header{}
		for k, v := range map[string]string{"Client-Id": clientID, "Response-Time": ts, "Request-Time": ts, "Signature": sig} {
			if v != "" {
				h[k] = []string{v}
			}
		}
		signed := func() bool {
			for _, v := range []vector{ans, note} {
				if uri == v.Path && ts == v.Time && body == v.Body {
					return true
				}
			}
			return false
		}
		err := e.Verify(uri, h, []byte(body))
		if err == nil && !signed() {
			t.Fatalf("verified %q %q %q", uri, ts, body)
		}
		if sig == "" && !errors.Is(err, alipayfamily.ErrUnsigned) && !errors.Is(err, alipayfamily.ErrWrongClient) {
			t.Fatalf("unsigned: %v", err)
		}
		if errors.Is(err, alipayfamily.ErrUnsigned) && len(err.Error()) > len(alipayfamily.ErrUnsigned.Error())+85 {
			t.Fatalf("the error repeats too much of the answer: %q", err)
		}
		if _, err := e.VerifyNotification(h, uri, []byte(body)); err == nil && !signed() {
			t.Fatalf("notification verified %q %q %q", uri, ts, body)
		}
	})
}

// FuzzDecode reads arbitrary answers: never a panic; a verdict always
// agrees with the result status it read.
func FuzzDecode(f *testing.F) {
	f.Add(`{"result":{"resultCode":"SUCCESS","resultStatus":"S"},"paymentId":"1"}`, true)
	f.Add(`{"result":{"resultCode":"ACCEPT","resultStatus":"A"}}`, false)
	f.Add(`{"result":{"resultCode":"ORDER_NOT_EXIST","resultStatus":"F"}}`, false)
	f.Add(`{"result":{"resultStatus":"U"}}`, true)
	f.Add(`{"result":null}`, true)
	f.Add(`[]`, false)
	r := alipayfamily.StandardReasons()
	f.Fuzz(func(t *testing.T, body string, pay bool) {
		op := payment.OpInquire
		if pay {
			op = payment.OpPay
		}
		var resp struct {
			Result alipayfamily.Result  `json:"result"`
			Amount *alipayfamily.Amount `json:"amount"`
		}
		v, err := r.Decode([]byte(body), &resp, &resp.Result, op)
		if err != nil {
			return
		}
		if resp.Amount != nil {
			_, _ = resp.Amount.Money()
		}
		st := resp.Result.ResultStatus
		switch v.Outcome {
		case driver.Done:
			if st != "S" && (st != "A" || !pay) {
				t.Fatalf("%q done on %s", st, op)
			}
		case driver.Refused:
			if st != "F" || v.Reason != r[resp.Result.ResultCode] {
				t.Fatalf("%q refused as %v", st, v.Reason)
			}
		case driver.Pending:
			if st == "S" || st == "F" || (st == "A" && pay) {
				t.Fatalf("%q pending", st)
			}
		default:
			t.Fatalf("outcome %v", v.Outcome)
		}
		if v.Result != resp.Result.Neutral() {
			t.Fatalf("result %+v", v.Result)
		}
	})
}
