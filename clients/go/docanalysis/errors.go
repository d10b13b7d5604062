package docanalysis

import (
	"errors"
	"fmt"
	"io"

	pb "github.com/docanalysis/docanalysis/clients/go/docanalysisv1"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// Error is a failed call, or a failed document of a batch or stream. It carries the server's gRPC
// status code and message unchanged. status.Code(err) and status.Convert(err) work on it, and so does
// errors.As(err, &*Error).
type Error struct {
	// Op is the RPC ("Analyze", "AnalyzeBatch", ...) or "document <id>" for a per-document error.
	Op string
	// Code is the gRPC status code.
	Code codes.Code
	// Message is the server's status message (or the local one, e.g. for a deadline).
	Message string
	err     error
}

func (e *Error) Error() string {
	return fmt.Sprintf("docanalysis: %s: %s: %s", e.Op, e.Code, e.Message)
}

// Unwrap returns the underlying gRPC error, if any.
func (e *Error) Unwrap() error { return e.err }

// GRPCStatus lets status.FromError and status.Code see the server's status.
func (e *Error) GRPCStatus() *status.Status { return status.New(e.Code, e.Message) }

func wrapError(op string, err error) error {
	if err == nil {
		return nil
	}
	s, _ := status.FromError(err)
	return &Error{Op: op, Code: s.Code(), Message: s.Message(), err: err}
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

// Code returns the gRPC code of err (codes.OK for nil, codes.Unknown for non-gRPC errors).
func Code(err error) codes.Code {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return status.Code(err)
}

func isEOF(err error) bool { return errors.Is(err, io.EOF) }
