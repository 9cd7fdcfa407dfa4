package alipayfamily

import (
	"encoding/json"
	"errors"
	"maps"

	"github.com/paybridge/paybridge/payment"
	"github.com/paybridge/paybridge/payment/driver"
)

// Result is the result object every answer (and some notifications)
// carries.
type Result struct {
	ResultCode    string `json:"resultCode"`
	ResultStatus  string `json:"resultStatus"`
	ResultMessage string `json:"resultMessage,omitempty"`
}

// Neutral returns r as a payment.Result: status, code and message as sent.
func (r Result) Neutral() payment.Result {
	return payment.Result{Status: payment.ResultStatus(r.ResultStatus), Code: r.ResultCode, Message: r.ResultMessage}
}

// Result statuses: S succeeded, F failed, U unknown, A accepted (further
// action needed: open the cashier).
const (
	StatusS = "S"
	StatusF = "F"
	StatusU = "U"
	StatusA = "A"
)

// The result codes the family shares (the Alipay+ common error codes;
// Antom's use the same names). An adapter names its own codes beside them.
const (
	CodeSuccess                 = "SUCCESS"
	CodeAccept                  = "ACCEPT"
	CodeRepeatRequest           = "REPEAT_REQUEST"
	CodeUnknownException        = "UNKNOWN_EXCEPTION"
	CodeTrafficExceedLimit      = "REQUEST_TRAFFIC_EXCEED_LIMIT"
	CodePaymentInProcess        = "PAYMENT_IN_PROCESS"
	CodeRefundInProcess         = "REFUND_IN_PROCESS"
	CodeRepeatReqInconsistent   = "REPEAT_REQ_INCONSISTENT"
	CodeProcessFail             = "PROCESS_FAIL"
	CodeParamIllegal            = "PARAM_ILLEGAL"
	CodeInvalidAPI              = "INVALID_API"
	CodeAccessDenied            = "ACCESS_DENIED"
	CodeMsgParseError           = "MSG_PARSE_ERROR"
	CodeInvalidClient           = "INVALID_CLIENT"
	CodeInvalidSignature        = "INVALID_SIGNATURE"
	CodeKeyNotFound             = "KEY_NOT_FOUND"
	CodeRequestTimeInvalid      = "REQUEST_TIME_INVALID"
	CodePaymentAmountExceed     = "PAYMENT_AMOUNT_EXCEED_LIMIT"
	CodeUserBalanceNotEnough    = "USER_BALANCE_NOT_ENOUGH"
	CodeRiskReject              = "RISK_REJECT"
	CodeCurrencyNotSupport      = "CURRENCY_NOT_SUPPORT"
	CodeOrderStatusInvalid      = "ORDER_STATUS_INVALID"
	CodeOrderNotExist           = "ORDER_NOT_EXIST"
	CodeCancelWindowExceed      = "CANCEL_WINDOW_EXCEED"
	CodeRefundWindowExceed      = "REFUND_WINDOW_EXCEED"
	CodeRefundAmountExceed      = "REFUND_AMOUNT_EXCEED"
	CodeRefundNotExist          = "REFUND_NOT_EXIST"
	CodePartnerBalanceNotEnough = "PARTNER_BALANCE_NOT_ENOUGH"
	CodeInvalidAccessToken      = "INVALID_ACCESS_TOKEN"
	CodeAuthCodeAlreadyUsed     = "AUTH_CODE_ALREADY_USED"
)

// Reasons maps F result codes to what they mean in neutral terms; a code
// it does not list is driver.Declined (kind failed). The engine maps
// reasons to error kinds, the same for every provider.
type Reasons map[string]driver.Reason

// standard is the family's table; StandardReasons hands out copies.
var standard = Reasons{
	CodeRepeatReqInconsistent: driver.Conflict,
	CodeOrderNotExist:         driver.NotFound,
	CodeRefundNotExist:        driver.NotFound,
	CodeParamIllegal:          driver.Invalid,
	CodeMsgParseError:         driver.Invalid,
	CodeCurrencyNotSupport:    driver.Unsupported,
	CodeRefundAmountExceed:    driver.OverRefund,
	CodeOrderStatusInvalid:    driver.WrongState,
	CodeCancelWindowExceed:    driver.WrongState,
	CodeRefundWindowExceed:    driver.WrongState,
}

// StandardReasons returns the family's table, a new map each call:
//
//	REPEAT_REQ_INCONSISTENT                 Conflict
//	ORDER_NOT_EXIST, REFUND_NOT_EXIST       NotFound
//	PARAM_ILLEGAL, MSG_PARSE_ERROR          Invalid
//	CURRENCY_NOT_SUPPORT                    Unsupported
//	REFUND_AMOUNT_EXCEED                    OverRefund
//	ORDER_STATUS_INVALID, CANCEL_WINDOW_EXCEED,
//	REFUND_WINDOW_EXCEED                    WrongState
//
// Every other code (PROCESS_FAIL, ACCESS_DENIED, INVALID_SIGNATURE,
// RISK_REJECT, USER_BALANCE_NOT_ENOUGH, …) is Declined. An adapter adds the
// codes only its provider has with With.
func StandardReasons() Reasons { return maps.Clone(standard) }

// With returns a copy of r with extra added; a code in both takes extra's
// reason. r itself is not changed.
func (r Reasons) With(extra map[string]driver.Reason) Reasons {
	out := make(Reasons, len(r)+len(extra))
	maps.Copy(out, r)
	maps.Copy(out, extra)
	return out
}

// ErrNoResult is returned by Classify and Decode for an answer without a
// result status: not an answer the protocol defines, so nothing can be
// read from it (the engine treats it like a lost answer).
var ErrNoResult = errors.New("no result status")

// Classify reads a result object for operation op (payment.OpPay, …) with
// driver.Classify and the table r: S is Done, U Pending, F Refused with
// r's reason, any other status Pending. A is Done on pay only (open the
// cashier): an A answer to any other call says nothing definite and leaves
// the question open like U. A result without a status is ErrNoResult.
func (r Reasons) Classify(res Result, op string) (driver.Verdict, error) {
	if res.ResultStatus == "" {
		return driver.Verdict{}, ErrNoResult
	}
	v := driver.Classify(res.Neutral(), r)
	if op != payment.OpPay && res.ResultStatus == StatusA {
		v.Outcome = driver.Pending
	}
	return v, nil
}

// Decode unmarshals an answer's body once into resp, whose result object
// is *res, and classifies the result for op:
//
//	var resp wire.InquiryResponse
//	v, err := reasons.Decode(a.Body, &resp, &resp.Result, payment.OpInquire)
//
// An error means the body could not be read.
func (r Reasons) Decode(body []byte, resp any, res *Result, op string) (driver.Verdict, error) {
	if err := json.Unmarshal(body, resp); err != nil {
		return driver.Verdict{}, err
	}
	return r.Classify(*res, op)
}
