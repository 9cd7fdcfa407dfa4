package signing

// Message returns the string to sign, in the layout both providers use:
//
//	method + " " + uri + "\n" + field1 + "." + field2 + ... + "." + body
//
// AlphaPay: Message("POST", path, body, merchantCode, requestTime, nonce).
// Alipay+:  Message("POST", path, body, clientID, requestTime).
//
// uri is the path actually requested, including any wallet prefix and query
// string. body must be the exact bytes sent or received: re-marshalling JSON
// changes them and breaks the signature. Fields are not escaped or checked
// (Request-Time itself contains dots), exactly as the providers do it.
//
// Each field is followed by one dot, so with no fields the second line is
// just the body; neither protocol uses that case.
func Message(method, uri string, body []byte, fields ...string) []byte {
	n := len(method) + 1 + len(uri) + 1 + len(body)
	for _, f := range fields {
		n += len(f) + 1
	}
	return AppendMessage(make([]byte, 0, n), method, uri, body, fields...)
}

// AppendMessage appends the string to sign (see [Message]) to dst and
// returns the extended buffer. It exists for request paths that sign or
// verify many messages: with a reused buffer of sufficient capacity it does
// not allocate.
func AppendMessage(dst []byte, method, uri string, body []byte, fields ...string) []byte {
	dst = append(dst, method...)
	dst = append(dst, ' ')
	dst = append(dst, uri...)
	dst = append(dst, '\n')
	for _, f := range fields {
		dst = append(dst, f...)
		dst = append(dst, '.')
	}
	return append(dst, body...)
}
