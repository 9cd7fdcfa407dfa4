package antom

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/paybridge/paybridge/clock"
	"github.com/paybridge/paybridge/money"
	"github.com/paybridge/paybridge/payment"
	"github.com/paybridge/paybridge/payment/driver"
	"github.com/paybridge/paybridge/payment/driver/drivertest"
	"github.com/paybridge/paybridge/providers/antom/antomtest"
)

var update = flag.Bool("update", false, "rewrite testdata/*.json with what the adapter encodes")

func testDriver(t testing.TB) *antomDriver {
	srv := antomtest.NewUnstartedServer()
	t.Cleanup(srv.Close)
	cr := srv.Credentials()
	c, err := New(Config{BaseURL: "http://127.0.0.1:1", ClientID: cr.ClientID, PrivateKey: cr.MerchantPrivateKey, AntomPublicKey: cr.AntomPublicKey,
		Clock: clock.NewFake(time.Date(2026, 11, 22, 18, 15, 30, 0, time.FixedZone("PHT", 8*3600)))})
	if err != nil {
		t.Fatal(err)
	}
	return c.d
}

// The bodies the adapter sends, byte for byte, against golden files
// checked by hand against the SDK's models (docs/providers/antom.md,
// Sources). go test -run Golden -update rewrites them.
func TestGolden(t *testing.T) {
	d := testDriver(t)
	h5 := &payment.PayRequest{PaymentRequestID: "ORDER-20261122-0001", Scenario: payment.ScenarioH5, Method: payment.MethodTouchNGo,
		Amount: money.MustParse("19.99 MYR"), Description: "Green tea x2", RedirectURL: "https://merchant.example/done",
		NotifyURL: "https://merchant.example/notify/antom", ExpiresAt: time.Date(2026, 11, 22, 11, 0, 0, 0, time.UTC),
		Device: &payment.Device{OS: payment.OSAndroid}, Order: &payment.Order{ReferenceOrderID: "SO-42", BuyerID: "B-7"}}
	for file, encode := range map[string]func() (driver.Request, error){
		"pay-h5": func() (driver.Request, error) { return d.EncodePay(h5) },
		"refund": func() (driver.Request, error) {
			return d.EncodeRefund(&payment.RefundRequest{RefundRequestID: "REFUND-1", Payment: payment.Ref{PaymentID: "202611221815300001"},
				Amount: money.MustParse("5.00 MYR"), Reason: "one tea", NotifyURL: "https://merchant.example/notify/refund"})
		},
	} {
		req, err := encode()
		if err != nil {
			t.Fatal(err)
		}
		var out bytes.Buffer
		if err := json.Indent(&out, req.Body, "", "  "); err != nil {
			t.Fatal(err)
		}
		path := filepath.Join("testdata", file+".json")
		if *update {
			if err := os.WriteFile(path, out.Bytes(), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		want, err := os.ReadFile(path)
		if err != nil || !bytes.Equal(want, out.Bytes()) {
			t.Errorf("%s: got\n%s\nwant\n%s (%v)", path, out.Bytes(), want, err)
		}
	}
}

// FuzzDecodeAnswer feeds any body to every decoder of answers: nothing
// panics, and a Done answer's value has what the engine needs.
func FuzzDecodeAnswer(f *testing.F) {
	for _, s := range []string{
		`{"result":{"resultStatus":"U","resultCode":"PAYMENT_IN_PROCESS"},"paymentId":"1","normalUrl":"https://x","paymentAmount":{"currency":"USD","value":"1"}}`,
		`{"result":{"resultStatus":"S","resultCode":"SUCCESS"},"paymentId":"1","paymentStatus":"SUCCESS","paymentAmount":{"currency":"XXX","value":1}}`,
		`{"result":{"resultStatus":"S"},"refundId":"1","refundStatus":"FAIL","refundAmount":{"currency":"USD","value":"-1"}}`,
		`{"result":{"resultStatus":"F","resultCode":"ORDER_NOT_EXIST"}}`, `{"result":{}}`, `[]`, `nul`,
	} {
		f.Add([]byte(s))
	}
	d := testDriver(f)
	pay := &payment.PayRequest{Scenario: payment.ScenarioH5}
	f.Fuzz(func(t *testing.T, body []byte) {
		drivertest.CheckDecoders(t, d, body, drivertest.Requests{Pay: pay})
		a := &driver.Answer{Body: body}
		if p, v, err := d.DecodePay(pay, a); err == nil && v.Outcome == driver.Done && p == nil {
			t.Fatal("pay: Done without a payment")
		}
		if p, v, err := d.DecodeInquire(payment.Ref{}, a); err == nil && v.Outcome == driver.Done && (p == nil || p.Status == "") {
			t.Fatal("inquiry: Done without a status")
		}
		if p, v, err := d.DecodeCancel(payment.Ref{}, a); err == nil && v.Outcome == driver.Done && p.Status != payment.StatusCancelled {
			t.Fatal("cancel: Done but not cancelled")
		}
		if r, v, err := d.DecodeRefund(nil, a); err == nil && v.Outcome == driver.Done && r.Status == "" {
			t.Fatal("refund: Done without a status")
		}
		if r, v, err := d.DecodeInquireRefund(payment.RefundRef{}, a); err == nil && v.Outcome == driver.Done && r.Status == "" {
			t.Fatal("inquiryRefund: Done without a status")
		}
	})
}

// FuzzParseNotification feeds any body to the notification parser: it
// never panics, and an event it returns is complete.
func FuzzParseNotification(f *testing.F) {
	for _, s := range []string{
		`{"notifyType":"PAYMENT_RESULT","result":{"resultStatus":"S","resultCode":"SUCCESS"},"paymentId":"1","paymentAmount":{"currency":"USD","value":"100"},"paymentMethodType":"TNG"}`,
		`{"notifyType":"REFUND_RESULT","refundStatus":"SUCCESS","refundId":"2","refundAmount":{"currency":"JPY","value":"5"}}`,
		`{"notifyType":"PAYMENT_RESULT","result":null}`, ` {"notifyType":1}`, `{}`, ``,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		ev, err := parseNotification(body)
		if err != nil {
			return
		}
		switch {
		case ev.Key == "" || ev.Provider != Name:
			t.Fatalf("incomplete event %+v", ev)
		case ev.Kind == payment.EventPayment && (ev.Payment.PaymentID == "" || !ev.Payment.Status.Valid()):
			t.Fatalf("payment event %+v", ev.Payment)
		case ev.Kind == payment.EventRefund && (ev.Refund.RefundID == "" || !ev.Refund.Status.Final()):
			t.Fatalf("refund event %+v", ev.Refund)
		}
	})
}

// env.terminalType per scenario and device.
func TestTerminal(t *testing.T) {
	for want, req := range map[string]*payment.PayRequest{
		"WAP":      {Scenario: payment.ScenarioH5, Device: &payment.Device{TerminalType: payment.TerminalWeb}},
		"WEB":      {Scenario: payment.ScenarioWeb, Device: &payment.Device{TerminalType: payment.TerminalApp}},
		"MINI_APP": {Scenario: payment.ScenarioCashier, Device: &payment.Device{TerminalType: payment.TerminalMiniApp}},
		"APP":      {Scenario: payment.ScenarioCashier, Device: &payment.Device{TerminalType: payment.TerminalApp}},
	} {
		if got := terminal(req); got != want {
			t.Errorf("%s with %s: %s, want %s", req.Scenario, req.Device.TerminalType, got, want)
		}
	}
	if got := terminal(&payment.PayRequest{Scenario: payment.ScenarioCashier, Device: &payment.Device{TerminalType: payment.TerminalSystem}}); got != "WEB" {
		t.Errorf("cashier on a system terminal: %s", got)
	}
}
