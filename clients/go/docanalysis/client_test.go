package docanalysis_test

import (
	"context"
	"errors"
	"net"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/docanalysis/docanalysis/clients/go/docanalysis"
	pb "github.com/docanalysis/docanalysis/clients/go/docanalysisv1"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// A document written for these tests: people, places and organisations, with accents, CJK and emoji
// before many of the spans, so that byte, UTF-16 and code-point offsets all differ.
const unicodeDoc = "Angela Merkel met Emmanuel Macron in Paris on Tuesday 😀. " +
	"Zoë Saldaña flew from São Paulo to 東京 with engineers from Microsoft. " +
	"The 会議 in Berlin was a great success 🎉, said Sundar Pichai of Google. " +
	"Critics in München called the plan terrible and wasteful."

const englishDoc = "Apple announced record profits on Monday. Tim Cook said the company would open a new " +
	"office in London next year. Investors were delighted, and the shares rose sharply. " +
	"Analysts at Goldman Sachs warned that the growth could slow in Europe."

func newClient(t *testing.T, opts ...docanalysis.Option) *docanalysis.Client {
	t.Helper()
	c, err := docanalysis.New(target, opts...)
	if err != nil {
		t.Fatalf("New(%q): %v", target, err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

func hasFeature(t *testing.T, c *docanalysis.Client, feature string) bool {
	t.Helper()
	resp, err := c.ListPlugins(context.Background())
	if err != nil {
		t.Fatalf("ListPlugins: %v", err)
	}
	for _, p := range resp.GetPlugins() {
		if p.GetState() == pb.PluginInfo_LOADED && slices.Contains(p.GetFeatures(), feature) {
			return true
		}
	}
	return false
}

func TestListPlugins(t *testing.T) {
	c := newClient(t)
	resp, err := c.ListPlugins(context.Background())
	if err != nil {
		t.Fatalf("ListPlugins: %v", err)
	}
	if resp.GetHostAbiVersion() == "" {
		t.Errorf("host_abi_version is empty")
	}
	if len(resp.GetPlugins()) == 0 {
		t.Fatalf("no plugins listed")
	}
	for _, p := range resp.GetPlugins() {
		if p.GetName() == "" || len(p.GetFeatures()) == 0 {
			t.Errorf("plugin without name or features: %v", p)
		}
	}
}

func TestAnalyzeEnglish(t *testing.T) {
	c := newClient(t)
	resp, err := c.Analyze(context.Background(), englishDoc, docanalysis.DocumentID("en-1"))
	if err != nil {
		t.Fatalf("Analyze: %v", err)
	}
	if resp.GetDocumentId() != "en-1" {
		t.Errorf("document_id = %q, want en-1", resp.GetDocumentId())
	}
	if got := len(resp.GetSentences()); got != 4 {
		t.Errorf("%d sentences, want 4", got)
	}
	if len(resp.GetPluginRuns()) == 0 {
		t.Errorf("no plugin runs reported")
	}
	for _, run := range resp.GetPluginRuns() {
		if run.GetCode() != 0 {
			t.Errorf("plugin %s failed: %d %s", run.GetPlugin(), run.GetCode(), run.GetMessage())
		}
	}
	if hasFeature(t, c, "entities") {
		var names []string
		for _, e := range resp.GetEntities() {
			names = append(names, e.GetName())
		}
		if !slices.ContainsFunc(names, func(n string) bool { return strings.Contains(n, "Tim Cook") }) {
			t.Errorf("entities %q lack Tim Cook", names)
		}
	}
	if hasFeature(t, c, "sentiment") {
		s := resp.GetDocumentSentiment()
		if s == nil || s.GetScore() < -1 || s.GetScore() > 1 || s.GetMagnitude() < 0 {
			t.Errorf("document sentiment %v out of range", s)
		}
	}
}

// checkSpan fails unless text[begin:end] (offsets in bytes) is exactly span.content.
func checkSpan(t *testing.T, text, what string, span *pb.TextSpan) {
	t.Helper()
	b, e := int(span.GetBeginOffset()), int(span.GetEndOffset())
	if b < 0 || e > len(text) || b > e {
		t.Errorf("%s: span [%d,%d) outside the %d-byte text", what, b, e, len(text))
		return
	}
	if got := text[b:e]; got != span.GetContent() {
		t.Errorf("%s: text[%d:%d] = %q, span content %q", what, b, e, got, span.GetContent())
	}
}

// byteOffsetOfUTF16 converts a UTF-16 code unit offset into text to a byte offset.
func byteOffsetOfUTF16(text string, u int) int {
	units := 0
	for i, r := range text {
		if units >= u {
			return i
		}
		units += len(utf16.Encode([]rune{r}))
	}
	return len(text)
}

func TestOffsetsSliceUTF8Text(t *testing.T) {
	c := newClient(t)
	resp, err := c.Analyze(context.Background(), unicodeDoc) // default encoding: UTF-8 bytes
	if err != nil {
		t.Fatalf("Analyze: %v", err)
	}
	if len(resp.GetSentences()) < 4 {
		t.Fatalf("%d sentences, want at least 4", len(resp.GetSentences()))
	}
	multibyte := false
	for _, s := range resp.GetSentences() {
		checkSpan(t, unicodeDoc, "sentence", s.GetText())
		if b := int(s.GetText().GetBeginOffset()); b <= len(unicodeDoc) && b != utf8.RuneCountInString(unicodeDoc[:b]) {
			multibyte = true
		}
	}
	if !multibyte {
		t.Errorf("no sentence starts after a multi-byte character: the document does not test the encoding")
	}
	mentions := 0
	for _, e := range resp.GetEntities() {
		for _, m := range e.GetMentions() {
			checkSpan(t, unicodeDoc, "mention of "+e.GetName(), m.GetText())
			mentions++
		}
	}
	if hasFeature(t, c, "entities") && mentions == 0 {
		t.Errorf("no entity mentions in %q", unicodeDoc)
	}
	for _, s := range resp.GetSummary().GetSentences() {
		checkSpan(t, unicodeDoc, "summary sentence", s.GetText())
	}

	// The same request in UTF-16 code units must point at the same text.
	resp16, err := c.Analyze(context.Background(), unicodeDoc, docanalysis.Encoding(pb.EncodingType_UTF16))
	if err != nil {
		t.Fatalf("Analyze UTF16: %v", err)
	}
	if len(resp16.GetSentences()) != len(resp.GetSentences()) {
		t.Fatalf("UTF16: %d sentences, UTF8: %d", len(resp16.GetSentences()), len(resp.GetSentences()))
	}
	for i, s := range resp16.GetSentences() {
		b := byteOffsetOfUTF16(unicodeDoc, int(s.GetText().GetBeginOffset()))
		e := byteOffsetOfUTF16(unicodeDoc, int(s.GetText().GetEndOffset()))
		u8 := resp.GetSentences()[i].GetText()
		if b != int(u8.GetBeginOffset()) || e != int(u8.GetEndOffset()) {
			t.Errorf("sentence %d: UTF-16 span maps to bytes [%d,%d), UTF-8 span is [%d,%d)", i, b, e,
				u8.GetBeginOffset(), u8.GetEndOffset())
		}
	}
}

func TestAnalyzeBatchKeepsOrderAndPerDocumentErrors(t *testing.T) {
	c := newClient(t)
	reqs := []*pb.AnalyzeRequest{
		docanalysis.NewRequest(englishDoc, docanalysis.DocumentID("a")),
		docanalysis.NewRawRequest([]byte("bad \xff bytes"), docanalysis.DocumentID("b")),
		docanalysis.NewRequest(unicodeDoc, docanalysis.DocumentID("c")),
	}
	resps, err := c.AnalyzeBatch(context.Background(), reqs)
	if err != nil {
		t.Fatalf("AnalyzeBatch: %v", err)
	}
	if len(resps) != 3 {
		t.Fatalf("%d responses, want 3", len(resps))
	}
	for i, id := range []string{"a", "b", "c"} {
		if resps[i].GetDocumentId() != id {
			t.Errorf("response %d has id %q, want %q", i, resps[i].GetDocumentId(), id)
		}
	}
	if err := docanalysis.DocumentError(resps[0]); err != nil {
		t.Errorf("document a: %v", err)
	}
	if docanalysis.Code(docanalysis.DocumentError(resps[1])) != codes.InvalidArgument {
		t.Errorf("document b: error %v, want INVALID_ARGUMENT", resps[1].GetError())
	}
	if err := docanalysis.DocumentError(resps[2]); err != nil || len(resps[2].GetSentences()) == 0 {
		t.Errorf("document c: %v, %d sentences", err, len(resps[2].GetSentences()))
	}
}

func TestAnalyzeStream(t *testing.T) {
	c := newClient(t)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	const n = 6
	reqs := func(yield func(*pb.AnalyzeRequest) bool) {
		for i := range n {
			r := docanalysis.NewRequest(englishDoc, docanalysis.DocumentID(string(rune('a'+i))))
			if i == 3 {
				r = docanalysis.NewRawRequest([]byte{'x', 0xc3}, docanalysis.DocumentID("d"))
			}
			if !yield(r) {
				return
			}
		}
	}
	var ids []string
	for resp, err := range c.AnalyzeStream(ctx, reqs) {
		if err != nil {
			t.Fatalf("stream failed after %d responses: %v", len(ids), err)
		}
		ids = append(ids, resp.GetDocumentId())
		derr := docanalysis.DocumentError(resp)
		if resp.GetDocumentId() == "d" {
			if docanalysis.Code(derr) != codes.InvalidArgument {
				t.Errorf("bad document: error %v, want INVALID_ARGUMENT", derr)
			}
		} else if derr != nil || len(resp.GetSentences()) != 4 {
			t.Errorf("document %s: %v, %d sentences", resp.GetDocumentId(), derr, len(resp.GetSentences()))
		}
	}
	if want := []string{"a", "b", "c", "d", "e", "f"}; !slices.Equal(ids, want) {
		t.Errorf("stream ids %v, want %v", ids, want)
	}
}

func TestErrorsCarryServerStatus(t *testing.T) {
	c := newClient(t)
	_, err := c.AnalyzeRequest(context.Background(), docanalysis.NewRawRequest([]byte("good text \xfe then bad")))
	var e *docanalysis.Error
	if !errors.As(err, &e) {
		t.Fatalf("error %v (%T) is not a *docanalysis.Error", err, err)
	}
	if e.Code != codes.InvalidArgument || status.Code(err) != codes.InvalidArgument {
		t.Errorf("code %v / %v, want InvalidArgument", e.Code, status.Code(err))
	}
	if e.Message == "" || e.Op != "Analyze" || !strings.Contains(err.Error(), e.Message) {
		t.Errorf("error %q: op %q, message %q", err, e.Op, e.Message)
	}
	if !strings.Contains(e.Message, "10") {
		t.Errorf("message %q does not name the offset (10) of the bad byte", e.Message)
	}
}

func TestDeadlines(t *testing.T) {
	c := newClient(t, docanalysis.WithTimeout(time.Nanosecond))
	if _, err := c.Analyze(context.Background(), englishDoc); docanalysis.Code(err) != codes.DeadlineExceeded {
		t.Errorf("client timeout 1ns: %v, want DEADLINE_EXCEEDED", err)
	}
	c2 := newClient(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Microsecond)
	defer cancel()
	time.Sleep(time.Millisecond)
	if _, err := c2.Analyze(ctx, englishDoc); docanalysis.Code(err) != codes.DeadlineExceeded {
		t.Errorf("context deadline: %v, want DEADLINE_EXCEEDED", err)
	}
	// A context deadline wins over the default timeout and reaches the server: a generous one succeeds.
	ctx3, cancel3 := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel3()
	if _, err := c2.Analyze(ctx3, englishDoc); err != nil {
		t.Errorf("30 s deadline: %v", err)
	}
}

// liveIPTarget returns the live server as IP:port (resolving a host name).
func liveIPTarget(t *testing.T) string {
	host, port, err := net.SplitHostPort(target)
	if err != nil {
		t.Skipf("target %q is not HOST:PORT", target)
	}
	if net.ParseIP(host) == nil {
		ips, err := net.LookupHost(host)
		if err != nil || len(ips) == 0 {
			t.Fatalf("resolving %s: %v", host, err)
		}
		host = ips[0]
	}
	return net.JoinHostPort(host, port)
}

// deadAddress returns a loopback address where nothing listens.
func deadAddress(t *testing.T) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return addr
}

func TestRoundRobinOverAddressList(t *testing.T) {
	live := liveIPTarget(t)
	for _, tgt := range []string{
		"ipv4:" + deadAddress(t) + "," + live, // a dead replica is skipped
		"ipv4:" + live + "," + live,
		deadAddress(t) + "," + live, // plain comma list
	} {
		c, err := docanalysis.New(tgt)
		if err != nil {
			t.Fatalf("New(%q): %v", tgt, err)
		}
		for i := range 6 {
			if _, err := c.Analyze(context.Background(), englishDoc, docanalysis.Features("sentiment")); err != nil {
				t.Errorf("%s: call %d: %v", tgt, i, err)
			}
		}
		c.Close()
	}
	// New is lazy; a host name in an ipv4: target fails on the first call.
	c, err := docanalysis.New("ipv4:not-an-ip:1", docanalysis.WithTimeout(5*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if _, err := c.Analyze(context.Background(), "x"); err == nil {
		t.Errorf("a host name in an ipv4: target was accepted")
	}
}

func TestServiceConfig(t *testing.T) {
	sc := docanalysis.ServiceConfig(4)
	for _, want := range []string{`"round_robin"`, `"maxAttempts":4`, `"UNAVAILABLE"`, `"docanalysis.v1.DocumentAnalysis"`} {
		if !strings.Contains(sc, want) {
			t.Errorf("service config %s lacks %s", sc, want)
		}
	}
	if strings.Contains(docanalysis.ServiceConfig(1), "retryPolicy") {
		t.Errorf("maxAttempts 1 still has a retry policy")
	}
}
