package docanalysis_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"sync/atomic"
	"testing"
	"time"

	"github.com/docanalysis/docanalysis/clients/go/docanalysis"
	pb "github.com/docanalysis/docanalysis/clients/go/docanalysisv1"
	"github.com/docanalysis/docanalysis/clients/go/internal/testserver"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/durationpb"
)

// Breaking out of the loop must stop the reading of the caller's iterator: once the loop is over, the iterator is
// not run again (the sender goroutine used to go on running the caller's iterator after the loop had ended).
func TestAnalyzeStreamStopsReadingInputWhenLoopEnds(t *testing.T) {
	c := newClient(t)
	for _, delay := range []time.Duration{0, 30 * time.Millisecond} {
		var pulled, afterReturn atomic.Int64
		var returned atomic.Bool
		source := func(yield func(*pb.AnalyzeRequest) bool) {
			for i := 0; ; i++ {
				time.Sleep(delay) // a source that takes time to produce each document
				if returned.Load() {
					afterReturn.Add(1)
				}
				pulled.Add(1)
				if !yield(docanalysis.NewRequest(fmt.Sprintf("Document %d: Paris is nice.", i),
					docanalysis.Features("sentiment"))) {
					return
				}
			}
		}
		seen := 0
		for _, err := range c.AnalyzeStream(context.Background(), source) {
			if err != nil {
				t.Fatal(err)
			}
			seen++
			if seen == 5 {
				break
			}
		}
		returned.Store(true)
		time.Sleep(200 * time.Millisecond)
		if n := afterReturn.Load(); n != 0 {
			t.Errorf("delay %v: the input iterator ran %d more times after the loop ended", delay, n)
		}
		// The input is endless: that the loop got answers at all shows it is read lazily; how far ahead is the
		// flow-control window's business.
		t.Logf("delay %v: %d requests pulled for 5 responses", delay, pulled.Load())
	}
}

// A stream deadline applies only when the caller's context has one; the client's unary timeout does not bound it.
func TestAnalyzeStreamNoDeadlineUnlessAsked(t *testing.T) {
	c := newClient(t, docanalysis.WithTimeout(200*time.Millisecond))
	slow := func(yield func(*pb.AnalyzeRequest) bool) {
		for i := range 3 {
			time.Sleep(150 * time.Millisecond)
			if !yield(docanalysis.NewRequest("Paris is nice.", docanalysis.Features("sentiment"))) {
				return
			}
			_ = i
		}
	}
	n := 0
	for _, err := range c.AnalyzeStream(context.Background(), slow) {
		if err != nil {
			t.Fatalf("stream without a deadline failed: %v", err)
		}
		n++
	}
	if n != 3 {
		t.Errorf("%d responses, want 3", n)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	var last error
	for _, err := range c.AnalyzeStream(ctx, slow) {
		last = err
	}
	if !errors.Is(last, docanalysis.ErrDeadlineExceeded) {
		t.Errorf("stream with a 200 ms deadline: %v, want DEADLINE_EXCEEDED", last)
	}
}

// 100,000 short documents through one stream with bounded client memory.
func TestAnalyzeStream100kDocumentsBoundedMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("long")
	}
	c := newClient(t)
	const n = 100_000
	var peak uint64
	sample := func() {
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		if m.HeapInuse > peak {
			peak = m.HeapInuse
		}
	}
	docs := func(yield func(*pb.AnalyzeRequest) bool) {
		for i := range n {
			if i%5000 == 0 {
				sample()
			}
			if !yield(docanalysis.NewRequest(fmt.Sprintf("Doc %d: Paris is nice.", i), docanalysis.Features("sentiment"))) {
				return
			}
		}
	}
	got := 0
	for _, err := range c.AnalyzeStream(context.Background(), docs) {
		if err != nil {
			t.Fatalf("after %d responses: %v", got, err)
		}
		got++
	}
	sample()
	if got != n {
		t.Fatalf("%d responses, want %d", got, n)
	}
	t.Logf("go stream of %d documents: peak heap in use %.1f MB", n, float64(peak)/(1<<20))
	if peak > 64<<20 {
		t.Errorf("peak heap %d MB for a stream of short documents", peak>>20)
	}
}

// GRPCStatus used to rebuild the status from code and message, dropping the server's details.
func TestErrorKeepsStatusDetails(t *testing.T) {
	st, err := status.New(codes.Unavailable, "overloaded").WithDetails(durationpb.New(2 * time.Second))
	if err != nil {
		t.Fatal(err)
	}
	e := docanalysis.WrapErrorForTest("Analyze", st.Err())
	if got := status.Convert(e).Details(); len(got) != 1 {
		t.Fatalf("details %v, want the one the server sent", got)
	}
	if !docanalysis.IsRetryable(e) || !errors.Is(e, docanalysis.ErrUnavailable) || errors.Is(e, docanalysis.ErrServer) {
		t.Errorf("UNAVAILABLE: retryable %v, kind unavailable %v", docanalysis.IsRetryable(e), errors.Is(e, docanalysis.ErrUnavailable))
	}
}

func TestErrorKindsAndHelpers(t *testing.T) {
	c := newClient(t)
	_, err := c.Analyze(context.Background(), "Some text.", docanalysis.Features("no-such-feature"))
	if !errors.Is(err, docanalysis.ErrInvalidRequest) || docanalysis.IsRetryable(err) {
		t.Errorf("unknown feature: %v, want a non-retryable ErrInvalidRequest", err)
	}
	resps, err := c.AnalyzeBatch(context.Background(), []*pb.AnalyzeRequest{
		docanalysis.NewRequest("Paris is nice.", docanalysis.Features("sentiment")),
		docanalysis.NewRawRequest([]byte{'x', 0xff}, docanalysis.Features("sentiment")),
	})
	if err != nil {
		t.Fatal(err)
	}
	if f := docanalysis.FailedDocuments(resps); len(f) != 1 || f[0] != resps[1] {
		t.Errorf("failed documents %v", f)
	}
	if err := docanalysis.DocumentsError(resps); !errors.Is(err, docanalysis.ErrInvalidRequest) {
		t.Errorf("DocumentsError: %v", err)
	}
	ok := &pb.AnalyzeResponse{PluginRuns: []*pb.PluginRun{{Plugin: "sentiment"}}}
	bad := &pb.AnalyzeResponse{PluginRuns: []*pb.PluginRun{{Plugin: "sentiment"}, {Plugin: "entity", Code: 13, Message: "boom"}}}
	if docanalysis.PluginError(ok) != nil || len(docanalysis.FailedPluginRuns(bad)) != 1 {
		t.Errorf("plugin helpers")
	}
	if err := docanalysis.PluginError(bad); !errors.Is(err, docanalysis.ErrServer) || docanalysis.Code(err) != codes.Internal {
		t.Errorf("PluginError: %v", err)
	}
}

func TestPluginAdminWithToken(t *testing.T) {
	token := filepath.Join(t.TempDir(), "token")
	if err := os.WriteFile(token, []byte("s3cret\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	addr, stop, err := testserver.Start("--admin_token_file", token)
	if err != nil {
		t.Skipf("needs the server binary: %v", err)
	}
	defer stop()
	c, err := docanalysis.New(addr, docanalysis.WithAdminToken("s3cret"))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	ctx := context.Background()
	if _, err := c.ReloadPlugins(ctx); err != nil {
		t.Fatalf("ReloadPlugins: %v", err)
	}
	if err := c.UnloadPlugin(ctx, "sentiment"); err != nil {
		t.Fatalf("UnloadPlugin: %v", err)
	}
	if r, err := c.LoadPlugin(ctx, "sentiment"); err != nil || r.GetPlugin().GetName() != "sentiment" {
		t.Fatalf("LoadPlugin: %v %v", r, err)
	}
	anon, err := docanalysis.New(addr)
	if err != nil {
		t.Fatal(err)
	}
	defer anon.Close()
	if _, err := anon.ReloadPlugins(ctx); !errors.Is(err, docanalysis.ErrAuth) {
		t.Errorf("ReloadPlugins without a token: %v, want ErrAuth", err)
	}
}
