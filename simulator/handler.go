package simulator

import (
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"time"

	"github.com/paybridge/paybridge/payment"
)

// serveAPI handles one request to an endpoint: record, scripted faults,
// verification, processing, signed answer.
func (s *Server) serveAPI(w http.ResponseWriter, r *http.Request, path string) {
	if s.cfg.OnDone != nil {
		defer s.cfg.OnDone(path)
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, MaxBody+1))
	if err != nil {
		// The client went away mid-body: nothing to answer.
		s.record(path, r, nil)
		return
	}
	tooLarge := len(body) > MaxBody
	if tooLarge {
		body = body[:MaxBody]
	}
	idx, fault := s.record(path, r, body)
	if !s.meet(w, r, fault) {
		return
	}

	in := &Incoming{Path: path, Request: r, Body: body, TooLarge: tooLarge, BaseURL: s.baseURL(r)}
	var answer any
	var res payment.Result
	if bad := s.proto.Verify(in); bad != nil {
		res = *bad
	} else if fault.Result != nil {
		res = *fault.Result
	} else {
		answer, res = s.proto.Process(in)
	}
	if answer == nil {
		answer = s.proto.ResultOnly(res)
	}
	if fault.DropAfter {
		drop(w)
		return
	}
	s.proto.Alter(answer, fault)
	payload, err := json.Marshal(answer)
	if err != nil {
		// Cannot happen with wire types; answer U rather than nothing.
		res = payment.Result{Status: payment.ResultUnknown, Code: "UNKNOWN_EXCEPTION", Message: "internal error"}
		payload, _ = json.Marshal(s.proto.ResultOnly(res))
	}
	s.finish(path, idx, res)
	s.log.Debug(s.cfg.Name+": request", "path", path, "resultCode", res.Code, "resultStatus", string(res.Status))
	s.writeAnswer(w, in, payload, res, fault)
}

// meet applies the faults that replace processing and reports whether the
// request is to be processed.
func (s *Server) meet(w http.ResponseWriter, r *http.Request, fault Fault) bool {
	ctx := r.Context()
	if fault.Delay > 0 {
		t := time.NewTimer(fault.Delay)
		defer t.Stop()
		select {
		case <-t.C:
		case <-ctx.Done():
			return false
		case <-s.done:
			drop(w)
			return false
		}
	}
	switch {
	case fault.Hang:
		select {
		case <-ctx.Done():
		case <-s.done:
			// Returning would send an empty 200; a hang ends in silence.
			drop(w)
		}
		return false
	case fault.Refuse, fault.DropBefore:
		drop(w)
		return false
	case fault.HTTPStatus != 0:
		status := fault.HTTPStatus
		if status < 100 || status > 999 {
			status = http.StatusInternalServerError // WriteHeader panics otherwise
		}
		if fault.RetryAfter != "" {
			w.Header().Set("Retry-After", fault.RetryAfter)
		}
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.WriteHeader(status)
		_, _ = io.WriteString(w, http.StatusText(status)+"\n")
		return false
	}
	return true
}

// drop closes the connection without an answer. Where the connection
// cannot be hijacked (HTTP/2, a recorder) the ErrAbortHandler panic makes
// net/http reset the stream instead.
func drop(w http.ResponseWriter) {
	if hj, ok := w.(http.Hijacker); ok {
		if conn, _, err := hj.Hijack(); err == nil {
			_ = conn.Close()
			return
		}
	}
	panic(http.ErrAbortHandler)
}

// writeAnswer signs payload as the provider does and writes it, applying
// the fault's signature and body alterations.
func (s *Server) writeAnswer(w http.ResponseWriter, in *Incoming, payload []byte, res payment.Result, fault Fault) {
	h := w.Header()
	h.Set("Content-Type", "application/json; charset=UTF-8")
	if msg, sign := s.proto.AnswerHeaders(h, in, payload, res); sign {
		s.setSignature(h, msg, fault)
	}
	if fault.TamperBody {
		payload = Tamper(payload)
	}
	h.Set("Content-Length", strconv.Itoa(len(payload)))
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(payload)
}

// setSignature signs msg into h's signature header unless the fault says
// otherwise, and reports whether signing failed.
func (s *Server) setSignature(h http.Header, msg []byte, fault Fault) bool {
	if fault.NoSignature {
		return false
	}
	sig, err := s.sign(msg)
	if err != nil {
		return true
	}
	if fault.BadSignature {
		sig[len(sig)/2] ^= 0x01
	}
	h.Set(s.cfg.SignatureHeader, s.proto.FormatSignature(sig))
	return false
}
