package alipayfamily

import (
	"fmt"

	"github.com/paybridge/paybridge/payment"
)

// The family's transaction statuses (paymentStatus, refundStatus): the
// SDK's TransactionStatusType (model/TransactionStatusType.go of
// github.com/alipay/global-open-sdk-go) and the Alipay+ wallets'
// AUTH_SUCCESS.
var (
	paymentStatuses = map[string]payment.Status{
		"PROCESSING":   payment.StatusPending,
		"PENDING":      payment.StatusPending,
		"AUTH_SUCCESS": payment.StatusAuthorized,
		"SUCCESS":      payment.StatusSucceeded,
		"FAIL":         payment.StatusFailed,
		"CANCELLED":    payment.StatusCancelled,
	}
	refundStatuses = map[string]payment.RefundStatus{
		"PROCESSING": payment.RefundPending,
		"PENDING":    payment.RefundPending,
		"SUCCESS":    payment.RefundSucceeded,
		"FAIL":       payment.RefundFailed,
	}
)

// PaymentStatus reads a paymentStatus; an unknown one is an error (a
// status is never guessed).
func PaymentStatus(s string) (payment.Status, error) {
	if st, ok := paymentStatuses[s]; ok {
		return st, nil
	}
	return "", fmt.Errorf("unknown paymentStatus %q", Clip(s))
}

// RefundStatus reads a refundStatus; an unknown one is an error.
func RefundStatus(s string) (payment.RefundStatus, error) {
	if st, ok := refundStatuses[s]; ok {
		return st, nil
	}
	return "", fmt.Errorf("unknown refundStatus %q", Clip(s))
}

// Clip cuts a value taken from an answer or a notification to a length
// fit for an error message.
func Clip(s string) string {
	if len(s) > 32 {
		return s[:32] + "…"
	}
	return s
}
