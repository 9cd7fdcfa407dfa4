package alipayplustest

import "github.com/paybridge/paybridge/providers/alipayplus/internal/wire"

// The API endpoint paths (without the prefix), for Script and Requests from
// code that cannot import the adapter's internal wire package.
const (
	PathPay           = wire.PathPay
	PathInquiry       = wire.PathInquiry
	PathCancel        = wire.PathCancel
	PathRefund        = wire.PathRefund
	PathInquiryRefund = wire.PathInquiryRefund
)
