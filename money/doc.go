// Package money represents amounts of money exactly, in ISO 4217 minor
// units, for paybridge's payment providers and their users.
//
// # Minor units
//
// Every ISO 4217 currency has a minor unit: the number of decimal places
// its amounts carry. CAD and most others have 2 (cents), JPY, KRW and CLP
// have 0, KWD, BHD, IQD and the other dinars have 3, and the Chilean
// Unidad de Fomento CLF has 4. An Amount stores its Currency and an int64
// count of minor units, so 19.99 CAD is 1999 and 150 IQD is 150000.
//
// Both wallet protocols paybridge speaks put that count on the wire as a
// string of digits, {"currency":"CAD","value":"1999"}, which is exactly
// Amount's JSON form (MarshalJSON, UnmarshalJSON). MinorString and
// AppendMinor produce the bare value; MinorDigits and CheckDigits let an
// adapter enforce its provider's digit limit (AlphaPay accepts at most 7
// digits, Alipay+ 16).
//
// # Why an int64 and not a decimal
//
// The wire form is an integer, arithmetic on integers is exact and cheap,
// and an int64 of minor units holds more than 92 quadrillion dollars, far
// beyond any payment. An Amount is therefore two words, parses and formats
// without allocating more than its result, and never touches floating
// point: no float32 or float64 appears anywhere in the package, because
// binary floating point cannot represent 0.10 and silently rounds.
//
// github.com/shopspring/decimal is used at the boundary only, for callers
// whose own code works in decimals: FromDecimal converts a decimal in
// major units (refusing any value that is not an exact number of minor
// units) and Decimal converts back.
//
// # Strict parsing
//
// Amounts arrive from users, configuration and other people's servers, so
// every parser is strict and never rounds. Parse ("19.99 CAD"), ParseMajor
// ("19.99" plus a Currency) and ParseMinor ("1999" plus a Currency) reject,
// with a *ParseError wrapping a sentinel error:
//
//   - more decimal places than the currency has, even zeros: "1.999" or
//     "1.990" for CAD, "1.5" for JPY (ErrPrecision);
//   - signs, exponents, blanks anywhere, underscores, hex, non-ASCII digits,
//     an empty string, "." alone, "1." and ".5" (ErrSyntax);
//   - values whose minor units overflow int64 (ErrOverflow);
//   - unknown or lower-case currency codes (ErrUnknownCurrency).
//
// Leading zeros are accepted and normalised ("01999" minor units, "007.50"
// major units), because they are unambiguous and both protocols specify
// the value as plain digits.
//
// Arithmetic is strict too: Add, Sub and Cmp refuse amounts of different
// currencies (ErrCurrencyMismatch) and report int64 overflow (ErrOverflow)
// instead of wrapping around.
//
// # Currencies
//
// The currency table is ISO 4217 List One, embedded from iso4217.csv and
// read once at initialisation; nothing in the package changes afterwards,
// so every function is safe for concurrent use. Codes without a minor unit
// (precious metals, XDR, the testing code XTS, XXX) are not in it. The
// variables CAD, USD, JPY, KWD and so on name the currencies used most.
//
// Errors are matched with errors.Is against ErrUnknownCurrency, ErrSyntax,
// ErrPrecision, ErrOverflow, ErrNegative, ErrCurrencyMismatch and
// ErrTooManyDigits; their messages start with "money:" and quote at most
// 32 bytes of the offending input. Nothing panics on bad input except the
// Must helpers, which are for constants in tests and package variables.
package money
