package alipayfamily

import (
	"fmt"

	"github.com/paybridge/paybridge/internal/jsonamount"
	"github.com/paybridge/paybridge/money"
)

// Amount is the family's wire amount, {"currency":"CLP","value":"2000"},
// the value in minor units. Unmarshal also accepts the value as a plain
// whole JSON number (some wallets send one) and the keys in either order;
// it checks shape only, and Money judges the contents.
type Amount struct {
	Currency string `json:"currency"`
	Value    string `json:"value"`
}

// UnmarshalJSON accepts value as a string or a plain whole JSON number.
func (a *Amount) UnmarshalJSON(b []byte) error {
	v, c, err := jsonamount.Decode(b)
	if err != nil {
		return err
	}
	a.Value, a.Currency = v, c
	return nil
}

// WireAmount returns m as the wire writes it.
func WireAmount(m money.Amount) Amount {
	return Amount{Currency: m.Currency().Code(), Value: m.MinorString()}
}

// Money reads a as an exact money.Amount: an ISO 4217 currency and a value
// money.ParseMinor accepts (no sign, no fraction, no excess digits).
func (a Amount) Money() (money.Amount, error) {
	cur, err := money.LookupCurrency(a.Currency)
	if err != nil {
		return money.Amount{}, err
	}
	return money.ParseMinor(a.Value, cur)
}

// AmountOf reads an optional amount of an answer or notification, named
// field in errors: the zero Amount when there is none, an error when it
// is not an exact amount.
func AmountOf(a *Amount, field string) (money.Amount, error) {
	if a == nil {
		return money.Amount{}, nil
	}
	m, err := a.Money()
	if err != nil {
		return money.Amount{}, fmt.Errorf("%s: %w", field, err)
	}
	return m, nil
}
