package docanalysis_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/docanalysis/docanalysis/clients/go/docanalysis"
	pb "github.com/docanalysis/docanalysis/clients/go/docanalysisv1"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/status"
)

// faultProxy sits in front of the live server: it answers the first failFirst Analyze attempts with
// UNAVAILABLE (a replica going away) and forwards everything else to the real server. It injects
// faults and terminates TLS; the analysis itself always comes from the real server.
type faultProxy struct {
	pb.UnimplementedDocumentAnalysisServer
	upstream  pb.DocumentAnalysisClient
	failFirst int64
	delay     time.Duration // held before forwarding (or until the call's deadline)
	attempts  atomic.Int64
	deadlines atomic.Int64 // calls that arrived with a deadline
}

func (p *faultProxy) Analyze(ctx context.Context, req *pb.AnalyzeRequest) (*pb.AnalyzeResponse, error) {
	if n := p.attempts.Add(1); n <= p.failFirst {
		return nil, status.Errorf(codes.Unavailable, "injected fault %d: replica restarting", n)
	}
	if _, ok := ctx.Deadline(); ok {
		p.deadlines.Add(1)
	}
	if p.delay > 0 {
		select {
		case <-time.After(p.delay):
		case <-ctx.Done():
			return nil, status.FromContextError(ctx.Err()).Err()
		}
	}
	return p.upstream.Analyze(ctx, req)
}

func (p *faultProxy) ListPlugins(ctx context.Context, req *pb.ListPluginsRequest) (*pb.ListPluginsResponse, error) {
	return p.upstream.ListPlugins(ctx, req)
}

// startProxy serves a faultProxy on 127.0.0.1:0 (with TLS when cert is not nil) and returns its address.
func startProxy(t *testing.T, failFirst int64, cert *tls.Certificate) (*faultProxy, string) {
	return startProxyWith(t, &faultProxy{failFirst: failFirst}, cert)
}

func startProxyWith(t *testing.T, p *faultProxy, cert *tls.Certificate) (*faultProxy, string) {
	t.Helper()
	up, err := grpc.NewClient(target, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { up.Close() })
	var opts []grpc.ServerOption
	if cert != nil {
		opts = append(opts, grpc.Creds(credentials.NewServerTLSFromCert(cert)))
	}
	srv := grpc.NewServer(opts...)
	p.upstream = pb.NewDocumentAnalysisClient(up)
	pb.RegisterDocumentAnalysisServer(srv, p)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(l)
	t.Cleanup(srv.Stop)
	return p, l.Addr().String()
}

func TestRetriesOnUnavailable(t *testing.T) {
	p, addr := startProxy(t, 2, nil)
	c, err := docanalysis.New(addr) // default: 4 attempts
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	resp, err := c.Analyze(context.Background(), englishDoc)
	if err != nil {
		t.Fatalf("Analyze through a replica that fails twice: %v", err)
	}
	if len(resp.GetSentences()) != 4 {
		t.Errorf("%d sentences, want 4", len(resp.GetSentences()))
	}
	if got := p.attempts.Load(); got != 3 {
		t.Errorf("%d attempts reached the proxy, want 3", got)
	}

	// Without retries the first UNAVAILABLE comes back, with the server's message.
	p2, addr2 := startProxy(t, 1, nil)
	c2, err := docanalysis.New(addr2, docanalysis.WithMaxAttempts(1))
	if err != nil {
		t.Fatal(err)
	}
	defer c2.Close()
	_, err = c2.Analyze(context.Background(), englishDoc)
	if docanalysis.Code(err) != codes.Unavailable || !strings.Contains(err.Error(), "injected fault 1") {
		t.Errorf("no retries: %v, want UNAVAILABLE with the injected message", err)
	}
	if got := p2.attempts.Load(); got != 1 {
		t.Errorf("%d attempts with retries off, want 1", got)
	}
}

// selfSignedCert makes a throwaway certificate for 127.0.0.1 and localhost.
func selfSignedCert(t *testing.T) (tls.Certificate, []byte) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "docanalysis test"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(time.Hour),
		IPAddresses:           []net.IP{net.ParseIP("127.0.0.1")},
		DNSNames:              []string{"localhost"},
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		IsCA:                  true,
		BasicConstraintsValid: true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	certPEM := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
	keyDER, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := tls.X509KeyPair(certPEM, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: keyDER}))
	if err != nil {
		t.Fatal(err)
	}
	return cert, certPEM
}

func TestTLS(t *testing.T) {
	cert, certPEM := selfSignedCert(t)
	_, addr := startProxy(t, 0, &cert)
	caFile := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(caFile, certPEM, 0o600); err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(certPEM)
	for name, opt := range map[string]docanalysis.Option{
		"WithTLS":         docanalysis.WithTLS(&tls.Config{RootCAs: pool}),
		"WithTLSFromFile": docanalysis.WithTLSFromFile(caFile, ""),
	} {
		c, err := docanalysis.New(addr, opt)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := c.Analyze(context.Background(), englishDoc); err != nil {
			t.Errorf("%s: %v", name, err)
		}
		c.Close()
	}
	// Plaintext to a TLS port, and TLS that does not trust the certificate, both fail.
	for name, opts := range map[string][]docanalysis.Option{
		"plaintext":      nil,
		"untrusted cert": {docanalysis.WithTLS(&tls.Config{RootCAs: x509.NewCertPool()})},
	} {
		c, err := docanalysis.New(addr, append(opts, docanalysis.WithTimeout(5*time.Second), docanalysis.WithMaxAttempts(1))...)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := c.Analyze(context.Background(), englishDoc); docanalysis.Code(err) != codes.Unavailable {
			t.Errorf("%s: %v, want UNAVAILABLE", name, err)
		}
		c.Close()
	}
}

func TestRoundRobinSpreadsCallsOverReplicas(t *testing.T) {
	p1, a1 := startProxy(t, 0, nil)
	p2, a2 := startProxy(t, 0, nil)
	c, err := docanalysis.New("ipv4:" + a1 + "," + a2)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	// Wait until both subchannels are up, so that round-robin has both to pick from.
	for i := 0; i < 50 && (p1.attempts.Load() == 0 || p2.attempts.Load() == 0); i++ {
		if _, err := c.Analyze(context.Background(), "One sentence."); err != nil {
			t.Fatal(err)
		}
	}
	n1, n2 := p1.attempts.Load(), p2.attempts.Load()
	for range 10 {
		if _, err := c.Analyze(context.Background(), "One sentence."); err != nil {
			t.Fatal(err)
		}
	}
	if d1, d2 := p1.attempts.Load()-n1, p2.attempts.Load()-n2; d1 != 5 || d2 != 5 {
		t.Errorf("10 calls went %d / %d to the two replicas, want 5 / 5", d1, d2)
	}
}

func TestDeadlineReachesTheServer(t *testing.T) {
	p, addr := startProxyWith(t, &faultProxy{delay: 500 * time.Millisecond}, nil)
	c, err := docanalysis.New(addr, docanalysis.WithTimeout(100*time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	start := time.Now()
	_, err = c.Analyze(context.Background(), englishDoc)
	if docanalysis.Code(err) != codes.DeadlineExceeded {
		t.Errorf("slow replica: %v, want DEADLINE_EXCEEDED", err)
	}
	if el := time.Since(start); el > 480*time.Millisecond {
		t.Errorf("the call took %v despite a 100 ms deadline", el)
	}
	if p.deadlines.Load() == 0 {
		t.Errorf("the deadline did not reach the server")
	}
	c2, err := docanalysis.New(addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c2.Close()
	if _, err := c2.Analyze(context.Background(), englishDoc); err != nil {
		t.Errorf("default 30 s deadline: %v", err)
	}
}
