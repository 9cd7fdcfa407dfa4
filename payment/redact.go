package payment

// Redact returns what logs, error messages and encodings may show of a
// secret (a private key, a user's auth code or payment code): "[redacted]",
// or "[none]" when it is empty, so a reader can still tell whether it was
// set. It is the one redaction rule of paybridge's types; adapters use it
// too, so every secret reads the same in every log.
func Redact(secret string) string {
	if secret == "" {
		return "[none]"
	}
	return "[redacted]"
}
