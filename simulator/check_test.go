package simulator_test

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/paybridge/paybridge/internal/redacttest"
	"github.com/paybridge/paybridge/simulator"
)

func TestCheckJSON(t *testing.T) {
	type inner struct {
		CardNumber string `json:"cardNumber"`
		Skip       string `json:"-"`
	}
	type outer struct {
		PaymentID string   `json:"paymentId,omitempty"`
		Items     []*inner `json:"items"`
	}
	sc := simulator.NewSchema(outer{})
	for _, tc := range []struct {
		body   string
		syntax bool
		msg    string // "" for none
	}{
		{`{"paymentId":"1","items":[{"cardNumber":"x"}],"unknown":{"a":[1,{"b":null}]}}`, false, ""},
		{`{}`, false, ""},
		{``, true, "body is empty"},
		{`{"a":`, true, "body is not valid JSON"},
		{`{"a":1}x`, true, "body is not valid JSON"},
		{`{"a":1}{}`, true, "body has data after the JSON object"},
		{`[1,2]`, false, "body is not a JSON object"},
		{`"x"`, false, "body is not a JSON object"},
		{`[1,`, true, "body is not valid JSON"},
		{`{"paymentid":"1"}`, false, "field name paymentId has the wrong case"},
		{`{"items":[{"CARDNUMBER":"1"}]}`, false, "field name cardNumber has the wrong case"},
		{`{"paymentId":"1","paymentId":"2"}`, false, "duplicate field paymentId"},
		{`{"x":1,"x":2}`, false, "duplicate field"},
		{`{"a":{"x":1},"b":{"x":1}}`, false, ""},
		{strings.Repeat(`{"a":`, 33) + `1` + strings.Repeat(`}`, 33), true, "body is nested too deeply"},
		{strings.Repeat(`{"a":`, 32) + `1` + strings.Repeat(`}`, 32), false, ""},
	} {
		err := sc.CheckJSON([]byte(tc.body))
		if tc.msg == "" {
			if err != nil {
				t.Errorf("%.40s: %v", tc.body, err)
			}
			continue
		}
		var be *simulator.BodyError
		if !errors.As(err, &be) || be.Msg != tc.msg || be.Syntax != tc.syntax || err.Error() != tc.msg {
			t.Errorf("%.40s: %#v, want %q (syntax %v)", tc.body, err, tc.msg, tc.syntax)
		}
	}
	if be := simulator.AsBodyError(errors.New("json: cannot unmarshal")); be.Syntax || be.Msg != "body does not fit the schema" {
		t.Errorf("AsBodyError %+v", be)
	}
}

func TestCheckAmount(t *testing.T) {
	usdOnly := func(c string) bool { return c == "USD" }
	for _, tc := range []struct {
		value, currency string
		currencyErr     bool
		msg             string
	}{
		{"1999", "USD", false, ""},
		{"", "USD", false, "amount.value is required"},
		{"12345678", "USD", false, "amount.value must be 1 to 7 digits"},
		{"-1", "USD", false, "amount.value must be 1 to 7 digits"},
		{"1.5", "USD", false, "amount.value must be 1 to 7 digits"},
		{"1", "", false, "amount.currency is required"},
		{"1", "CAD", true, "amount.currency is not supported"},
		{"1", "XYZ", true, "amount.currency is not supported"},
		{"0", "USD", false, "amount.value must be greater than 0"},
	} {
		amt, bad := simulator.CheckAmount(tc.value, tc.currency, "amount", 7, usdOnly)
		switch {
		case tc.msg == "" && (bad != nil || amt.String() != "19.99 USD"):
			t.Errorf("%s %s: %v %+v", tc.value, tc.currency, amt, bad)
		case tc.msg != "" && (bad == nil || bad.Msg != tc.msg || bad.Currency != tc.currencyErr):
			t.Errorf("%s %s: %+v, want %q", tc.value, tc.currency, bad, tc.msg)
		}
	}
}

func TestSmallChecks(t *testing.T) {
	h := http.Header{}
	if _, ok := simulator.SingleHeader(h, "X"); ok {
		t.Error("a missing header")
	}
	h.Set("X", "1")
	if v, ok := simulator.SingleHeader(h, "X"); !ok || v != "1" {
		t.Error("one header")
	}
	h.Add("X", "2")
	if _, ok := simulator.SingleHeader(h, "X"); ok {
		t.Error("a repeated header counts as none")
	}
	for ct, want := range map[string]bool{
		"": true, "application/json": true, "application/json; charset=UTF-8": true, "application/json;charset=utf-8": true,
		"text/plain": false, "application/json; charset=latin1": false, "application/json; x": false,
	} {
		h := http.Header{}
		if ct != "" {
			h.Set("Content-Type", ct)
		}
		if simulator.CheckContentType(h) != want {
			t.Errorf("CheckContentType(%q) != %v", ct, want)
		}
	}
	if !simulator.AllDigits("0123") || simulator.AllDigits("1a") || !simulator.AllDigits("") {
		t.Error("AllDigits")
	}
	if !simulator.PrintableASCII("a-Z~!") || simulator.PrintableASCII("a b") || simulator.PrintableASCII("é") {
		t.Error("PrintableASCII")
	}
	if simulator.Cut("héllo", 2) != "hé" || simulator.Cut("hi", 5) != "hi" {
		t.Error("Cut counts characters")
	}
	for u, want := range map[string]bool{
		"https://a.example/x?y": true, "http://a": true, "ftp://a": false, "/relative": false, "https:opaque": false, "http://": false,
	} {
		if simulator.IsHTTPURL(u) != want {
			t.Errorf("IsHTTPURL(%q) != %v", u, want)
		}
	}
	if simulator.BumpMinor("1999") != "2000" || simulator.BumpMinor("x") != "x" {
		t.Error("BumpMinor")
	}
	body := []byte(`{"paymentRequestId":"P","refundRequestId":"","n":1}`)
	if simulator.JSONField(body, "refundRequestId", "paymentRequestId") != "P" || simulator.JSONField(body, "n") != "" ||
		simulator.JSONField([]byte("x"), "a") != "" {
		t.Error("JSONField")
	}
}

type creds struct {
	BaseURL, PrivateKey, PublicKey string
	Count                          int
}

func (c creds) Format(f fmt.State, verb rune) { simulator.FormatRedacted(f, verb, c, "PrivateKey") }

func (c creds) MarshalJSON() ([]byte, error) { return simulator.MarshalRedacted(c, "PrivateKey") }

// A credentials type with FormatRedacted and MarshalRedacted shows its
// secret in no encoding a user is likely to log; the rest stays visible.
func TestRedactedCredentials(t *testing.T) {
	c := creds{BaseURL: "http://x", PrivateKey: "SECRET-KEY-MATERIAL", PublicKey: "PUBLIC-KEY", Count: 3}
	redacttest.Check(t, c, []string{"SECRET-KEY-MATERIAL"}, []string{"PUBLIC-KEY", "[redacted]", "http://x"})
	if b, _ := c.MarshalJSON(); string(b) != `{"BaseURL":"http://x","PrivateKey":"[redacted]","PublicKey":"PUBLIC-KEY","Count":3}` {
		t.Errorf("JSON %s", b)
	}
	if b, _ := (creds{}).MarshalJSON(); !strings.Contains(string(b), `"PrivateKey":"[none]"`) {
		t.Errorf("an empty secret: %s", b)
	}
}
