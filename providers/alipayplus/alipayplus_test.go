package alipayplus_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/paybridge/paybridge/clock"
	"github.com/paybridge/paybridge/money"
	"github.com/paybridge/paybridge/payment"
	"github.com/paybridge/paybridge/providers/alipayplus"
	"github.com/paybridge/paybridge/providers/alipayplus/alipayplustest"
	"github.com/paybridge/paybridge/providers/alipayplus/internal/wire"
)

func newClient(t testing.TB, srv *alipayplustest.Server, mutate ...func(*alipayplus.Config)) *alipayplus.Client {
	t.Helper()
	cr := srv.Credentials()
	cfg := alipayplus.Config{
		BaseURL: cr.BaseURL, PathPrefix: cr.Prefix, ClientID: cr.ClientID, KeyVersion: cr.KeyVersion,
		PrivateKey: cr.MerchantPrivateKey, WalletPublicKey: cr.WalletPublicKey,
		HTTPClient: srv.Client(),
		Retry:      payment.RetryPolicy{MaxAttempts: 3, BaseWait: time.Millisecond, MaxWait: 5 * time.Millisecond},
	}
	for _, m := range mutate {
		m(&cfg)
	}
	c, err := alipayplus.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func request(id, amount string) *payment.PayRequest {
	return &payment.PayRequest{
		PaymentRequestID: id,
		Scenario:         payment.ScenarioCashier,
		Amount:           money.MustParse(amount),
		Description:      "Two coffees",
		RedirectURL:      "https://merchant.example/done",
		Device:           &payment.Device{OS: payment.OSAndroid, TerminalType: payment.TerminalMiniApp},
	}
}

func isRedirectTo(t *testing.T, p *payment.Payment, url string) {
	t.Helper()
	if p.Status != payment.StatusPending || p.Action == nil || p.Action.Kind != payment.ActionRedirect ||
		p.Action.URL != url || p.Action.HTTPMethod != "GET" {
		t.Fatalf("payment %+v action %+v, want a pending redirect to %s", p, p.Action, url)
	}
}

// 3-decimal and 0-decimal currencies round-trip exactly: 150 IQD is
// "150000" on the wire, 2000 CLP and 500 JPY are "2000" and "500".
func TestAmountsRoundTripExactly(t *testing.T) {
	srv := alipayplustest.NewServer()
	defer srv.Close()
	c := newClient(t, srv)
	ctx := context.Background()
	for amount, wireValue := range map[string]string{"150 IQD": `"value":"150000"`, "1.250 KWD": `"value":"1250"`, "2000 CLP": `"value":"2000"`, "500 JPY": `"value":"500"`} {
		t.Run(amount, func(t *testing.T) {
			req := request("ORDER-"+strings.ReplaceAll(amount, " ", "-"), amount)
			p, err := c.Pay(ctx, req)
			if err != nil {
				t.Fatal(err)
			}
			isRedirectTo(t, p, srv.CashierURL(p.PaymentID))
			if !p.Amount.Equal(req.Amount) {
				t.Fatalf("pay amount %s", p.Amount)
			}
			reqs := srv.Requests(wire.PathPay)
			if body := string(reqs[len(reqs)-1].Body); !strings.Contains(body, wireValue) {
				t.Fatalf("body %s lacks %s", body, wireValue)
			}
			if snap, _ := srv.Payment(p.PaymentID); !snap.Amount.Equal(req.Amount) {
				t.Fatalf("the wallet holds %s", snap.Amount)
			}
			if err := srv.Complete(p.PaymentID); err != nil {
				t.Fatal(err)
			}
			got, err := c.Inquire(ctx, payment.Ref{PaymentRequestID: req.PaymentRequestID})
			if err != nil || got.Status != payment.StatusSucceeded || !got.Amount.Equal(req.Amount) || got.PaymentID != p.PaymentID || got.PaidAt.IsZero() {
				t.Fatalf("inquire: %+v, %v", got, err)
			}
		})
	}
}

func TestRedirectSpellingsAndAcceptStatus(t *testing.T) {
	for name, opts := range map[string][]alipayplustest.Option{
		"redirectionUrl":         nil,
		"redirectUrl (Super Qi)": {alipayplustest.WithRedirectField(alipayplustest.RedirectURL), alipayplustest.WithPrefix("")},
		"A ACCEPT":               {alipayplustest.WithAcceptStatus("A")},
	} {
		t.Run(name, func(t *testing.T) {
			srv := alipayplustest.NewServer(opts...)
			defer srv.Close()
			c := newClient(t, srv)
			p, err := c.Pay(context.Background(), request("ORDER-1", "2000 CLP"))
			if err != nil {
				t.Fatal(err)
			}
			isRedirectTo(t, p, srv.CashierURL(p.PaymentID))
			if want := map[bool]payment.ResultStatus{true: payment.ResultAccepted, false: payment.ResultSucceeded}[name == "A ACCEPT"]; p.Result.Status != want {
				t.Fatalf("result %v", p.Result)
			}
		})
	}
	t.Run("one answer in the other spelling", func(t *testing.T) {
		srv := alipayplustest.NewServer()
		defer srv.Close()
		c := newClient(t, srv)
		srv.Script(wire.PathPay, alipayplustest.Fault{Variant: alipayplustest.RedirectURL})
		p, err := c.Pay(context.Background(), request("ORDER-1", "2000 CLP"))
		if err != nil {
			t.Fatal(err)
		}
		isRedirectTo(t, p, srv.CashierURL(p.PaymentID))
	})
}

func TestWalletPrefixesTimeFormatsAndSignatureEncodings(t *testing.T) {
	for _, tc := range []struct {
		name   string
		server []alipayplustest.Option
		client func(*alipayplus.Config)
	}{
		{"Super Qi: no prefix, raw base64 answers", []alipayplustest.Option{alipayplustest.WithPrefix(""), alipayplustest.WithRawSignature(true)}, nil},
		{"generic: /api", nil, nil},
		{"GCash: /miniprogram/api, key version 2", []alipayplustest.Option{alipayplustest.WithPrefix("/miniprogram/api"), alipayplustest.WithKeyVersion("2")}, nil},
		{"raw base64 requests, whole-second times", nil, func(c *alipayplus.Config) {
			c.RawSignature = true
			c.TimeLayout = "2006-01-02T15:04:05-07:00"
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := alipayplustest.NewServer(tc.server...)
			defer srv.Close()
			var mutate []func(*alipayplus.Config)
			if tc.client != nil {
				mutate = append(mutate, tc.client)
			}
			c := newClient(t, srv, mutate...)
			ctx := context.Background()
			p, err := c.Pay(ctx, request("ORDER-1", "150 IQD"))
			if err != nil {
				t.Fatal(err)
			}
			if _, err := c.Inquire(ctx, p.Ref()); err != nil {
				t.Fatal(err)
			}
			if _, err := c.Cancel(ctx, payment.Ref{PaymentRequestID: "ORDER-1"}); err != nil {
				t.Fatal(err)
			}
			sig := srv.Requests(wire.PathPay)[0].Header.Get(wire.HeaderSignature)
			if raw := strings.Contains(sig, "/") || strings.Contains(sig, "+") || strings.HasSuffix(sig, "="); raw != (tc.client != nil) {
				t.Errorf("signature header %.60s…: raw %v", sig, raw)
			}
		})
	}
}

// An unsigned answer is never believed, whatever it says (Alipay's Java SDK
// would trust it; paybridge does not, nor does the Go SDK: anyone on the
// path can write one). It makes the outcome unknown, and an inquiry settles it.
func TestUnsignedAnswers(t *testing.T) {
	ctx := context.Background()
	t.Run("unsigned S is an unknown outcome, then resolved", func(t *testing.T) {
		srv := alipayplustest.NewServer()
		defer srv.Close()
		c := newClient(t, srv)
		srv.Script(wire.PathPay, alipayplustest.Fault{NoSignature: true})
		req := request("ORDER-1", "2000 CLP")
		_, err := c.Pay(ctx, req)
		if !errors.Is(err, payment.ErrUnknownOutcome) || errors.Is(err, payment.ErrFailed) || !errors.Is(err, alipayplus.ErrUnsigned) {
			t.Fatalf("err = %v", err)
		}
		p, err := payment.Resolve(ctx, c, req)
		if err != nil || p.Status != payment.StatusPending || !p.Amount.Equal(req.Amount) {
			t.Fatalf("resolve: %+v, %v", p, err)
		}
		// Resolve may re-send the identical pay to get the cashier action
		// the inquiry lacks; the wallet still holds one order.
		isRedirectTo(t, p, srv.CashierURL(p.PaymentID))
		if n := srv.Orders(req.PaymentRequestID); n != 1 {
			t.Fatalf("%d orders", n)
		}
	})
	t.Run("unsigned F is an unknown outcome naming its code", func(t *testing.T) {
		srv := alipayplustest.NewServer(alipayplustest.WithUnsignedFailures(true))
		defer srv.Close()
		c := newClient(t, srv)
		req := request("ORDER-2", "2000 CLP")
		req.ProviderOptions = alipayplus.PayOptions{AuthCode: alipayplustest.AuthCodePoor}
		_, err := c.Pay(ctx, req)
		var pe *payment.Error
		if !errors.As(err, &pe) || pe.Kind != payment.KindUnknownOutcome || errors.Is(err, payment.ErrFailed) ||
			!errors.Is(err, alipayplus.ErrUnsigned) || !pe.Result.IsZero() || !strings.Contains(err.Error(), "F "+wire.CodeUserBalanceNotEnough) {
			t.Fatalf("err = %v", err)
		}
		if reqs := srv.Requests(wire.PathPay); len(reqs) != 1 || reqs[0].Result.Status != payment.ResultFailed {
			t.Fatalf("an untrusted answer ends the call: %d requests", len(reqs))
		}
	})
	t.Run("unsigned U is an unknown outcome", func(t *testing.T) {
		srv := alipayplustest.NewServer(alipayplustest.WithUnsignedFailures(true))
		defer srv.Close()
		c := newClient(t, srv)
		srv.Script(wire.PathPay, alipayplustest.Fault{Result: &payment.Result{Status: payment.ResultUnknown, Code: wire.CodeUnknownException}})
		req := request("ORDER-3", "2000 CLP")
		if _, err := c.Pay(ctx, req); !errors.Is(err, payment.ErrUnknownOutcome) || !errors.Is(err, alipayplus.ErrUnsigned) {
			t.Fatalf("err = %v", err)
		}
		if n := len(srv.Requests(wire.PathPay)); n != 1 {
			t.Fatalf("%d requests", n)
		}
		// The scripted U changed nothing: the same request creates the
		// payment once. (Resolve would inquire first, and the wallet's
		// unsigned ORDER_NOT_EXIST would keep the question open.)
		p, err := c.Pay(ctx, req)
		if err != nil || p.Status != payment.StatusPending || srv.Orders(req.PaymentRequestID) != 1 {
			t.Fatalf("again: %+v, %v", p, err)
		}
	})
}

func TestAuthCodePayIsSynchronous(t *testing.T) {
	srv := alipayplustest.NewServer()
	defer srv.Close()
	c := newClient(t, srv)
	ctx := context.Background()
	req := request("AGREEMENT-1", "150 IQD")
	req.ProviderOptions = &alipayplus.PayOptions{AuthCode: "28100103_20215703001538745", ProductCode: "51051000101000000012"}
	p, err := c.Pay(ctx, req)
	if err != nil || p.Status != payment.StatusSucceeded || p.Action != nil || p.PaidAt.IsZero() || !p.Amount.Equal(req.Amount) {
		t.Fatalf("agreement pay: %+v, %v", p, err)
	}
	if snap, _ := srv.Payment(p.PaymentID); snap.ProductCode != "51051000101000000012" {
		t.Fatalf("product code %q", snap.ProductCode)
	}
	// The repeat carries no form: the adapter inquires and finds it paid.
	again, err := c.Pay(ctx, req)
	if err != nil || again.Status != payment.StatusSucceeded || again.PaymentID != p.PaymentID {
		t.Fatalf("repeat: %+v, %v", again, err)
	}
	if n := srv.Charges(req.PaymentRequestID); n != 1 {
		t.Fatalf("charges %d", n)
	}
	for code, want := range map[string]string{
		alipayplustest.AuthCodeExpired: "EXPIRED_ACCESS_TOKEN",
		alipayplustest.AuthCodeUsed:    wire.CodeAuthCodeAlreadyUsed,
		alipayplustest.AuthCodePoor:    wire.CodeUserBalanceNotEnough,
	} {
		r := request("AGREEMENT-"+code, "150 IQD")
		r.ProviderOptions = alipayplus.PayOptions{AuthCode: code}
		_, err := c.Pay(ctx, r)
		var pe *payment.Error
		if !errors.As(err, &pe) || pe.Kind != payment.KindFailed || pe.Result.Code != want {
			t.Errorf("%s: %v", code, err)
		}
	}
}

// A repeat of a cancelled payment must not read as succeeded: the wallet
// answers REPEAT_REQUEST without a form and the inquiry tells the truth.
func TestRepeatOfACancelledPaymentReadsCancelled(t *testing.T) {
	srv := alipayplustest.NewServer()
	defer srv.Close()
	c := newClient(t, srv)
	ctx := context.Background()
	req := request("ORDER-1", "2000 CLP")
	p, err := c.Pay(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	again, err := c.Pay(ctx, req)
	if err != nil || again.PaymentID != p.PaymentID || again.Result.Code != wire.CodeRepeatRequest {
		t.Fatalf("repeat of a pending payment: %+v, %v", again, err)
	}
	isRedirectTo(t, again, srv.CashierURL(p.PaymentID))
	if _, err := c.Cancel(ctx, p.Ref()); err != nil {
		t.Fatal(err)
	}
	again, err = c.Pay(ctx, req)
	if err != nil || again.Status != payment.StatusCancelled || again.PaymentID != p.PaymentID || again.Action != nil {
		t.Fatalf("repeat of a cancelled payment: %+v, %v", again, err)
	}
	declined := request("ORDER-2", "2000 CLP")
	p2, _ := c.Pay(ctx, declined)
	_ = srv.Decline(p2.PaymentID)
	if again, err := c.Pay(ctx, declined); err != nil || again.Status != payment.StatusFailed {
		t.Fatalf("repeat of a declined payment: %+v, %v", again, err)
	}
	other := *req
	other.Amount = money.MustParse("2001 CLP")
	if _, err := c.Pay(ctx, &other); !errors.Is(err, payment.ErrIdempotencyConflict) {
		t.Fatalf("same ID, other amount: %v", err)
	}
}

// pay → complete → inquire → partial refund → full refund → over-refund.
func TestLifecycle(t *testing.T) {
	srv := alipayplustest.NewServer()
	defer srv.Close()
	c := newClient(t, srv)
	ctx := context.Background()
	req := request("ORDER-1", "1.000 KWD")
	p, err := c.Pay(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.Complete(p.PaymentID); err != nil {
		t.Fatal(err)
	}
	got, err := c.Inquire(ctx, p.Ref())
	if err != nil || got.Status != payment.StatusSucceeded || got.PaidAt.IsZero() {
		t.Fatalf("inquire after paying: %+v, %v", got, err)
	}
	byID := payment.Ref{PaymentID: p.PaymentID}
	r1, err := c.Refund(ctx, &payment.RefundRequest{RefundRequestID: "R1", Payment: byID, Amount: money.MustParse("0.400 KWD"), Reason: "one was cold"})
	if err != nil || r1.Status != payment.RefundSucceeded || r1.RefundID == "" || r1.PaymentID != p.PaymentID {
		t.Fatalf("partial refund: %+v, %v", r1, err)
	}
	// Alipay+ reports refunds per refund: the payment still reads succeeded.
	if got, _ := c.Inquire(ctx, byID); got.Status != payment.StatusSucceeded {
		t.Fatalf("after a partial refund: %s", got.Status)
	}
	byRequest := payment.Ref{PaymentRequestID: req.PaymentRequestID}
	r2, err := c.Refund(ctx, &payment.RefundRequest{RefundRequestID: "R2", Payment: byRequest, Amount: money.MustParse("0.600 KWD")})
	if err != nil {
		t.Fatalf("refund of the rest: %v", err)
	}
	if snap, _ := srv.Payment(p.PaymentID); !snap.Refunded.Equal(req.Amount) {
		t.Fatalf("the wallet refunded %s", snap.Refunded)
	}
	_, err = c.Refund(ctx, &payment.RefundRequest{RefundRequestID: "R3", Payment: byID, Amount: money.MustParse("0.001 KWD")})
	var pe *payment.Error
	if !errors.As(err, &pe) || pe.Kind != payment.KindFailed || pe.Result.Code != wire.CodeRefundAmountExceed {
		t.Fatalf("over-refund: %v", err)
	}
	for _, ref := range []payment.RefundRef{{RefundID: r2.RefundID}, {RefundRequestID: "R2"}} {
		rs, err := c.InquireRefund(ctx, ref)
		if err != nil || rs.Status != payment.RefundSucceeded || rs.RefundID != r2.RefundID || rs.RefundRequestID != "R2" || !rs.Amount.Equal(money.MustParse("0.600 KWD")) {
			t.Fatalf("inquire refund %+v: %+v, %v", ref, rs, err)
		}
	}
	if _, err := c.InquireRefund(ctx, payment.RefundRef{RefundRequestID: "NO-SUCH-REFUND"}); !errors.Is(err, payment.ErrNotFound) {
		t.Fatalf("unknown refund: %v", err)
	}
	again, err := c.Refund(ctx, &payment.RefundRequest{RefundRequestID: "R1", Payment: byID, Amount: money.MustParse("0.400 KWD")})
	if err != nil || again.RefundID != r1.RefundID {
		t.Fatalf("repeated refund: %+v, %v", again, err)
	}
	// A partly refunded payment cannot be reversed by cancel.
	if _, err := c.Cancel(ctx, byID); !errors.As(err, &pe) || pe.Kind != payment.KindFailed {
		t.Fatalf("cancel of a refunded payment: %v", err)
	}
}

func TestCancel(t *testing.T) {
	ctx := context.Background()
	t.Run("pending", func(t *testing.T) {
		srv := alipayplustest.NewServer()
		defer srv.Close()
		c := newClient(t, srv)
		p, err := c.Pay(ctx, request("ORDER-1", "150 IQD"))
		if err != nil {
			t.Fatal(err)
		}
		got, err := c.Cancel(ctx, payment.Ref{PaymentRequestID: "ORDER-1"})
		if err != nil || got.Status != payment.StatusCancelled || got.PaymentID != p.PaymentID || got.CancelledAt.IsZero() {
			t.Fatalf("cancel: %+v, %v", got, err)
		}
		if got, _ := c.Inquire(ctx, p.Ref()); got.Status != payment.StatusCancelled {
			t.Fatalf("inquire after cancel: %s", got.Status)
		}
		if err := srv.Complete(p.PaymentID); err == nil {
			t.Fatal("a cancelled payment was paid")
		}
	})
	t.Run("paid, reversed in full", func(t *testing.T) {
		srv := alipayplustest.NewServer()
		defer srv.Close()
		c := newClient(t, srv)
		p, _ := c.Pay(ctx, request("ORDER-1", "150 IQD"))
		_ = srv.Complete(p.PaymentID)
		got, err := c.Cancel(ctx, p.Ref())
		if err != nil || got.Status != payment.StatusCancelled {
			t.Fatalf("cancel of a paid payment: %+v, %v", got, err)
		}
		if snap, _ := srv.Payment(p.PaymentID); !snap.Refunded.Equal(snap.Amount) {
			t.Fatalf("reversed %s of %s", snap.Refunded, snap.Amount)
		}
		if got, _ := c.Inquire(ctx, p.Ref()); got.Status != payment.StatusCancelled {
			t.Fatalf("inquire after reversal: %s", got.Status)
		}
	})
	t.Run("paid, outside the window", func(t *testing.T) {
		clk := clock.NewFake(time.Now())
		srv := alipayplustest.NewServer(alipayplustest.WithClock(clk), alipayplustest.WithCancelWindow(time.Hour))
		defer srv.Close()
		c := newClient(t, srv, func(cfg *alipayplus.Config) { cfg.Clock = clk })
		p, _ := c.Pay(ctx, request("ORDER-1", "150 IQD"))
		_ = srv.Complete(p.PaymentID)
		clk.Advance(2 * time.Hour)
		_, err := c.Cancel(ctx, p.Ref())
		var pe *payment.Error
		if !errors.As(err, &pe) || pe.Kind != payment.KindFailed || pe.Result.Code != wire.CodeCancelWindowExceed {
			t.Fatalf("late cancel: %v", err)
		}
	})
	t.Run("unknown payment", func(t *testing.T) {
		srv := alipayplustest.NewServer()
		defer srv.Close()
		c := newClient(t, srv)
		if _, err := c.Cancel(ctx, payment.Ref{PaymentID: "NO-SUCH"}); !errors.Is(err, payment.ErrNotFound) {
			t.Fatalf("err = %v", err)
		}
	})
}

// ExpiresAt reaches the wallet as paymentExpiryTime, which closes the
// payment at that time on its clock.
func TestExpiresAtIsHonoured(t *testing.T) {
	clk := clock.NewFake(time.Now().In(time.FixedZone("", 3*3600)))
	srv := alipayplustest.NewServer(alipayplustest.WithClock(clk))
	defer srv.Close()
	c := newClient(t, srv, func(cfg *alipayplus.Config) { cfg.Clock = clk })
	ctx := context.Background()
	req := request("ORDER-1", "150 IQD")
	req.ExpiresAt = clk.Now().Add(3 * time.Minute)
	p, err := c.Pay(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	body := string(srv.Requests(wire.PathPay)[0].Body)
	if want := `"paymentExpiryTime":"` + req.ExpiresAt.Format("2006-01-02T15:04:05") + `+03:00"`; !strings.Contains(body, want) {
		t.Fatalf("body %s lacks %s", body, want)
	}
	clk.Advance(4 * time.Minute)
	if got, err := c.Inquire(ctx, p.Ref()); err != nil || got.Status != payment.StatusCancelled {
		t.Fatalf("after expiry: %+v, %v", got, err)
	}
}

// U twice then S: each attempt re-sends the same bytes.
func TestUnknownTwiceThenSuccess(t *testing.T) {
	srv := alipayplustest.NewServer()
	defer srv.Close()
	c := newClient(t, srv)
	u := &payment.Result{Status: payment.ResultUnknown, Code: wire.CodeUnknownException, Message: "busy"}
	srv.Script(wire.PathPay, alipayplustest.Fault{Result: u}, alipayplustest.Fault{Result: u})
	p, err := c.Pay(context.Background(), request("ORDER-1", "2000 CLP"))
	if err != nil || p.Status != payment.StatusPending {
		t.Fatalf("%+v, %v", p, err)
	}
	reqs := srv.Requests(wire.PathPay)
	if len(reqs) != 3 {
		t.Fatalf("%d requests, want 3", len(reqs))
	}
	for _, r := range reqs[1:] {
		if !bytes.Equal(r.Body, reqs[0].Body) {
			t.Fatal("a retry changed the body")
		}
	}
	if n := srv.Orders("ORDER-1"); n != 1 {
		t.Fatalf("orders %d", n)
	}
}

func TestPersistentUnknownIsNeverFailed(t *testing.T) {
	srv := alipayplustest.NewServer()
	defer srv.Close()
	c := newClient(t, srv)
	u := &payment.Result{Status: payment.ResultUnknown, Code: wire.CodeRefundInProcess}
	p, _ := c.Pay(context.Background(), request("ORDER-1", "2000 CLP"))
	_ = srv.Complete(p.PaymentID)
	srv.Script(wire.PathRefund, alipayplustest.Fault{Result: u}, alipayplustest.Fault{HTTPStatus: 504}, alipayplustest.Fault{DropAfter: true})
	_, err := c.Refund(context.Background(), &payment.RefundRequest{RefundRequestID: "R1", Payment: p.Ref(), Amount: money.MustParse("500 CLP")})
	if !errors.Is(err, payment.ErrUnknownOutcome) || errors.Is(err, payment.ErrFailed) {
		t.Fatalf("err = %v", err)
	}
	// The last attempt refunded: the refund is found by its request ID.
	rs, err := c.InquireRefund(context.Background(), payment.RefundRef{RefundRequestID: "R1"})
	if err != nil || rs.Status != payment.RefundSucceeded {
		t.Fatalf("inquire refund: %+v, %v", rs, err)
	}
}

// The answer is lost after the wallet created the payment: the call is an
// unknown outcome, and Resolve finds the one payment by inquiry.
func TestDroppedAnswerThenResolve(t *testing.T) {
	srv := alipayplustest.NewServer()
	defer srv.Close()
	c := newClient(t, srv)
	ctx := context.Background()
	srv.Script(wire.PathPay, alipayplustest.Fault{DropAfter: true}, alipayplustest.Fault{DropAfter: true}, alipayplustest.Fault{DropAfter: true})
	req := request("ORDER-1", "150 IQD")
	if _, err := c.Pay(ctx, req); !errors.Is(err, payment.ErrUnknownOutcome) {
		t.Fatalf("err = %v", err)
	}
	p, err := payment.Resolve(ctx, c, req)
	if err != nil || p.Status != payment.StatusPending || p.PaymentRequestID != req.PaymentRequestID {
		t.Fatalf("resolve: %+v, %v", p, err)
	}
	if err := srv.Complete(p.PaymentID); err != nil {
		t.Fatal(err)
	}
	if n, o := srv.Charges(req.PaymentRequestID), srv.Orders(req.PaymentRequestID); n != 1 || o != 1 {
		t.Fatalf("charges %d, orders %d", n, o)
	}
}

func TestContextCancelledDuringBackoffReturnsPromptly(t *testing.T) {
	srv := alipayplustest.NewServer()
	defer srv.Close()
	clk := clock.NewFake(time.Now())
	c := newClient(t, srv, func(cfg *alipayplus.Config) {
		cfg.Clock = clk
		cfg.Retry = payment.RetryPolicy{MaxAttempts: 5, BaseWait: time.Hour, MaxWait: time.Hour, MaxElapsed: 24 * time.Hour}
	})
	srv.Script(wire.PathPay, alipayplustest.Fault{HTTPStatus: 503})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		_, err := c.Pay(ctx, request("ORDER-1", "2000 CLP"))
		done <- err
	}()
	clk.BlockUntilWaiters(1) // waiting out a backoff that would last up to an hour
	cancel()
	select {
	case err := <-done:
		if !errors.Is(err, payment.ErrUnknownOutcome) || !errors.Is(err, context.Canceled) {
			t.Fatalf("err = %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Pay did not return after its context was cancelled")
	}
}

func TestTamperedAnswersAreNotTrusted(t *testing.T) {
	for name, f := range map[string]alipayplustest.Fault{
		"tampered body":  {TamperBody: true},
		"bad signature":  {BadSignature: true},
		"no signature":   {NoSignature: true},
		"changed amount": {ChangeAmount: true},
	} {
		t.Run(name, func(t *testing.T) {
			srv := alipayplustest.NewServer()
			defer srv.Close()
			c := newClient(t, srv)
			srv.Script(wire.PathPay, f)
			_, err := c.Pay(context.Background(), request("ORDER-1", "150 IQD"))
			if !errors.Is(err, payment.ErrUnknownOutcome) {
				t.Fatalf("err = %v", err)
			}
			// Inquiry answers are held to the same rules.
			srv.Script(wire.PathInquiry, f)
			if _, err := c.Inquire(context.Background(), payment.Ref{PaymentRequestID: "ORDER-1"}); name != "changed amount" && !errors.Is(err, payment.ErrUnknownOutcome) {
				t.Fatalf("inquire: %v", err)
			}
		})
	}
}

// The wallet's notifications, as sent, verify and parse with the Client as
// notification source, in both shapes.
func TestNotificationsFromTheWallet(t *testing.T) {
	for _, shape := range []string{alipayplustest.ShapeB, alipayplustest.ShapeA, alipayplustest.ShapeC} {
		t.Run("shape "+shape, func(t *testing.T) {
			var (
				mu     sync.Mutex
				events []payment.Event
				c      *alipayplus.Client
			)
			receiver := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				body, _ := io.ReadAll(r.Body)
				sentAt, err := c.VerifyNotification(r.Header, r.URL.RequestURI(), body)
				if err != nil {
					t.Errorf("verify: %v", err)
					w.WriteHeader(http.StatusUnauthorized)
					return
				}
				ev, err := c.ParseNotification(body)
				if err != nil {
					t.Errorf("parse: %v", err)
					w.WriteHeader(http.StatusBadRequest)
					return
				}
				ev.SentAt = sentAt
				mu.Lock()
				events = append(events, ev)
				mu.Unlock()
				status, ct, ack := c.Acknowledgement()
				w.Header().Set("Content-Type", ct)
				w.WriteHeader(status)
				_, _ = w.Write(ack)
			}))
			defer receiver.Close()
			srv := alipayplustest.NewServer(alipayplustest.WithNotificationShape(shape))
			defer srv.Close()
			c = newClient(t, srv)
			ctx := context.Background()
			paid := request("ORDER-PAID", "150 IQD")
			paid.NotifyURL = receiver.URL + "/notify/wallet?shop=1"
			declined := request("ORDER-DECLINED", "150 IQD")
			declined.NotifyURL = receiver.URL + "/notify/wallet"
			p1, err := c.Pay(ctx, paid)
			if err != nil {
				t.Fatal(err)
			}
			p2, err := c.Pay(ctx, declined)
			if err != nil {
				t.Fatal(err)
			}
			_ = srv.Complete(p1.PaymentID)
			_ = srv.Decline(p2.PaymentID)
			wait, cancel := context.WithTimeout(ctx, 10*time.Second)
			defer cancel()
			if err := srv.AwaitDeliveries(wait, 2); err != nil {
				t.Fatal(err)
			}
			for _, d := range srv.Deliveries() {
				if !d.Acked {
					t.Errorf("delivery %+v not acknowledged", d)
				}
			}
			mu.Lock()
			defer mu.Unlock()
			byID := map[string]payment.Event{}
			for _, ev := range events {
				byID[ev.Payment.PaymentID] = ev
			}
			if ev := byID[p1.PaymentID]; ev.Payment == nil || ev.Payment.Status != payment.StatusSucceeded || !ev.Payment.Amount.Equal(paid.Amount) ||
				ev.Payment.PaymentRequestID != paid.PaymentRequestID || ev.SentAt.IsZero() {
				t.Errorf("paid event %+v", ev)
			}
			if ev := byID[p2.PaymentID]; ev.Payment == nil || ev.Payment.Status != payment.StatusFailed {
				t.Errorf("declined event %+v", ev)
			}
			// A notification forged for another URI does not verify.
			req, err := srv.SignedNotification(p1.PaymentID, receiver.URL+"/notify/wallet")
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(req.Body)
			if _, err := c.VerifyNotification(req.Header, "/notify/other", body); err == nil {
				t.Error("a notification verified for another URI")
			}
			if _, err := c.VerifyNotification(req.Header, req.URL.RequestURI(), body); err != nil {
				t.Errorf("SignedNotification: %v", err)
			}
		})
	}
}

// Goods, buyer and merchant details pass the wallet's schema.
func TestOrderDetailsReachTheWallet(t *testing.T) {
	srv := alipayplustest.NewServer()
	defer srv.Close()
	c := newClient(t, srv)
	req := request("ORDER-1", "3000 CLP")
	req.Order = &payment.Order{
		ReferenceOrderID: "SHOP-ORDER-77",
		Merchant:         &payment.Merchant{ID: "M1", MCC: "5812", Name: "Café Uno", DisplayName: "Uno", Region: "cl", City: "Santiago"},
		Goods: []payment.Goods{
			{ID: "G1", Name: "Espresso", Category: "coffee", Quantity: 2, UnitAmount: money.MustParse("1000 CLP")},
			{ID: "G2", Name: "Water", Quantity: 1},
		},
		BuyerID: "BUYER-9",
	}
	req.ProviderOptions = alipayplus.PayOptions{ExtendInfo: `{"chinaExtraTransInfo":{"businessType":"4"}}`}
	if _, err := c.Pay(context.Background(), req); err != nil {
		t.Fatal(err)
	}
	body := string(srv.Requests(wire.PathPay)[0].Body)
	for _, want := range []string{`"referenceOrderId":"SHOP-ORDER-77"`, `"region":"CL"`, `"goodsQuantity":"2"`, `"goodsUnitAmount":{"currency":"CLP","value":"1000"}`,
		`"referenceBuyerId":"BUYER-9"`, `"env":{"osType":"ANDROID","terminalType":"MINI_APP"}`, `"extendInfo":"{\"chinaExtraTransInfo`} {
		if !strings.Contains(body, want) {
			t.Errorf("body lacks %s:\n%s", want, body)
		}
	}
}

func TestTLSWallet(t *testing.T) {
	srv := alipayplustest.NewTLSServer(alipayplustest.WithPrefix("/miniprogram/api"))
	defer srv.Close()
	c := newClient(t, srv)
	if !strings.HasPrefix(srv.Credentials().BaseURL, "https://") {
		t.Fatalf("base URL %s", srv.Credentials().BaseURL)
	}
	p, err := c.Pay(context.Background(), request("ORDER-1", "150 IQD"))
	if err != nil {
		t.Fatal(err)
	}
	isRedirectTo(t, p, srv.CashierURL(p.PaymentID))
}
