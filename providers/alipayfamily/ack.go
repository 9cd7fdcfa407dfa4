package alipayfamily

import (
	"bytes"
	"net/http"
)

// AckBody is the body a merchant answers a notification with: result
// SUCCESS (S). The family sends it with HTTP 200, unsigned [doc]; anything
// else makes the sender retry the notification.
const AckBody = `{"result":{"resultCode":"SUCCESS","resultStatus":"S","resultMessage":"success"}}`

// AckContentType is the acknowledgement's Content-Type.
const AckContentType = "application/json; charset=UTF-8"

var ackBody = []byte(AckBody)

// Acknowledgement returns the answer a notification source gives for a
// notification it has delivered (notify.Source's Acknowledgement): HTTP
// 200, AckContentType and a new copy of AckBody.
func Acknowledgement() (status int, contentType string, body []byte) {
	return http.StatusOK, AckContentType, bytes.Clone(ackBody)
}
