// Package testserver gives the tests of the Go client a live docanalysis server: the one at
// DOCANALYSIS_TARGET when set, else the real docanalysis-server binary (DOCANALYSIS_SERVER, default
// <repo>/build/service/docanalysis-server) with DOCANALYSIS_PLUGIN_DIR (default <repo>/build/plugins),
// started on 127.0.0.1:0. Used only by tests.
package testserver

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"syscall"
	"time"

	pb "github.com/docanalysis/docanalysis/clients/go/docanalysisv1"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/status"
)

var listeningRE = regexp.MustCompile(`listening on (\S+:\d+)`)

// RepoRoot returns the repository root, found as the folder above clients/go holding protos/.
func RepoRoot() string {
	wd, _ := os.Getwd()
	for d := wd; ; d = filepath.Dir(d) {
		if _, err := os.Stat(filepath.Join(d, "protos", "docanalysis", "v1", "docanalysis.proto")); err == nil {
			return d
		}
		if filepath.Dir(d) == d {
			return filepath.Clean(filepath.Join(wd, "..", "..", ".."))
		}
	}
}

func envOr(k, def string) string {
	if v := os.Getenv(k); v != "" {
		return v
	}
	return def
}

// Start starts the real docanalysis-server on 127.0.0.1:0 and returns its target once it prints
// "listening on HOST:PORT", and a function that stops it with SIGTERM. extra are more server flags.
func Start(extra ...string) (string, func(), error) {
	root := RepoRoot()
	bin := envOr("DOCANALYSIS_SERVER", filepath.Join(root, "build", "service", "docanalysis-server"))
	plugins := envOr("DOCANALYSIS_PLUGIN_DIR", filepath.Join(root, "build", "plugins"))
	if _, err := os.Stat(bin); err != nil {
		return "", nil, fmt.Errorf("no server binary at %s (set DOCANALYSIS_TARGET, or DOCANALYSIS_SERVER and "+
			"DOCANALYSIS_PLUGIN_DIR): %v", bin, err)
	}
	cmd := exec.Command(bin, append([]string{"--listen", "127.0.0.1:0", "--plugin_dir", plugins}, extra...)...)
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		return "", nil, err
	}
	if err := cmd.Start(); err != nil {
		return "", nil, err
	}
	stop := func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		done := make(chan struct{})
		go func() { _ = cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(15 * time.Second):
			_ = cmd.Process.Kill()
			<-done
		}
	}
	found := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(out)
		sent := false
		for sc.Scan() {
			if m := listeningRE.FindStringSubmatch(sc.Text()); m != nil && !sent {
				found <- m[1]
				sent = true
			}
		}
		_, _ = io.Copy(io.Discard, out)
		if !sent {
			close(found)
		}
	}()
	select {
	case t, ok := <-found:
		if !ok {
			stop()
			return "", nil, fmt.Errorf("server %s exited before printing 'listening on'", bin)
		}
		if err := WaitServing(t, 30*time.Second); err != nil {
			stop()
			return "", nil, err
		}
		return t, stop, nil
	case <-time.After(30 * time.Second):
		stop()
		return "", nil, fmt.Errorf("server %s printed no 'listening on' line within 30 s", bin)
	}
}

// WaitServing waits until the server at target reports SERVING on the standard health service (plugins
// load after the port opens), or, for a server without it, until it lists a loaded plugin.
func WaitServing(target string, timeout time.Duration) error {
	conn, err := grpc.NewClient(target, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		return err
	}
	defer conn.Close()
	health := healthpb.NewHealthClient(conn)
	plugins := pb.NewDocumentAnalysisClient(conn)
	deadline := time.Now().Add(timeout)
	var last error
	for time.Now().Before(deadline) {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		r, err := health.Check(ctx, &healthpb.HealthCheckRequest{})
		if status.Code(err) == codes.Unimplemented {
			var lp *pb.ListPluginsResponse
			if lp, err = plugins.ListPlugins(ctx, &pb.ListPluginsRequest{}); err == nil && len(lp.GetPlugins()) > 0 {
				cancel()
				return nil
			}
		} else if err == nil && r.GetStatus() == healthpb.HealthCheckResponse_SERVING {
			cancel()
			return nil
		}
		cancel()
		last = err
		time.Sleep(100 * time.Millisecond)
	}
	return fmt.Errorf("server at %s not serving after %v (last error: %v)", target, timeout, last)
}

// Target returns the target of a live server and a function that stops it (a no-op for
// DOCANALYSIS_TARGET).
func Target() (string, func(), error) {
	if t := os.Getenv("DOCANALYSIS_TARGET"); t != "" {
		return t, func() {}, nil
	}
	return Start()
}
