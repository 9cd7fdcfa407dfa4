package familytest

import (
	"reflect"

	"github.com/paybridge/paybridge/payment"
	"github.com/paybridge/paybridge/providers/alipayfamily"
	"github.com/paybridge/paybridge/simulator"
)

// Protocol is what the family's simulators share of a simulator.Protocol:
// the envelope (AnswerHeaders, NotificationHeaders, FormatSignature),
// request IDs, the result-only answer, verification of a request to one
// of Paths, and the ChangeAmount fault. A simulator embeds it and adds
// Route and Process, and Alter where its answers vary.
type Protocol struct {
	*Envelope
	// Paths are the API endpoints, as Route gives them; a request to any
	// other path is answered INVALID_API.
	Paths map[string]bool
}

// RequestID reads a refund's or a payment's request ID.
func (p *Protocol) RequestID(_ string, body []byte) string {
	return simulator.JSONField(body, "refundRequestId", "paymentRequestId")
}

// Redact keeps bodies as they are: the family's requests here carry no
// card data.
func (p *Protocol) Redact(_ string, body []byte) []byte { return body }

// ResultOnly writes a result, scripted ones too.
func (p *Protocol) ResultOnly(r payment.Result) any { return ResultOnly(r) }

// Verify refuses a request to an unknown path (INVALID_API) or with a body
// over simulator.MaxBody (PARAM_ILLEGAL), then checks its envelope.
func (p *Protocol) Verify(in *simulator.Incoming) *payment.Result {
	var bad *Result
	switch {
	case !p.Paths[in.Path]:
		bad = Failp(alipayfamily.CodeInvalidAPI, "no API at this path")
	case in.TooLarge:
		bad = Failp(alipayfamily.CodeParamIllegal, "request body is too large")
	default:
		bad = p.Envelope.Verify(in.Request, in.Body)
	}
	if bad == nil {
		return nil
	}
	res := bad.Neutral()
	return &res
}

// Alter applies the ChangeAmount fault (BumpAmounts).
func (p *Protocol) Alter(answer any, f simulator.Fault) {
	if f.ChangeAmount {
		BumpAmounts(answer)
	}
}

var amountPtr = reflect.TypeOf((*alipayfamily.Amount)(nil))

// BumpAmounts raises every amount an answer (a pointer to a struct)
// states, in it or in the exported structs it embeds, by one minor unit:
// the ChangeAmount fault. The amounts must be the answer's own copies.
// Unexported fields are left alone (reflection may not set them).
func BumpAmounts(answer any) {
	if v := reflect.ValueOf(answer); v.Kind() == reflect.Pointer && !v.IsNil() && v.Elem().Kind() == reflect.Struct {
		bumpAmounts(v.Elem())
	}
}

func bumpAmounts(v reflect.Value) {
	for i := 0; i < v.NumField(); i++ {
		f, sf := v.Field(i), v.Type().Field(i)
		switch {
		case !sf.IsExported():
		case sf.Type == amountPtr && !f.IsNil():
			a := f.Elem().FieldByName("Value")
			a.SetString(simulator.BumpMinor(a.String()))
		case sf.Anonymous && f.Kind() == reflect.Struct:
			bumpAmounts(f)
		}
	}
}

// Handle decodes body strictly into a new T and hands it to h: a
// simulator's Process, one endpoint at a time.
func Handle[T any](schema *simulator.Schema, body []byte, h func(*T) (any, *Result)) (any, *Result) {
	var req T
	if _, res := Decode(schema, body, &req); res != nil {
		return nil, res
	}
	return h(&req)
}
