// Package docanalysis is the Go client of the docanalysis service (package docanalysis.v1).
//
// A Client wraps one gRPC channel. It is safe for concurrent use by many goroutines; create one per
// process (or per cluster) and Close it when done. Every method takes a context: its deadline and
// cancellation reach the server; when the context has no deadline the client's default timeout
// (WithTimeout, 30 s unless set) applies to unary calls.
//
// The channel retries calls that fail with UNAVAILABLE (through the gRPC service config, so only
// attempts that the server never saw or that it refused are repeated) and balances calls round-robin
// over every address of the target:
//
//	c, err := docanalysis.New("ipv4:10.0.0.1:50051,10.0.0.2:50051")
//	if err != nil { ... }
//	defer c.Close()
//	resp, err := c.Analyze(ctx, "Angela Merkel visited Paris.", docanalysis.Features("entities"))
//	for _, e := range resp.GetEntities() { fmt.Println(e.GetName(), e.GetType()) }
//
// Offsets in responses count bytes of the UTF-8 text by default (Go's native string indexing), so
// text[m.GetText().GetBeginOffset():m.GetText().GetEndOffset()] is the mention.
package docanalysis

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"iter"
	"os"
	"strings"
	"time"

	pb "github.com/docanalysis/docanalysis/clients/go/docanalysisv1"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/metadata"
)

// DefaultTimeout is the deadline of a unary call whose context has none.
const DefaultTimeout = 30 * time.Second

// DefaultMaxAttempts is how many times a call that fails with UNAVAILABLE is tried in all.
const DefaultMaxAttempts = 4

const maxMessageBytes = 64 << 20

// Client calls one docanalysis service (one server, or a cluster behind one target).
type Client struct {
	conn       *grpc.ClientConn
	stub       pb.DocumentAnalysisClient
	admin      pb.PluginAdminClient
	adminToken string
	timeout  time.Duration
	encoding pb.EncodingType
}

type options struct {
	timeout     time.Duration
	maxAttempts int
	tlsConfig   *tls.Config
	caFile      string
	certFile    string
	keyFile     string
	serverName  string
	encoding    pb.EncodingType
	dialOptions []grpc.DialOption
	adminToken  string
}

// Option configures a Client in New.
type Option func(*options)

// WithTimeout sets the deadline applied to unary calls whose context has no deadline (default 30 s).
// Zero or less means no default deadline.
func WithTimeout(d time.Duration) Option { return func(o *options) { o.timeout = d } }

// WithMaxAttempts sets how many times a call failing with UNAVAILABLE is tried in all (default 4; gRPC
// caps it at 5). 1 turns retries off.
func WithMaxAttempts(n int) Option { return func(o *options) { o.maxAttempts = n } }

// WithTLS turns on TLS with the given configuration (nil means the system roots).
func WithTLS(cfg *tls.Config) Option {
	return func(o *options) {
		if cfg == nil {
			cfg = &tls.Config{}
		}
		o.tlsConfig = cfg
	}
}

// WithTLSFromFile turns on TLS and trusts the PEM certificates in caFile (empty: the system roots).
// serverName, when not empty, overrides the name checked against the server's certificate.
func WithTLSFromFile(caFile, serverName string) Option {
	return func(o *options) {
		o.caFile = caFile
		o.serverName = serverName
		if o.tlsConfig == nil {
			o.tlsConfig = &tls.Config{}
		}
	}
}

// WithClientCertificate turns on TLS and presents the PEM certificate chain and key in certFile and keyFile
// to the server (mutual TLS).
func WithClientCertificate(certFile, keyFile string) Option {
	return func(o *options) {
		o.certFile, o.keyFile = certFile, keyFile
		if o.tlsConfig == nil {
			o.tlsConfig = &tls.Config{}
		}
	}
}

// WithAdminToken sets the token of the PluginAdmin calls (ReloadPlugins, LoadPlugin, UnloadPlugin), sent as
// "authorization: Bearer <token>". Admin calls are not retried: only the analysis calls, which are idempotent, are.
func WithAdminToken(token string) Option { return func(o *options) { o.adminToken = token } }

// WithEncoding sets the offset encoding of requests built by Analyze (default UTF8: byte offsets).
func WithEncoding(e pb.EncodingType) Option { return func(o *options) { o.encoding = e } }

// WithDialOptions appends raw gRPC dial options (interceptors, keepalive, ...).
func WithDialOptions(opts ...grpc.DialOption) Option {
	return func(o *options) { o.dialOptions = append(o.dialOptions, opts...) }
}

// ServiceConfig returns the gRPC service config the client uses: round-robin over every resolved
// address, and up to maxAttempts tries of a call that fails with UNAVAILABLE.
func ServiceConfig(maxAttempts int) string {
	retry := ""
	if maxAttempts > 1 {
		retry = fmt.Sprintf(`,"retryPolicy":{"maxAttempts":%d,"initialBackoff":"0.1s","maxBackoff":"2s",`+
			`"backoffMultiplier":2,"retryableStatusCodes":["UNAVAILABLE"]}`, maxAttempts)
	}
	return `{"loadBalancingConfig":[{"round_robin":{}}],` +
		`"methodConfig":[{"name":[{"service":"docanalysis.v1.DocumentAnalysis"}]` + retry + `}]}`
}

// New connects to target lazily (the first call connects) and returns a Client.
//
// target is any gRPC target: "host:port" (DNS, round-robin over every address it resolves to),
// "dns:///host:port", or a fixed list "ipv4:127.0.0.1:50051,127.0.0.1:50052" (also "ipv6:[::1]:50051,...").
// A plain comma-separated list "host1:port,host2:port" is taken as such a fixed list.
func New(target string, opts ...Option) (*Client, error) {
	o := options{timeout: DefaultTimeout, maxAttempts: DefaultMaxAttempts, encoding: pb.EncodingType_UTF8}
	for _, opt := range opts {
		opt(&o)
	}
	if target == "" {
		return nil, errors.New("docanalysis: empty target")
	}
	if !strings.Contains(target, ":/") && !strings.HasPrefix(target, "ipv4:") &&
		!strings.HasPrefix(target, "ipv6:") && strings.Contains(target, ",") {
		target = "static:" + target
	}
	creds := insecure.NewCredentials()
	if o.tlsConfig != nil {
		cfg := o.tlsConfig.Clone()
		if o.serverName != "" {
			cfg.ServerName = o.serverName
		}
		if o.caFile != "" {
			pem, err := os.ReadFile(o.caFile)
			if err != nil {
				return nil, fmt.Errorf("docanalysis: reading CA file: %w", err)
			}
			pool := x509.NewCertPool()
			if !pool.AppendCertsFromPEM(pem) {
				return nil, fmt.Errorf("docanalysis: no PEM certificate in %s", o.caFile)
			}
			cfg.RootCAs = pool
		}
		if o.certFile != "" || o.keyFile != "" {
			pair, err := tls.LoadX509KeyPair(o.certFile, o.keyFile)
			if err != nil {
				return nil, fmt.Errorf("docanalysis: client certificate: %w", err)
			}
			cfg.Certificates = append(cfg.Certificates, pair)
		}
		creds = credentials.NewTLS(cfg)
	}
	dial := []grpc.DialOption{
		grpc.WithTransportCredentials(creds),
		grpc.WithResolvers(staticResolverBuilder{"ipv4"}, staticResolverBuilder{"ipv6"},
			staticResolverBuilder{"static"}),
		grpc.WithDefaultServiceConfig(ServiceConfig(o.maxAttempts)),
		grpc.WithDefaultCallOptions(grpc.MaxCallRecvMsgSize(maxMessageBytes), grpc.MaxCallSendMsgSize(maxMessageBytes)),
	}
	dial = append(dial, o.dialOptions...)
	conn, err := grpc.NewClient(target, dial...)
	if err != nil {
		return nil, fmt.Errorf("docanalysis: %w", err)
	}
	return &Client{conn: conn, stub: pb.NewDocumentAnalysisClient(conn), admin: pb.NewPluginAdminClient(conn),
		adminToken: o.adminToken, timeout: o.timeout, encoding: o.encoding}, nil
}

// Close closes the channel. Calls in flight fail with CANCELED.
func (c *Client) Close() error { return c.conn.Close() }

// Stub returns the generated stub on the client's channel, for calls this wrapper does not cover.
func (c *Client) Stub() pb.DocumentAnalysisClient { return c.stub }

// Conn returns the underlying channel.
func (c *Client) Conn() *grpc.ClientConn { return c.conn }

func (c *Client) withDefaultDeadline(ctx context.Context) (context.Context, context.CancelFunc) {
	if _, ok := ctx.Deadline(); ok || c.timeout <= 0 {
		return ctx, func() {}
	}
	return context.WithTimeout(ctx, c.timeout)
}

// RequestOption shapes one AnalyzeRequest built by NewRequest or Analyze.
type RequestOption func(*pb.AnalyzeRequest)

// Features names the analyses to run ("entities", "sentiment", "summary", ...); none means the defaults.
func Features(names ...string) RequestOption {
	return func(r *pb.AnalyzeRequest) { r.Features = append(r.Features, names...) }
}

// Encoding sets the unit that response offsets count in.
func Encoding(e pb.EncodingType) RequestOption {
	return func(r *pb.AnalyzeRequest) { r.EncodingType = e }
}

// PluginOption sets a per-plugin option, e.g. PluginOption("summary.max_sentences", "2").
func PluginOption(key, value string) RequestOption {
	return func(r *pb.AnalyzeRequest) {
		if r.Options == nil {
			r.Options = map[string]string{}
		}
		r.Options[key] = value
	}
}

// DocumentID sets the document id echoed as AnalyzeResponse.document_id.
func DocumentID(id string) RequestOption {
	return func(r *pb.AnalyzeRequest) { r.Document.Id = id }
}

// HTML marks the content as HTML; offsets then count over the HTML source.
func HTML() RequestOption {
	return func(r *pb.AnalyzeRequest) { r.Document.Type = pb.Document_HTML }
}

// Language sets the BCP-47 language of the document (empty: detect).
func Language(lang string) RequestOption {
	return func(r *pb.AnalyzeRequest) { r.Document.Language = lang }
}

// NewRequest builds an AnalyzeRequest for text, with UTF-8 byte offsets unless Encoding says otherwise.
func NewRequest(text string, opts ...RequestOption) *pb.AnalyzeRequest {
	r := &pb.AnalyzeRequest{
		Document:     &pb.Document{Source: &pb.Document_Content{Content: text}},
		EncodingType: pb.EncodingType_UTF8,
	}
	for _, opt := range opts {
		opt(r)
	}
	return r
}

// NewRawRequest builds an AnalyzeRequest for bytes of unknown quality (a file from disk): the server
// checks that they are UTF-8 and names the first bad byte otherwise.
func NewRawRequest(data []byte, opts ...RequestOption) *pb.AnalyzeRequest {
	r := NewRequest("", opts...)
	r.Document.Source = &pb.Document_RawContent{RawContent: data}
	return r
}

// Analyze analyzes text. Offsets count in the client's encoding (WithEncoding; UTF-8 bytes by default)
// unless an Encoding request option says otherwise.
func (c *Client) Analyze(ctx context.Context, text string, opts ...RequestOption) (*pb.AnalyzeResponse, error) {
	r := NewRequest(text, append([]RequestOption{Encoding(c.encoding)}, opts...)...)
	return c.AnalyzeRequest(ctx, r)
}

// AnalyzeRequest sends a prepared request.
func (c *Client) AnalyzeRequest(ctx context.Context, req *pb.AnalyzeRequest) (*pb.AnalyzeResponse, error) {
	ctx, cancel := c.withDefaultDeadline(ctx)
	defer cancel()
	resp, err := c.stub.Analyze(ctx, req)
	if err != nil {
		return nil, wrapError("Analyze", err)
	}
	return resp, nil
}

// AnalyzeBatch analyzes many documents in one call. The call fails only when the batch itself is
// malformed; each response (in request order) carries its own error, see DocumentError.
func (c *Client) AnalyzeBatch(ctx context.Context, reqs []*pb.AnalyzeRequest) ([]*pb.AnalyzeResponse, error) {
	ctx, cancel := c.withDefaultDeadline(ctx)
	defer cancel()
	resp, err := c.stub.AnalyzeBatch(ctx, &pb.AnalyzeBatchRequest{Requests: reqs})
	if err != nil {
		return nil, wrapError("AnalyzeBatch", err)
	}
	return resp.GetResponses(), nil
}

// AnalyzeStream sends the requests of reqs over one bidirectional stream and yields one response per
// request, in request order. reqs is read lazily, as gRPC flow control lets requests go (back-pressure: a slow
// server or a slow loop body slows the reading of reqs; nothing is buffered without bound), so it may be
// unbounded. A document that fails alone comes back with its error field set (see DocumentError) and the
// stream goes on; a failure of the stream itself is yielded once as the error, and iteration ends.
// Stopping the iteration early cancels the stream, and reqs is not advanced again once AnalyzeStream's
// iteration has returned. The client's default timeout does not apply: bound the stream with ctx.
func (c *Client) AnalyzeStream(ctx context.Context, reqs iter.Seq[*pb.AnalyzeRequest]) iter.Seq2[*pb.AnalyzeResponse, error] {
	return func(yield func(*pb.AnalyzeResponse, error) bool) {
		ctx, cancel := context.WithCancel(ctx)
		defer cancel()
		stream, err := c.stub.AnalyzeStream(ctx)
		if err != nil {
			yield(nil, wrapError("AnalyzeStream", err))
			return
		}
		sendDone := make(chan error, 1)
		senderExited := make(chan struct{})
		// Wait for the sender before returning: once the loop is over the caller's iterator is not touched again.
		// The sender checks ctx before each request it pulls, and cancel() (deferred first, so run first) wakes
		// a Send blocked by flow control.
		defer func() { <-senderExited }()
		defer cancel()
		go func() {
			defer close(senderExited)
			for r := range reqs {
				if ctx.Err() != nil {
					sendDone <- nil
					return
				}
				if err := stream.Send(r); err != nil {
					// The real error comes from Recv; Send only reports io.EOF once the stream broke.
					sendDone <- nil
					return
				}
				if ctx.Err() != nil {
					sendDone <- nil
					return
				}
			}
			sendDone <- stream.CloseSend()
		}()
		for {
			resp, err := stream.Recv()
			if err != nil {
				if isEOF(err) {
					if serr := <-sendDone; serr != nil {
						yield(nil, wrapError("AnalyzeStream", serr))
					}
					return
				}
				yield(nil, wrapError("AnalyzeStream", err))
				return
			}
			if !yield(resp, nil) {
				return
			}
		}
	}
}

// ListPlugins lists the plugins the server has, with their state and last error.
func (c *Client) ListPlugins(ctx context.Context) (*pb.ListPluginsResponse, error) {
	ctx, cancel := c.withDefaultDeadline(ctx)
	defer cancel()
	resp, err := c.stub.ListPlugins(ctx, &pb.ListPluginsRequest{})
	if err != nil {
		return nil, wrapError("ListPlugins", err)
	}
	return resp, nil
}

func (c *Client) adminContext(ctx context.Context) (context.Context, context.CancelFunc) {
	ctx, cancel := c.withDefaultDeadline(ctx)
	if c.adminToken != "" {
		ctx = metadata.AppendToOutgoingContext(ctx, "authorization", "Bearer "+c.adminToken)
	}
	return ctx, cancel
}

// ReloadPlugins rescans the server's plugin folder (a PluginAdmin call: needs WithAdminToken).
func (c *Client) ReloadPlugins(ctx context.Context) (*pb.ReloadPluginsResponse, error) {
	ctx, cancel := c.adminContext(ctx)
	defer cancel()
	resp, err := c.admin.ReloadPlugins(ctx, &pb.ReloadPluginsRequest{})
	return resp, wrapError("ReloadPlugins", err)
}

// LoadPlugin loads (or reloads) the plugin in folder name of the server's plugin folder.
func (c *Client) LoadPlugin(ctx context.Context, name string) (*pb.LoadPluginResponse, error) {
	ctx, cancel := c.adminContext(ctx)
	defer cancel()
	resp, err := c.admin.LoadPlugin(ctx, &pb.LoadPluginRequest{Name: name})
	return resp, wrapError("LoadPlugin", err)
}

// UnloadPlugin unloads a plugin; requests already running finish on it.
func (c *Client) UnloadPlugin(ctx context.Context, name string) error {
	ctx, cancel := c.adminContext(ctx)
	defer cancel()
	_, err := c.admin.UnloadPlugin(ctx, &pb.UnloadPluginRequest{Name: name})
	return wrapError("UnloadPlugin", err)
}
