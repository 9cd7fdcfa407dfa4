package payment

// ResultStatus is a provider's verdict on one call: S, F, U or A.
type ResultStatus string

// The result statuses both supported protocols use.
const (
	ResultSucceeded ResultStatus = "S" // the call did what it was asked
	ResultFailed    ResultStatus = "F" // the call failed; final for that request ID
	ResultUnknown   ResultStatus = "U" // unknown or in process; inquire or retry the same request
	ResultAccepted  ResultStatus = "A" // accepted; further action (such as the cashier) is needed
)

// Result is a provider's raw result object, kept on payments, refunds and
// errors so that support staff can see exactly what the provider said.
type Result struct {
	Status  ResultStatus
	Code    string // e.g. "SUCCESS", "ORDER_PAID", "UNKNOWN_EXCEPTION"
	Message string // the provider's text; never contains our secrets
}

// IsZero reports whether r holds no answer.
func (r Result) IsZero() bool { return r == Result{} }

// String formats r as "CODE (S) message".
func (r Result) String() string {
	s := r.Code
	if r.Status != "" {
		if s != "" {
			s += " "
		}
		s += "(" + string(r.Status) + ")"
	}
	if r.Message != "" {
		if s != "" {
			s += " "
		}
		s += r.Message
	}
	return s
}
