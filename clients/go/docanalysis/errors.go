package docanalysis

import (
	"errors"
	"fmt"
	"io"

	pb "github.com/docanalysis/docanalysis/clients/go/docanalysisv1"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// Error is a failed call, or a failed document of a batch or stream, or a failed plugin run. It carries the
// server's gRPC status code, message and details unchanged. status.Code(err), status.Convert(err) and
// errors.As(err, &*Error) work on it, and errors.Is(err, ErrInvalidRequest) (and the other kinds below) tells
// what kind of failure it is.
type Error struct {
	// Op is the RPC ("Analyze", "AnalyzeBatch", ...), "document <id>" for a per-document error or
	// "plugin <name>" for a failed plugin run.
	Op string
	// Code is the gRPC status code.
	Code codes.Code
	// Message is the server's status message (or the local one, e.g. for a deadline).
	Message string
	st      *status.Status // the status as received, details included
	err     error
}

// The kinds of failure, for errors.Is: each *Error is exactly one of them (by its code).
var (
	// ErrInvalidRequest: INVALID_ARGUMENT, NOT_FOUND, FAILED_PRECONDITION, OUT_OF_RANGE, ALREADY_EXISTS.
	ErrInvalidRequest = errors.New("docanalysis: invalid request")
	// ErrAuth: UNAUTHENTICATED, PERMISSION_DENIED.
	ErrAuth = errors.New("docanalysis: not allowed")
	// ErrUnavailable: UNAVAILABLE, RESOURCE_EXHAUSTED, ABORTED; these are the retryable ones.
	ErrUnavailable = errors.New("docanalysis: unavailable")
	// ErrDeadlineExceeded: DEADLINE_EXCEEDED.
	ErrDeadlineExceeded = errors.New("docanalysis: deadline exceeded")
	// ErrCanceled: CANCELED.
	ErrCanceled = errors.New("docanalysis: canceled")
	// ErrServer: INTERNAL, UNKNOWN, DATA_LOSS, UNIMPLEMENTED and anything else.
	ErrServer = errors.New("docanalysis: server error")
)

// kindOf maps a code to its kind; the one place where retryable is decided is IsRetryableCode.
func kindOf(c codes.Code) error {
	switch c {
	case codes.InvalidArgument, codes.NotFound, codes.FailedPrecondition, codes.OutOfRange, codes.AlreadyExists:
		return ErrInvalidRequest
	case codes.Unauthenticated, codes.PermissionDenied:
		return ErrAuth
	case codes.DeadlineExceeded:
		return ErrDeadlineExceeded
	case codes.Canceled:
		return ErrCanceled
	}
	if IsRetryableCode(c) {
		return ErrUnavailable
	}
	return ErrServer
}

// IsRetryableCode reports whether a call that failed with c may succeed when tried again (on the same or another
// replica): UNAVAILABLE, RESOURCE_EXHAUSTED and ABORTED. DEADLINE_EXCEEDED is not: the work may have been done.
func IsRetryableCode(c codes.Code) bool {
	return c == codes.Unavailable || c == codes.ResourceExhausted || c == codes.Aborted
}

// IsRetryable reports whether err is a failure worth retrying (see IsRetryableCode).
func IsRetryable(err error) bool { return err != nil && IsRetryableCode(Code(err)) }

func (e *Error) Error() string {
	return fmt.Sprintf("docanalysis: %s: %s: %s", e.Op, e.Code, e.Message)
}

// Is makes errors.Is(err, ErrUnavailable) (and the other kinds) true for an *Error of that kind.
func (e *Error) Is(target error) bool { return kindOf(e.Code) == target }

// Retryable reports whether the failed call may succeed when tried again.
func (e *Error) Retryable() bool { return IsRetryableCode(e.Code) }

// Unwrap returns the underlying gRPC error, if any.
func (e *Error) Unwrap() error { return e.err }

// GRPCStatus lets status.FromError and status.Code see the server's status, with its details.
func (e *Error) GRPCStatus() *status.Status {
	if e.st != nil {
		return e.st
	}
	return status.New(e.Code, e.Message)
}

// Details returns the status details the server attached (google.rpc.Status details), if any.
func (e *Error) Details() []any { return e.GRPCStatus().Details() }

func wrapError(op string, err error) error {
	if err == nil {
		return nil
	}
	s, _ := status.FromError(err)
	return &Error{Op: op, Code: s.Code(), Message: s.Message(), st: s, err: err}
}

// DocumentError returns the per-document error of a batch or stream response as an *Error, or nil when
// the document was analyzed.
func DocumentError(resp *pb.AnalyzeResponse) error {
	if resp.GetError() == nil || resp.GetError().GetCode() == 0 {
		return nil
	}
	return &Error{Op: "document " + fmt.Sprintf("%q", resp.GetDocumentId()), Code: codes.Code(resp.GetError().GetCode()),
		Message: resp.GetError().GetMessage()}
}

// FailedDocuments returns the responses of a batch (or stream) whose document failed as a whole.
func FailedDocuments(resps []*pb.AnalyzeResponse) []*pb.AnalyzeResponse {
	var failed []*pb.AnalyzeResponse
	for _, r := range resps {
		if DocumentError(r) != nil {
			failed = append(failed, r)
		}
	}
	return failed
}

// DocumentsError returns an error for the first failed document of a batch, or nil when none failed.
func DocumentsError(resps []*pb.AnalyzeResponse) error {
	for _, r := range resps {
		if err := DocumentError(r); err != nil {
			return err
		}
	}
	return nil
}

// FailedPluginRuns returns the plugin runs of a response that did not succeed.
func FailedPluginRuns(resp *pb.AnalyzeResponse) []*pb.PluginRun {
	var failed []*pb.PluginRun
	for _, r := range resp.GetPluginRuns() {
		if r.GetCode() != 0 {
			failed = append(failed, r)
		}
	}
	return failed
}

// PluginError returns an *Error for the first failed plugin run of a response, or nil when every run succeeded.
func PluginError(resp *pb.AnalyzeResponse) error {
	if runs := FailedPluginRuns(resp); len(runs) > 0 {
		return &Error{Op: "plugin " + runs[0].GetPlugin(), Code: codes.Code(runs[0].GetCode()), Message: runs[0].GetMessage()}
	}
	return nil
}

// Code returns the gRPC code of err (codes.OK for nil, codes.Unknown for non-gRPC errors).
func Code(err error) codes.Code {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return status.Code(err)
}

func isEOF(err error) bool { return errors.Is(err, io.EOF) }
