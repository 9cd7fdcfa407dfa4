package paymenttest_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/paybridge/paybridge/money"
	"github.com/paybridge/paybridge/payment"
	"github.com/paybridge/paybridge/payment/paymenttest"
)

// TestErrorFields: every operation's errors name the operation, the
// provider and the request.
func TestErrorFields(t *testing.T) {
	tests := []struct {
		op     string
		call   func(ctx context.Context, p *paymenttest.Provider) error
		wantID string
	}{
		{payment.OpPay, func(ctx context.Context, p *paymenttest.Provider) error {
			_, err := p.Pay(ctx, qrReq("ORDER-1"))
			return err
		}, "ORDER-1"},
		{payment.OpInquire, func(ctx context.Context, p *paymenttest.Provider) error {
			_, err := p.Inquire(ctx, payment.Ref{PaymentRequestID: "ORDER-1"})
			return err
		}, "ORDER-1"},
		{payment.OpCancel, func(ctx context.Context, p *paymenttest.Provider) error {
			_, err := p.Cancel(ctx, payment.Ref{PaymentID: "PT1"})
			return err
		}, "PT1"},
		{payment.OpRefund, func(ctx context.Context, p *paymenttest.Provider) error {
			_, err := p.Refund(ctx, refundReq("REFUND-1", "PT1", "1.00 CAD"))
			return err
		}, "REFUND-1"},
		{payment.OpInquireRefund, func(ctx context.Context, p *paymenttest.Provider) error {
			_, err := p.InquireRefund(ctx, payment.RefundRef{RefundID: "RT1"})
			return err
		}, "RT1"},
	}
	faults := []paymenttest.Fault{
		result(payment.ResultFailed, ""),
		result(payment.ResultUnknown, ""),
		fault(paymenttest.FaultRefuse),
		fault(paymenttest.FaultDropAfter),
		fault(paymenttest.FaultTamperBody),
	}
	for _, tt := range tests {
		for _, f := range faults {
			t.Run(tt.op+"/"+f.String(), func(t *testing.T) {
				p, _ := newAuto(paymenttest.WithName("test-wallet"))
				p.Script(tt.op, times(4, f)...)
				err := tt.call(t.Context(), p)
				if err == nil {
					t.Fatal("no error")
				}
				pe := asError(t, err)
				if pe.Op != tt.op || pe.Provider != "test-wallet" || pe.RequestID != tt.wantID {
					t.Errorf("error %+v: want op %s, provider test-wallet, request %s", pe, tt.op, tt.wantID)
				}
				if want := "test-wallet: " + tt.op + " " + tt.wantID + ": "; !strings.HasPrefix(err.Error(), want) {
					t.Errorf("error %q does not start with %q", err, want)
				}
			})
		}
	}
}

// TestNoCardDataInErrors: whatever happens to a card payment, its number and
// CVV appear in no error and no recorded payload.
func TestNoCardDataInErrors(t *testing.T) {
	cases := []struct {
		name   string
		faults []paymenttest.Fault
		mutate func(*payment.PayRequest)
	}{
		{"invalid card", nil, func(r *payment.PayRequest) { r.Card.ExpMonth = 13 }},
		{"card number too short", nil, func(r *payment.PayRequest) { r.Card.Number = cardNumber[:11] }},
		{"unsupported currency", nil, func(r *payment.PayRequest) { r.Amount = money.MustParse("1.000 KWD") }},
		{"F", []paymenttest.Fault{result(payment.ResultFailed, "")}, nil},
		{"U", times(4, result(payment.ResultUnknown, "")), nil},
		{"HTTP 500", times(4, fault(paymenttest.FaultHTTPStatus)), nil},
		{"refused", times(4, fault(paymenttest.FaultRefuse)), nil},
		{"dropped", times(4, fault(paymenttest.FaultDropAfter)), nil},
		{"unsigned", []paymenttest.Fault{fault(paymenttest.FaultNoSignature)}, nil},
		{"changed amount", []paymenttest.Fault{fault(paymenttest.FaultChangeAmount)}, nil},
		{"conflict", nil, func(r *payment.PayRequest) { r.Amount = money.MustParse("1.00 CAD") }},
	}
	caps := paymenttest.DefaultCapabilities()
	caps.Currencies = []money.Currency{money.MustParse("1 CAD").Currency()}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p, _ := newAuto(paymenttest.WithCapabilities(caps))
			if tc.name == "conflict" {
				if _, err := p.Pay(t.Context(), payReq("ORDER-1", payment.ScenarioCreditCard, "19.99 CAD")); err != nil {
					t.Fatal(err)
				}
			}
			p.Script(payment.OpPay, tc.faults...)
			req := payReq("ORDER-1", payment.ScenarioCreditCard, "19.99 CAD")
			if tc.mutate != nil {
				tc.mutate(req)
			}
			_, err := p.Pay(t.Context(), req)
			if err == nil {
				t.Fatal("no error")
			}
			for _, secret := range []string{req.Card.Number, cardCVV} {
				if strings.Contains(err.Error(), secret) {
					t.Errorf("error %q contains card data %q", err, secret)
				}
				for _, c := range p.Calls(payment.OpPay) {
					if strings.Contains(string(c.Payload), secret) {
						t.Errorf("payload %s contains card data %q", c.Payload, secret)
					}
				}
			}
		})
	}
}

// TestValidationSendsNothing: a request that fails validation records no
// call and consumes no scripted fault.
func TestValidationSendsNothing(t *testing.T) {
	caps := paymenttest.DefaultCapabilities()
	caps.Scenarios = []payment.Scenario{payment.ScenarioQRCode}
	tests := []struct {
		name string
		op   string
		call func(ctx context.Context, p *paymenttest.Provider) error
		want payment.Kind
	}{
		{"pay without amount", payment.OpPay, func(ctx context.Context, p *paymenttest.Provider) error {
			_, err := p.Pay(ctx, &payment.PayRequest{PaymentRequestID: "ORDER-1", Scenario: payment.ScenarioQRCode})
			return err
		}, payment.KindInvalidRequest},
		{"nil pay request", payment.OpPay, func(ctx context.Context, p *paymenttest.Provider) error {
			_, err := p.Pay(ctx, nil)
			return err
		}, payment.KindInvalidRequest},
		{"pay in an unsupported scenario", payment.OpPay, func(ctx context.Context, p *paymenttest.Provider) error {
			_, err := p.Pay(ctx, payReq("ORDER-1", payment.ScenarioWeb, "1.00 CAD"))
			return err
		}, payment.KindUnsupported},
		{"pay with too many digits", payment.OpPay, func(ctx context.Context, p *paymenttest.Provider) error {
			_, err := p.Pay(ctx, payReq("ORDER-1", payment.ScenarioQRCode, "100000000000000.00 CAD"))
			return err
		}, payment.KindInvalidRequest},
		{"inquire without a reference", payment.OpInquire, func(ctx context.Context, p *paymenttest.Provider) error {
			_, err := p.Inquire(ctx, payment.Ref{})
			return err
		}, payment.KindInvalidRequest},
		{"cancel without a reference", payment.OpCancel, func(ctx context.Context, p *paymenttest.Provider) error {
			_, err := p.Cancel(ctx, payment.Ref{})
			return err
		}, payment.KindInvalidRequest},
		{"refund of nothing", payment.OpRefund, func(ctx context.Context, p *paymenttest.Provider) error {
			_, err := p.Refund(ctx, &payment.RefundRequest{RefundRequestID: "R-1", Payment: payment.Ref{PaymentID: "PT1"}})
			return err
		}, payment.KindInvalidRequest},
		{"inquire-refund without a reference", payment.OpInquireRefund, func(ctx context.Context, p *paymenttest.Provider) error {
			_, err := p.InquireRefund(ctx, payment.RefundRef{})
			return err
		}, payment.KindInvalidRequest},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, _ := newAuto(paymenttest.WithCapabilities(caps))
			p.Script(tt.op, result(payment.ResultFailed, "SCRIPTED"))
			wantKind(t, tt.call(t.Context(), p), tt.want)
			if n := len(p.Calls(tt.op)); n != 0 {
				t.Fatalf("%d calls, want none", n)
			}
			// The scripted fault is still there for the next request sent.
			wantCode(t, validCall[tt.op](t.Context(), p), "SCRIPTED")
		})
	}
}

// validCall makes a valid request of each operation.
var validCall = map[string]func(ctx context.Context, p *paymenttest.Provider) error{
	payment.OpPay: func(ctx context.Context, p *paymenttest.Provider) error {
		_, err := p.Pay(ctx, qrReq("ORDER-1"))
		return err
	},
	payment.OpInquire: func(ctx context.Context, p *paymenttest.Provider) error {
		_, err := p.Inquire(ctx, payment.Ref{PaymentID: "PT1"})
		return err
	},
	payment.OpCancel: func(ctx context.Context, p *paymenttest.Provider) error {
		_, err := p.Cancel(ctx, payment.Ref{PaymentID: "PT1"})
		return err
	},
	payment.OpRefund: func(ctx context.Context, p *paymenttest.Provider) error {
		_, err := p.Refund(ctx, refundReq("R-1", "PT1", "1.00 CAD"))
		return err
	},
	payment.OpInquireRefund: func(ctx context.Context, p *paymenttest.Provider) error {
		_, err := p.InquireRefund(ctx, payment.RefundRef{RefundID: "RT1"})
		return err
	},
}

// TestPayload: the recorded request is canonical JSON of what was asked.
func TestPayload(t *testing.T) {
	p, _ := newAuto()
	req := payReq("ORDER-1", payment.ScenarioCreditCard, "19.99 CAD")
	req.Method = payment.MethodUnionPay
	req.NotifyURL = "https://shop.example/notify"
	req.ExpiresAt = start.Add(time.Hour)
	req.Order = &payment.Order{ReferenceOrderID: "O-1", Goods: []payment.Goods{{Name: "Tea", Quantity: 2}}}
	if _, err := p.Pay(t.Context(), req); err != nil {
		t.Fatal(err)
	}
	const want = `{"paymentRequestId":"ORDER-1","scenario":"credit_card","amount":{"currency":"CAD","value":"1999"},` +
		`"description":"test order","method":"unionpay","notifyUrl":"https://shop.example/notify",` +
		`"expiresAt":"2025-03-14T10:26:53Z","card":{"last4":"1111"},` +
		`"order":{"referenceOrderId":"O-1","goods":[{"name":"Tea","quantity":2}]}}`
	if got := string(p.Calls(payment.OpPay)[0].Payload); got != want {
		t.Errorf("payload\n%s\nwant\n%s", got, want)
	}
	if _, err := p.Refund(t.Context(), refundReq("R-1", "PT1", "1.00 CAD")); err == nil {
		t.Error("refund of a pending payment succeeded")
	}
	var refund map[string]any
	if err := json.Unmarshal(p.Calls(payment.OpRefund)[0].Payload, &refund); err != nil {
		t.Fatal(err)
	}
	if refund["refundRequestId"] != "R-1" {
		t.Errorf("refund payload %v", refund)
	}
}
