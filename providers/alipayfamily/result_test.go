package alipayfamily_test

import (
	"encoding/json"
	"errors"
	"net/http"
	"testing"

	"github.com/paybridge/paybridge/money"
	"github.com/paybridge/paybridge/payment"
	"github.com/paybridge/paybridge/payment/driver"
	"github.com/paybridge/paybridge/payment/engine"
	"github.com/paybridge/paybridge/providers/alipayfamily"
)

// The standard table, through the engine's one table of kinds.
func TestStandardReasons(t *testing.T) {
	want := map[string]payment.Kind{
		"REPEAT_REQ_INCONSISTENT": payment.KindIdempotencyConflict,
		"ORDER_NOT_EXIST":         payment.KindNotFound,
		"REFUND_NOT_EXIST":        payment.KindNotFound,
		"PARAM_ILLEGAL":           payment.KindInvalidRequest,
		"MSG_PARSE_ERROR":         payment.KindInvalidRequest,
		"CURRENCY_NOT_SUPPORT":    payment.KindUnsupported,
		"REFUND_AMOUNT_EXCEED":    payment.KindFailed,
		"ORDER_STATUS_INVALID":    payment.KindFailed,
		"CANCEL_WINDOW_EXCEED":    payment.KindFailed,
		"REFUND_WINDOW_EXCEED":    payment.KindFailed,
	}
	r := alipayfamily.StandardReasons()
	if len(r) != len(want) {
		t.Errorf("%d codes, want %d", len(r), len(want))
	}
	for code, kind := range want {
		if engine.KindOf(r[code]) != kind {
			t.Errorf("%s: %v (%v), want %v", code, r[code], engine.KindOf(r[code]), kind)
		}
	}
	for code, reason := range map[string]driver.Reason{
		"REFUND_AMOUNT_EXCEED": driver.OverRefund, "ORDER_STATUS_INVALID": driver.WrongState,
		"CANCEL_WINDOW_EXCEED": driver.WrongState, "REFUND_WINDOW_EXCEED": driver.WrongState,
		"RISK_REJECT": driver.Declined, "ACCESS_DENIED": driver.Declined,
	} {
		if v, err := r.Classify(alipayfamily.Result{ResultStatus: "F", ResultCode: code}, payment.OpRefund); err != nil || v.Outcome != driver.Refused || v.Reason != reason {
			t.Errorf("%s: %+v, %v", code, v, err)
		}
	}

	// An adapter extends a copy; the standard table does not change.
	r["ORDER_NOT_EXIST"] = driver.Declined
	ext := alipayfamily.StandardReasons().With(map[string]driver.Reason{"ORDER_IS_CLOSED": driver.WrongState, "PARAM_ILLEGAL": driver.Declined})
	if ext["ORDER_IS_CLOSED"] != driver.WrongState || ext["PARAM_ILLEGAL"] != driver.Declined || ext["ORDER_NOT_EXIST"] != driver.NotFound {
		t.Errorf("With: %v", ext)
	}
	if s := alipayfamily.StandardReasons(); s["ORDER_NOT_EXIST"] != driver.NotFound || s["PARAM_ILLEGAL"] != driver.Invalid || len(s) != len(want) {
		t.Errorf("the standard table changed: %v", s)
	}
}

// S is done; A is done on pay only; U and unknown letters are pending; no
// status is unreadable.
func TestClassify(t *testing.T) {
	r := alipayfamily.StandardReasons()
	for _, tc := range []struct {
		status, op string
		want       driver.Outcome
	}{
		{"S", payment.OpPay, driver.Done}, {"S", payment.OpInquire, driver.Done},
		{"A", payment.OpPay, driver.Done}, {"A", payment.OpInquire, driver.Pending}, {"A", payment.OpRefund, driver.Pending},
		{"U", payment.OpPay, driver.Pending}, {"F", payment.OpCancel, driver.Refused},
		{"Q", payment.OpPay, driver.Pending}, {"s", payment.OpInquire, driver.Pending},
	} {
		res := alipayfamily.Result{ResultStatus: tc.status, ResultCode: "C", ResultMessage: "m"}
		v, err := r.Classify(res, tc.op)
		if err != nil || v.Outcome != tc.want || v.Result != (payment.Result{Status: payment.ResultStatus(tc.status), Code: "C", Message: "m"}) {
			t.Errorf("%s on %s: %+v, %v; want %v", tc.status, tc.op, v, err, tc.want)
		}
	}
	if _, err := r.Classify(alipayfamily.Result{ResultCode: "SUCCESS"}, payment.OpPay); !errors.Is(err, alipayfamily.ErrNoResult) {
		t.Errorf("no status: %v", err)
	}
	var resp struct {
		Result    alipayfamily.Result `json:"result"`
		PaymentID string              `json:"paymentId"`
	}
	v, err := r.Decode([]byte(`{"result":{"resultStatus":"F","resultCode":"ORDER_NOT_EXIST"},"paymentId":"P1"}`), &resp, &resp.Result, payment.OpInquire)
	if err != nil || v.Reason != driver.NotFound || resp.PaymentID != "P1" {
		t.Errorf("Decode: %+v %+v %v", v, resp, err)
	}
	if _, err := r.Decode([]byte(`not json`), &resp, &resp.Result, payment.OpInquire); err == nil {
		t.Error("Decode read what is not JSON")
	}
}

// Amounts: the wire form, lenient decoding (a whole number, either key
// order), strict contents.
func TestAmount(t *testing.T) {
	a := alipayfamily.WireAmount(money.MustParse("1.250 KWD"))
	if b, _ := json.Marshal(a); string(b) != `{"currency":"KWD","value":"1250"}` {
		t.Errorf("wire form %s", b)
	}
	for in, want := range map[string]string{
		`{"currency":"KWD","value":"1250"}`:     "1.250 KWD",
		`{"value":1250,"currency":"KWD"}`:       "1.250 KWD",
		`{ "value" : "150" , "currency":"IQD"}`: "0.150 IQD",
		`{"currency":"JPY","value":"0"}`:        "0 JPY",
	} {
		var a alipayfamily.Amount
		if err := json.Unmarshal([]byte(in), &a); err != nil {
			t.Errorf("%s: %v", in, err)
			continue
		}
		m, err := a.Money()
		if err != nil || !m.Equal(money.MustParse(want)) {
			t.Errorf("%s: %v %v; want %s", in, m, err, want)
		}
	}
	for _, in := range []string{`{"currency":"KWD","value":1.5}`, `{"currency":"KWD","value":-1}`, `{"currency":"KWD","value":"1e3"}`, `{"currency":"XXX1","value":"1"}`, `{"currency":"USD","value":"-1"}`, `{"currency":"USD"}`} {
		var a alipayfamily.Amount
		if json.Unmarshal([]byte(in), &a) == nil {
			if _, err := a.Money(); err == nil {
				t.Errorf("%s accepted", in)
			}
		}
	}
}

func TestAcknowledgement(t *testing.T) {
	status, ct, body := alipayfamily.Acknowledgement()
	if status != http.StatusOK || ct != "application/json; charset=UTF-8" || string(body) != alipayfamily.AckBody {
		t.Fatalf("%d %s %s", status, ct, body)
	}
	body[0] = 'x'
	if _, _, again := alipayfamily.Acknowledgement(); string(again) != alipayfamily.AckBody {
		t.Error("the acknowledgement is shared")
	}
	var ack struct{ Result alipayfamily.Result }
	if err := json.Unmarshal([]byte(alipayfamily.AckBody), &ack); err != nil || ack.Result.ResultStatus != "S" || ack.Result.ResultCode != "SUCCESS" {
		t.Errorf("%+v %v", ack, err)
	}
}
