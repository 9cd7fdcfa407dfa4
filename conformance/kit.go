package conformance

import (
	"fmt"

	"github.com/paybridge/paybridge/payment"
	"github.com/paybridge/paybridge/simulator"
)

// KitFault returns the fault of the simulator kit (package simulator) that
// makes the provider fault f, for the delegate of a FaultTransport in front
// of a simulator built on the kit:
//
//	sf, err := conformance.KitFault(f, ordinary)
//	if err == nil {
//		srv.Script(paths[op], sf)
//	}
//	return err
//
// A scripted result is answered signed, with f's code or, for an empty one,
// ordinary[f.Status]: the provider's ordinary code for that status. A
// missing or bad signature and a changed amount are the kit's own faults.
// Transport kinds, which FaultTransport makes itself, are
// ErrFaultUnsupported.
func KitFault(f Fault, ordinary map[payment.ResultStatus]string) (simulator.Fault, error) {
	var sf simulator.Fault
	switch f.Kind {
	case FaultResult:
		code := f.Code
		if code == "" {
			code = ordinary[f.Status]
		}
		sf.Result = &payment.Result{Status: f.Status, Code: code, Message: "scripted"}
	case FaultNoSignature:
		sf.NoSignature = true
	case FaultBadSignature:
		sf.BadSignature = true
	case FaultChangeAmount:
		sf.ChangeAmount = true
	default:
		return sf, fmt.Errorf("%w: %v is not a provider fault", ErrFaultUnsupported, f.Kind)
	}
	return sf, nil
}
