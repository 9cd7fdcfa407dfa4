package alphapay_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"image/png"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/paybridge/paybridge/clock"
	"github.com/paybridge/paybridge/money"
	"github.com/paybridge/paybridge/payment"
	"github.com/paybridge/paybridge/providers/alphapay"
	"github.com/paybridge/paybridge/providers/alphapay/alphapaytest"
	"github.com/paybridge/paybridge/providers/alphapay/internal/wire"
)

func newClient(t testing.TB, srv *alphapaytest.Server, mutate ...func(*alphapay.Config)) *alphapay.Client {
	t.Helper()
	cr := srv.Credentials()
	cfg := alphapay.Config{
		BaseURL: cr.BaseURL, MerchantCode: cr.MerchantCode,
		PrivateKey: cr.MerchantPrivateKey, AlphaPayPublicKey: cr.AlphaPayPublicKey,
		HTTPClient: srv.Client(),
		Retry:      payment.RetryPolicy{MaxAttempts: 3, BaseWait: time.Millisecond, MaxWait: 5 * time.Millisecond},
	}
	for _, m := range mutate {
		m(&cfg)
	}
	c, err := alphapay.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func request(s payment.Scenario) *payment.PayRequest {
	req := &payment.PayRequest{
		PaymentRequestID: "ORDER-" + string(s),
		Scenario:         s,
		Amount:           money.MustParse("19.99 CAD"),
		Description:      "Green tea x2",
		Method:           payment.MethodWeChatPay,
		RedirectURL:      "https://merchant.example/done",
	}
	switch s {
	case payment.ScenarioWeb:
		req.Method = payment.MethodAlipay
	case payment.ScenarioInStoreScan:
		req.Method, req.PaymentCode = "", "134567890123456789"
	case payment.ScenarioInStoreQR:
		req.Method = ""
	case payment.ScenarioMiniProgram, payment.ScenarioNativeJSAPI:
		req.Customer = &payment.Customer{AppID: "wx8888888888888888", PayerID: "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o"}
	case payment.ScenarioApp:
		req.Device = &payment.Device{OS: payment.OSIOS, Version: "17.2"}
	case payment.ScenarioCreditCard:
		req.Method = ""
		req.Card = &payment.Card{Number: "4111111111111111", ExpMonth: 12, ExpYear: 2030, CVV: "737", Holder: "Ada L"}
	}
	return req
}

// Every scenario end to end: pay → the right Action → the customer pays →
// Succeeded → partial refund → full refund; an over-refund fails; cancelling
// the paid order fails with ORDER_PAID.
func TestEveryScenarioEndToEnd(t *testing.T) {
	srv := alphapaytest.NewServer()
	defer srv.Close()
	c := newClient(t, srv)
	ctx := context.Background()
	for _, s := range c.Capabilities().Scenarios {
		t.Run(string(s), func(t *testing.T) {
			req := request(s)
			p, err := c.Pay(ctx, req)
			if err != nil {
				t.Fatal(err)
			}
			if p.Status != payment.StatusPending || p.PaymentID == "" || !p.Amount.Equal(req.Amount) {
				t.Fatalf("pay: %+v", p)
			}
			checkAction(t, s, p.Action)

			if err := srv.Complete(p.PaymentID); err != nil {
				t.Fatal(err)
			}
			got, err := c.Inquire(ctx, p.Ref())
			if err != nil || got.Status != payment.StatusSucceeded || got.PaidAt.IsZero() || !got.Amount.Equal(req.Amount) {
				t.Fatalf("inquire after paying: %+v, %v", got, err)
			}

			ref := payment.Ref{PaymentID: p.PaymentID}
			r1, err := c.Refund(ctx, &payment.RefundRequest{RefundRequestID: "R1-" + string(s), Payment: ref, Amount: money.MustParse("5.00 CAD"), Reason: "one cold"})
			if err != nil || r1.Status != payment.RefundSucceeded {
				t.Fatalf("partial refund: %+v, %v", r1, err)
			}
			if got, _ := c.Inquire(ctx, ref); got.Status != payment.StatusPartiallyRefunded {
				t.Fatalf("after partial refund: %s", got.Status)
			}
			_, err = c.Refund(ctx, &payment.RefundRequest{RefundRequestID: "R-over-" + string(s), Payment: ref, Amount: money.MustParse("15.00 CAD")})
			var pe *payment.Error
			if !errors.As(err, &pe) || pe.Result.Code != wire.CodeInvalidRefundAmount || payment.KindOf(err) == payment.KindUnknownOutcome {
				t.Fatalf("over-refund: %v", err)
			}
			r2, err := c.Refund(ctx, &payment.RefundRequest{RefundRequestID: "R2-" + string(s), Payment: ref, Amount: money.MustParse("14.99 CAD")})
			if err != nil {
				t.Fatal(err)
			}
			if got, _ := c.Inquire(ctx, ref); got.Status != payment.StatusRefunded {
				t.Fatalf("after full refund: %s", got.Status)
			}
			rs, err := c.InquireRefund(ctx, payment.RefundRef{RefundID: r2.RefundID})
			if err != nil || rs.Status != payment.RefundSucceeded || !rs.Amount.Equal(money.MustParse("14.99 CAD")) || rs.PaymentID != p.PaymentID {
				t.Fatalf("inquire refund: %+v, %v", rs, err)
			}
			_, err = c.Cancel(ctx, ref)
			if !errors.As(err, &pe) || pe.Result.Code != wire.CodeOrderPaid || !errors.Is(err, payment.ErrFailed) {
				t.Fatalf("cancel of a paid order: %v", err)
			}
		})
	}
}

func checkAction(t *testing.T, s payment.Scenario, a *payment.Action) {
	t.Helper()
	switch s.ActionKind() {
	case payment.ActionNone:
		if a != nil {
			t.Fatalf("%s: unexpected action %+v", s, a)
		}
		return
	case payment.ActionShowQR:
		if a == nil || a.Kind != payment.ActionShowQR || a.QRCode == "" {
			t.Fatalf("%s: action %+v", s, a)
		}
		img, ok := strings.CutPrefix(a.QRImage, "data:image/png;base64,")
		if !ok {
			t.Fatalf("QRImage is not a PNG data URI: %.40s", a.QRImage)
		}
		raw, err := base64.StdEncoding.DecodeString(img)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := png.Decode(bytes.NewReader(raw)); err != nil {
			t.Fatalf("QR image does not decode: %v", err)
		}
	case payment.ActionRedirect:
		if a == nil || a.Kind != payment.ActionRedirect || a.HTTPMethod != "GET" {
			t.Fatalf("%s: action %+v", s, a)
		}
		u, err := url.Parse(a.URL)
		if err != nil || u.Host == "" {
			t.Fatalf("%s: redirect URL %q", s, a.URL)
		}
		if s == payment.ScenarioWeb && u.Query().Get("redirect") != "https://merchant.example/done" {
			t.Fatalf("PC web redirect lacks the return URL: %s", a.URL)
		}
	case payment.ActionInvokeSDK:
		if a == nil || a.Kind != payment.ActionInvokeSDK || len(a.SDKParams) == 0 {
			t.Fatalf("%s: action %+v", s, a)
		}
	}
}

// A card payment returns the card's token (card.cardId); a remembered card's
// token pays again as Card.Token for the same customer. The token never
// shows in full when the payment is printed.
func TestCardTokenPaysAgain(t *testing.T) {
	srv := alphapaytest.NewServer()
	defer srv.Close()
	c := newClient(t, srv)
	ctx := context.Background()
	first := request(payment.ScenarioCreditCard)
	first.PaymentRequestID = "ORDER-CARD-1"
	first.Card.Remember, first.Card.CustomerID, first.Card.Email = true, "C001", "ada@example.com"
	p, err := c.Pay(ctx, first)
	if err != nil {
		t.Fatal(err)
	}
	if p.CardToken == "" {
		t.Fatalf("no card token: %+v", p)
	}
	token := string(p.CardToken)
	for _, out := range []string{fmt.Sprintf("%v", p), fmt.Sprintf("%+v", *p), fmt.Sprintf("%#v", p)} {
		if strings.Contains(out, token) {
			t.Fatalf("the payment shows its card token: %s", out)
		}
	}
	again := request(payment.ScenarioCreditCard)
	again.PaymentRequestID = "ORDER-CARD-2"
	again.Card = &payment.Card{Token: token, CustomerID: "C001"}
	p2, err := c.Pay(ctx, again)
	if err != nil {
		t.Fatal(err)
	}
	if string(p2.CardToken) != token {
		t.Fatalf("second payment's token %v, want the saved card's", p2.CardToken)
	}
	reqs := srv.Requests(wire.PathPay)
	if body := reqs[len(reqs)-1].Body; !bytes.Contains(body, []byte(`"card":{"cardId":"`+token+`","customerId":"C001"}`)) {
		t.Fatalf("the saved card was not sent as card.cardId: %s", body)
	}
	once := request(payment.ScenarioCreditCard)
	once.PaymentRequestID = "ORDER-CARD-3"
	p3, err := c.Pay(ctx, once)
	if err != nil || p3.CardToken == "" || string(p3.CardToken) == token {
		t.Fatalf("a card not remembered: %+v, %v; want a token of its own", p3, err)
	}
}

func TestCancelPendingCloses(t *testing.T) {
	srv := alphapaytest.NewServer()
	defer srv.Close()
	c := newClient(t, srv)
	ctx := context.Background()
	p, err := c.Pay(ctx, request(payment.ScenarioQRCode))
	if err != nil {
		t.Fatal(err)
	}
	got, err := c.Cancel(ctx, p.Ref())
	if err != nil || got.Status != payment.StatusCancelled || got.CancelledAt.IsZero() {
		t.Fatalf("cancel: %+v, %v", got, err)
	}
	if again, err := c.Cancel(ctx, p.Ref()); err != nil || again.Status != payment.StatusCancelled {
		t.Fatalf("second cancel: %+v, %v", again, err)
	}
	if got, _ := c.Inquire(ctx, p.Ref()); got.Status != payment.StatusCancelled {
		t.Fatalf("inquire after cancel: %s", got.Status)
	}
	// The key is spent: a replay is F ORDER_CLOSED (no money was taken).
	_, err = c.Pay(ctx, request(payment.ScenarioQRCode))
	var pe *payment.Error
	if !errors.As(err, &pe) || pe.Result.Code != wire.CodeOrderClosed {
		t.Fatalf("replay of a closed order: %v", err)
	}
}

// A dropped connection after AlphaPay created the order: the retry re-sends
// the identical request and meets the same order; one charge.
func TestDroppedAnswerThenRetryMeetsTheSameOrder(t *testing.T) {
	srv := alphapaytest.NewServer()
	defer srv.Close()
	c := newClient(t, srv)
	srv.Script(wire.PathPay, alphapaytest.Fault{DropAfter: true})
	req := request(payment.ScenarioQRCode)
	p, err := c.Pay(context.Background(), req)
	if err != nil {
		t.Fatalf("the retry should have found the order: %v", err)
	}
	reqs := srv.Requests(wire.PathPay)
	if len(reqs) != 2 || !bytes.Equal(reqs[0].Body, reqs[1].Body) {
		t.Fatalf("%d requests, bodies equal: %v", len(reqs), len(reqs) == 2 && bytes.Equal(reqs[0].Body, reqs[1].Body))
	}
	if snap, _ := srv.PaymentByRequestID(req.PaymentRequestID); snap.PaymentID != p.PaymentID {
		t.Fatalf("simulator holds %s, adapter returned %s", snap.PaymentID, p.PaymentID)
	}
	if err := srv.Complete(p.PaymentID); err != nil {
		t.Fatal(err)
	}
	if n, o := srv.Charges(req.PaymentRequestID), srv.Orders(req.PaymentRequestID); n != 1 || o != 1 {
		t.Fatalf("charges %d, orders %d", n, o)
	}
}

// U twice then success: each attempt is freshly signed (new nonce and
// time) over the same bytes.
func TestRetriesAreFreshlySigned(t *testing.T) {
	srv := alphapaytest.NewServer()
	defer srv.Close()
	c := newClient(t, srv)
	u := &payment.Result{Code: wire.CodeUnknownException, Status: payment.ResultUnknown, Message: "busy"}
	srv.Script(wire.PathPay, alphapaytest.Fault{Result: u}, alphapaytest.Fault{Result: u})
	if _, err := c.Pay(context.Background(), request(payment.ScenarioJSAPI)); err != nil {
		t.Fatal(err)
	}
	reqs := srv.Requests(wire.PathPay)
	if len(reqs) != 3 {
		t.Fatalf("%d requests, want 3", len(reqs))
	}
	nonces := map[string]bool{}
	for _, r := range reqs {
		if nonces[r.Nonce] {
			t.Fatalf("nonce %s reused", r.Nonce)
		}
		nonces[r.Nonce] = true
		if !bytes.Equal(r.Body, reqs[0].Body) {
			t.Fatal("a retry changed the body")
		}
	}
}

func TestFailedAnswerIsSentOnce(t *testing.T) {
	srv := alphapaytest.NewServer()
	defer srv.Close()
	c := newClient(t, srv)
	srv.Script(wire.PathPay, alphapaytest.Fault{Result: &payment.Result{Code: wire.CodeInvalidMethodType, Status: payment.ResultFailed}})
	_, err := c.Pay(context.Background(), request(payment.ScenarioQRCode))
	if !errors.Is(err, payment.ErrInvalidRequest) || len(srv.Requests(wire.PathPay)) != 1 {
		t.Fatalf("err %v after %d requests", err, len(srv.Requests(wire.PathPay)))
	}
}

func TestPersistentUnknownAndTimeoutsAreNeverFailed(t *testing.T) {
	srv := alphapaytest.NewServer()
	defer srv.Close()
	c := newClient(t, srv)
	u := &payment.Result{Code: wire.CodeUnknownException, Status: payment.ResultUnknown}
	srv.Script(wire.PathPay, alphapaytest.Fault{Result: u}, alphapaytest.Fault{HTTPStatus: 504}, alphapaytest.Fault{DropAfter: true})
	_, err := c.Pay(context.Background(), request(payment.ScenarioH5))
	if !errors.Is(err, payment.ErrUnknownOutcome) || errors.Is(err, payment.ErrFailed) {
		t.Fatalf("err = %v", err)
	}
	// The last attempt created the order: Resolve finds it, one order.
	p, err := payment.Resolve(context.Background(), c, request(payment.ScenarioH5))
	if err != nil || p.Status != payment.StatusPending {
		t.Fatalf("resolve: %+v, %v", p, err)
	}
	if o := srv.Orders("ORDER-" + string(payment.ScenarioH5)); o != 1 {
		t.Fatalf("orders = %d", o)
	}
}

func TestContextCancelledDuringBackoffReturnsPromptly(t *testing.T) {
	srv := alphapaytest.NewServer()
	defer srv.Close()
	clk := clock.NewFake(time.Now())
	c := newClient(t, srv, func(cfg *alphapay.Config) {
		cfg.Clock = clk
		cfg.Retry = payment.RetryPolicy{MaxAttempts: 5, BaseWait: time.Hour, MaxWait: time.Hour, MaxElapsed: 24 * time.Hour}
	})
	srv.Script(wire.PathPay, alphapaytest.Fault{HTTPStatus: 503})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		_, err := c.Pay(ctx, request(payment.ScenarioQRCode))
		done <- err
	}()
	clk.BlockUntilWaiters(1) // waiting out a backoff that would last up to an hour
	cancel()
	if err := <-done; !errors.Is(err, payment.ErrUnknownOutcome) || !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v", err)
	}
}

func TestTamperedOrUnsignedAnswersAreNotTrusted(t *testing.T) {
	for name, f := range map[string]alphapaytest.Fault{
		"tampered body":  {TamperBody: true},
		"bad signature":  {BadSignature: true},
		"no signature":   {NoSignature: true},
		"changed amount": {ChangeAmount: true},
	} {
		t.Run(name, func(t *testing.T) {
			srv := alphapaytest.NewServer()
			defer srv.Close()
			c := newClient(t, srv)
			srv.Script(wire.PathPay, f)
			_, err := c.Pay(context.Background(), request(payment.ScenarioQRCode))
			if !errors.Is(err, payment.ErrUnknownOutcome) {
				t.Fatalf("err = %v", err)
			}
		})
	}
}

func TestTinyCNYOrderFailsWhenPaid(t *testing.T) {
	srv := alphapaytest.NewServer()
	defer srv.Close()
	c := newClient(t, srv)
	req := request(payment.ScenarioQRCode)
	req.Amount = money.MustParse("0.05 CNY")
	p, err := c.Pay(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	_ = srv.Complete(p.PaymentID)
	got, err := c.Inquire(context.Background(), p.Ref())
	if err != nil || got.Status != payment.StatusFailed {
		t.Fatalf("tiny CNY order: %+v, %v", got, err)
	}
}

// The transactions report reads the row shape AlphaPay documents and the
// official SDK models (model/beans/Transaction.java), which the simulator
// serves.
func TestTransactions(t *testing.T) {
	srv := alphapaytest.NewServer()
	defer srv.Close()
	c := newClient(t, srv)
	ctx := context.Background()
	p, err := c.Pay(ctx, request(payment.ScenarioQRCode))
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.Complete(p.PaymentID); err != nil {
		t.Fatal(err)
	}
	r, err := c.Refund(ctx, &payment.RefundRequest{RefundRequestID: "R-TX", Payment: p.Ref(), Amount: money.MustParse("5.00 CAD")})
	if err != nil {
		t.Fatal(err)
	}
	snap, _ := srv.Payment(p.PaymentID)
	page, err := c.Transactions(ctx, alphapay.TransactionsRequest{Date: alphapay.TransactionDate(snap.PaidAt), Page: 1, PageLimit: 10})
	if err != nil {
		t.Fatal(err)
	}
	if page.Total != 2 || page.TotalPages != 1 || page.Page != 1 || page.PageLimit != 10 || len(page.Transactions) != 2 {
		t.Fatalf("page %+v", page)
	}
	byID := map[string]alphapay.Transaction{}
	for _, tx := range page.Transactions {
		byID[tx.TransactionID] = tx
	}
	credit, debit := byID[p.PaymentID], byID[r.RefundID]
	if credit.Type != alphapay.TransactionsCredit || credit.RequestID != p.PaymentRequestID || !credit.Amount.Equal(p.Amount) ||
		!credit.SettleAmount.Equal(p.Amount) || credit.ExchangeRate != "1" || credit.Method != payment.MethodWeChatPay ||
		!credit.CompletedAt.Equal(snap.PaidAt.Truncate(time.Second)) || credit.CreatedAt.IsZero() {
		t.Errorf("payment row %+v", credit)
	}
	if debit.Type != alphapay.TransactionsDebit || debit.RequestID != "R-TX" || !debit.Amount.Equal(money.MustParse("5.00 CAD")) {
		t.Errorf("refund row %+v", debit)
	}
	credits, err := c.Transactions(ctx, alphapay.TransactionsRequest{Date: alphapay.TransactionDate(snap.PaidAt), Page: 1, PageLimit: 10, Type: alphapay.TransactionsCredit})
	if err != nil || credits.Total != 1 || credits.Transactions[0].TransactionID != p.PaymentID {
		t.Fatalf("credits: %+v, %v", credits, err)
	}
}

// The report's date is the day in UTC−8, whatever zone the time is in.
func TestTransactionDate(t *testing.T) {
	for in, want := range map[time.Time]string{
		time.Date(2026, 11, 23, 7, 59, 0, 0, time.UTC):                      "20261122",
		time.Date(2026, 11, 23, 8, 0, 0, 0, time.UTC):                       "20261123",
		time.Date(2026, 7, 1, 0, 30, 0, 0, time.FixedZone("PDT", -7*60*60)): "20260630",
		time.Date(2026, 11, 23, 9, 0, 0, 0, time.FixedZone("CST", 8*60*60)): "20261122",
	} {
		if got := alphapay.TransactionDate(in); got != want {
			t.Errorf("TransactionDate(%v) = %s, want %s", in, got, want)
		}
	}
}
