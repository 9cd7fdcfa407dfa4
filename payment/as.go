package payment

import "reflect"

// As finds in p a value of the type target points to and, if there is one,
// sets *target to it and returns true: the escape hatch to what a Provider
// is besides a Provider, in the manner of errors.As and gocloud's As
// methods. The paybridge adapters are notification sources, so
//
//	var src notify.Source
//	if payment.As(p, &src) {
//		mux.Handle("/notify/wallet", notify.NewHandler(src, deliver))
//	}
//
// works whatever wrapped p; package providers has Wallets.Source for the
// wallets of a configuration.
//
// As first checks whether p itself is assignable to *target, then asks p's
// As(any) bool method, if it has one. A Provider that wraps another (for
// metrics, say) should have an As method that forwards to the one it
// wraps, so the hatch survives the wrapping; an adapter documents which
// types its As fills. As panics if target is not a non-nil pointer, as
// errors.As does; it returns false for a nil p.
func As(p Provider, target any) bool {
	if target == nil {
		panic("payment: As target must be a non-nil pointer")
	}
	v := reflect.ValueOf(target)
	if v.Kind() != reflect.Pointer || v.IsNil() {
		panic("payment: As target must be a non-nil pointer")
	}
	if p == nil {
		return false
	}
	if t := v.Type().Elem(); reflect.TypeOf(p).AssignableTo(t) {
		v.Elem().Set(reflect.ValueOf(p))
		return true
	}
	if a, ok := p.(interface{ As(any) bool }); ok {
		return a.As(target)
	}
	return false
}
