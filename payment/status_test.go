package payment_test

import (
	"testing"

	"github.com/paybridge/paybridge/payment"
)

var allStatuses = []payment.Status{
	payment.StatusPending, payment.StatusAuthorized, payment.StatusSucceeded, payment.StatusFailed,
	payment.StatusCancelled, payment.StatusPartiallyRefunded, payment.StatusRefunded,
}

// reachable is the expected result of CanBecome for every pair, written out
// by hand from DESIGN.md's table of next steps and its rule that a status
// reachable through several steps is a forward move too. It is deliberately
// not computed, so a mistake in the closure cannot hide in the test.
var reachable = map[payment.Status][]payment.Status{
	payment.StatusPending: {
		payment.StatusPending, payment.StatusAuthorized, payment.StatusSucceeded, payment.StatusFailed,
		payment.StatusCancelled, payment.StatusPartiallyRefunded, payment.StatusRefunded,
	},
	payment.StatusAuthorized: {
		payment.StatusAuthorized, payment.StatusSucceeded, payment.StatusCancelled,
		payment.StatusPartiallyRefunded, payment.StatusRefunded,
	},
	payment.StatusSucceeded: {
		payment.StatusSucceeded, payment.StatusPartiallyRefunded, payment.StatusRefunded, payment.StatusCancelled,
	},
	payment.StatusPartiallyRefunded: {payment.StatusPartiallyRefunded, payment.StatusRefunded},
	payment.StatusFailed:            {payment.StatusFailed},
	payment.StatusCancelled:         {payment.StatusCancelled},
	payment.StatusRefunded:          {payment.StatusRefunded},
}

func TestStatusCanBecomeIsReachability(t *testing.T) {
	for _, from := range allStatuses {
		want := map[payment.Status]bool{}
		for _, to := range reachable[from] {
			want[to] = true
		}
		for _, to := range allStatuses {
			if got := from.CanBecome(to); got != want[to] {
				t.Errorf("%s.CanBecome(%s) = %v, want %v", from, to, got, want[to])
			}
		}
	}
}

func TestStatusNeverMovesBackwards(t *testing.T) {
	for _, tc := range []struct{ from, to payment.Status }{
		{payment.StatusSucceeded, payment.StatusPending},
		{payment.StatusFailed, payment.StatusSucceeded},
		{payment.StatusRefunded, payment.StatusPartiallyRefunded},
		{payment.StatusPartiallyRefunded, payment.StatusSucceeded},
		{payment.StatusCancelled, payment.StatusPending},
		{payment.StatusAuthorized, payment.StatusPending},
		{payment.StatusRefunded, payment.StatusSucceeded},
		{payment.StatusRefunded, payment.StatusPending},
		{payment.StatusPartiallyRefunded, payment.StatusPending},
		{payment.StatusSucceeded, payment.StatusAuthorized},
		{payment.StatusCancelled, payment.StatusRefunded},
		{payment.StatusFailed, payment.StatusRefunded},
	} {
		t.Run(string(tc.from)+" to "+string(tc.to), func(t *testing.T) {
			if tc.from.CanBecome(tc.to) {
				t.Fatalf("%s may become %s", tc.from, tc.to)
			}
		})
	}
}

func TestStatusInvalidValues(t *testing.T) {
	if payment.Status("").Valid() || payment.Status("paid").Valid() {
		t.Fatal("invalid statuses report Valid")
	}
	if payment.StatusPending.CanBecome("paid") || payment.Status("paid").CanBecome(payment.StatusPending) ||
		payment.Status("paid").CanBecome("paid") || payment.Status("").CanBecome("") {
		t.Fatal("a move to or from an invalid status is allowed")
	}
}

func TestStatusFinalAndPaid(t *testing.T) {
	final := map[payment.Status]bool{payment.StatusFailed: true, payment.StatusCancelled: true, payment.StatusRefunded: true}
	paid := map[payment.Status]bool{payment.StatusSucceeded: true, payment.StatusPartiallyRefunded: true, payment.StatusRefunded: true}
	for _, s := range allStatuses {
		if s.Final() != final[s] {
			t.Errorf("%s.Final() = %v", s, s.Final())
		}
		if s.Paid() != paid[s] {
			t.Errorf("%s.Paid() = %v", s, s.Paid())
		}
	}
}

func TestRefundStatusOnlyMovesForward(t *testing.T) {
	all := []payment.RefundStatus{payment.RefundPending, payment.RefundSucceeded, payment.RefundFailed}
	allowed := map[[2]payment.RefundStatus]bool{
		{payment.RefundPending, payment.RefundSucceeded}: true,
		{payment.RefundPending, payment.RefundFailed}:    true,
	}
	for _, from := range all {
		for _, to := range all {
			want := from == to || allowed[[2]payment.RefundStatus{from, to}]
			if got := from.CanBecome(to); got != want {
				t.Errorf("%s.CanBecome(%s) = %v, want %v", from, to, got, want)
			}
		}
	}
	if payment.RefundSucceeded.CanBecome(payment.RefundPending) || payment.RefundFailed.CanBecome(payment.RefundSucceeded) {
		t.Fatal("a final refund moved")
	}
	if !payment.RefundSucceeded.Final() || payment.RefundPending.Final() {
		t.Fatal("Final is wrong")
	}
	if payment.RefundStatus("x").CanBecome(payment.RefundPending) {
		t.Fatal("invalid refund status moved")
	}
}

func TestScenarioActionKinds(t *testing.T) {
	want := map[payment.Scenario]payment.ActionKind{
		payment.ScenarioQRCode:      payment.ActionShowQR,
		payment.ScenarioWeb:         payment.ActionRedirect,
		payment.ScenarioJSAPI:       payment.ActionRedirect,
		payment.ScenarioNativeJSAPI: payment.ActionInvokeSDK,
		payment.ScenarioH5:          payment.ActionRedirect,
		payment.ScenarioApp:         payment.ActionInvokeSDK,
		payment.ScenarioMiniProgram: payment.ActionInvokeSDK,
		payment.ScenarioCreditCard:  payment.ActionNone,
		payment.ScenarioInStoreQR:   payment.ActionShowQR,
		payment.ScenarioInStoreScan: payment.ActionNone,
		payment.ScenarioCashier:     payment.ActionRedirect,
	}
	if len(payment.Scenarios()) != len(want) {
		t.Fatalf("Scenarios() has %d, want %d", len(payment.Scenarios()), len(want))
	}
	for _, s := range payment.Scenarios() {
		if got := s.ActionKind(); got != want[s] {
			t.Errorf("%s.ActionKind() = %q, want %q", s, got, want[s])
		}
		if !s.Valid() {
			t.Errorf("%s is not Valid", s)
		}
	}
	if payment.Scenario("ONLINE_QRCODE").Valid() {
		t.Error("a provider code is accepted as a neutral scenario")
	}
}
