// Command docanalysis-go is the Go client's command line. It follows the contract every client's CLI follows
// (clients/README.md):
//
//	docanalysis-go analyze FILE... --target HOST:PORT [--features a,b] [--encoding utf8|utf16|utf32]
//	               [--timeout SECONDS] [--option plugin.key=value]... [--html] [--tls-ca F]
//	               [--tls-cert F --tls-key F] [--json]
//	docanalysis-go plugins --target HOST:PORT [--json] [--timeout SECONDS] [--tls-ca F] ...
//
// --json prints the response in protobuf's canonical JSON mapping (lowerCamelCase names, enums by name, int64 as
// strings, default values left out): one pretty-printed document for one FILE, one compact line per FILE for
// several. Without --json a short text summary is printed. FILE "-" reads standard input. Offsets default to utf8
// (byte offsets: Go strings are bytes). Flags may come before or after FILE. --target takes any gRPC target,
// including a fixed list "ipv4:127.0.0.1:50051,127.0.0.1:50052" over which calls are balanced round-robin.
//
// Exit status: 0 all is well; 2 usage error (one line on stderr); 3 the call failed (status code name and message
// on stderr); 4 the call succeeded but a plugin run failed (the JSON is still printed).
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/docanalysis/docanalysis/clients/go/docanalysis"
	pb "github.com/docanalysis/docanalysis/clients/go/docanalysisv1"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
)

// Exit statuses of the CLI contract.
const (
	exitOK         = 0
	exitUsage      = 2
	exitCallFailed = 3
	exitPartial    = 4
)

// usageError is a bad command line: exit 2, one line.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

func usagef(format string, a ...any) error { return &usageError{fmt.Sprintf(format, a...)} }

// errPartial: the call succeeded but a plugin run failed (already reported on stderr).
var errPartial = errors.New("a plugin run failed")

type multiFlag []string

func (m *multiFlag) String() string     { return strings.Join(*m, ",") }
func (m *multiFlag) Set(v string) error { *m = append(*m, v); return nil }

// secondsFlag is --timeout: a positive number of seconds.
type secondsFlag struct{ d time.Duration }

func (s *secondsFlag) String() string { return s.d.String() }
func (s *secondsFlag) Set(v string) error {
	f, err := strconv.ParseFloat(v, 64)
	if err != nil || !(f > 0) || math.IsInf(f, 0) {
		return fmt.Errorf("wants a positive number of seconds")
	}
	s.d = time.Duration(f * float64(time.Second))
	return nil
}

func main() {
	os.Exit(exitCode(run(os.Args[1:], os.Stdin, os.Stdout), os.Stderr))
}

// exitCode reports err on stderr in one line and maps it to the contract's exit status.
func exitCode(err error, stderr io.Writer) int {
	var ue *usageError
	var de *docanalysis.Error
	switch {
	case err == nil:
		return exitOK
	case errors.Is(err, errPartial):
		return exitPartial
	case errors.As(err, &ue):
		fmt.Fprintln(stderr, "docanalysis-go:", ue.msg)
		return exitUsage
	case errors.As(err, &de):
		fmt.Fprintf(stderr, "docanalysis-go: %s: %s\n", codeName(de), de.Message)
		return exitCallFailed
	default:
		fmt.Fprintln(stderr, "docanalysis-go:", err)
		return exitCallFailed
	}
}

// codeName is the status code's canonical name (INVALID_ARGUMENT), as the other clients print it.
func codeName(e *docanalysis.Error) string {
	names := map[uint32]string{0: "OK", 1: "CANCELLED", 2: "UNKNOWN", 3: "INVALID_ARGUMENT", 4: "DEADLINE_EXCEEDED",
		5: "NOT_FOUND", 6: "ALREADY_EXISTS", 7: "PERMISSION_DENIED", 8: "RESOURCE_EXHAUSTED", 9: "FAILED_PRECONDITION",
		10: "ABORTED", 11: "OUT_OF_RANGE", 12: "UNIMPLEMENTED", 13: "INTERNAL", 14: "UNAVAILABLE", 15: "DATA_LOSS",
		16: "UNAUTHENTICATED"}
	if n, ok := names[uint32(e.Code)]; ok {
		return n
	}
	return e.Code.String()
}

func run(args []string, stdin io.Reader, stdout io.Writer) error {
	if len(args) == 0 {
		return usagef("missing command (analyze or plugins)")
	}
	cmd, args := args[0], args[1:]
	if cmd != "analyze" && cmd != "plugins" {
		return usagef("unknown command %q (analyze or plugins)", cmd)
	}
	fs := flag.NewFlagSet("docanalysis-go "+cmd, flag.ContinueOnError)
	fs.SetOutput(io.Discard) // errors are reported in one line by exitCode
	target := fs.String("target", os.Getenv("DOCANALYSIS_TARGET"), "server: HOST:PORT or any gRPC target")
	features := fs.String("features", "", "comma-separated features (default: the server's defaults)")
	encoding := fs.String("encoding", "utf8", "offset encoding: utf8, utf16 or utf32")
	asJSON := fs.Bool("json", false, "print the response in protobuf's canonical JSON mapping")
	html := fs.Bool("html", false, "the document is HTML")
	var timeout secondsFlag
	fs.Var(&timeout, "timeout", "deadline of each call in seconds (default: none)")
	useTLS := fs.Bool("tls", false, "connect with TLS (system roots unless --tls-ca)")
	caFile := fs.String("tls-ca", "", "PEM file of the CA to trust (implies TLS)")
	certFile := fs.String("tls-cert", "", "client certificate chain, PEM (mutual TLS; with --tls-key)")
	keyFile := fs.String("tls-key", "", "client private key, PEM (mutual TLS; with --tls-cert)")
	serverName := fs.String("server-name", "", "name to check the server certificate against")
	var opts multiFlag
	fs.Var(&opts, "option", "plugin option plugin.key=value (repeatable)")
	// Flags may follow the positional FILEs: parse, take one positional, parse the rest.
	var positional []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return usagef("usage: docanalysis-go analyze FILE... --target HOST:PORT [flags] (see clients/README.md)")
			}
			// The flag package names flags with one dash; the contract (and the usage) with two.
			msg := strings.NewReplacer("flag -", "flag --", "defined: -", "defined: --").Replace(err.Error())
			return usagef("%s", msg)
		}
		if fs.NArg() == 0 {
			break
		}
		positional = append(positional, fs.Arg(0))
		args = fs.Args()[1:]
	}
	if *target == "" {
		return usagef("--target HOST:PORT is required")
	}
	if (*certFile == "") != (*keyFile == "") {
		return usagef("--tls-cert and --tls-key go together")
	}

	copts := []docanalysis.Option{docanalysis.WithTimeout(timeout.d)}
	if *useTLS || *caFile != "" || *certFile != "" {
		copts = append(copts, docanalysis.WithTLSFromFile(*caFile, *serverName))
	}
	if *certFile != "" {
		copts = append(copts, docanalysis.WithClientCertificate(*certFile, *keyFile))
	}
	ctx := context.Background()

	if cmd == "plugins" {
		if len(positional) != 0 {
			return usagef("plugins takes no FILE")
		}
		client, err := docanalysis.New(*target, copts...)
		if err != nil {
			return usagef("%v", err)
		}
		defer client.Close()
		resp, err := client.ListPlugins(ctx)
		if err != nil {
			return err
		}
		if *asJSON {
			return printJSON(stdout, resp, true)
		}
		for _, p := range resp.GetPlugins() {
			fmt.Fprintf(stdout, "%-12s %-8s %-7s features=%s %s\n", p.GetName(), p.GetVersion(), p.GetState(),
				strings.Join(p.GetFeatures(), ","), p.GetLastError())
		}
		return nil
	}

	if len(positional) == 0 {
		return usagef("analyze takes FILE... (or - for stdin)")
	}
	enc, ok := pb.EncodingType_value[strings.ToUpper(*encoding)]
	if !ok || enc == 0 {
		return usagef("unknown --encoding %q (utf8, utf16 or utf32)", *encoding)
	}
	ropts := []docanalysis.RequestOption{docanalysis.Encoding(pb.EncodingType(enc))}
	if *features != "" {
		var names []string
		for _, f := range strings.Split(*features, ",") {
			if f = strings.TrimSpace(f); f != "" {
				names = append(names, f)
			}
		}
		ropts = append(ropts, docanalysis.Features(names...))
	}
	if *html {
		ropts = append(ropts, docanalysis.HTML())
	}
	for _, kv := range opts {
		k, v, ok := strings.Cut(kv, "=")
		if !ok || k == "" {
			return usagef("--option wants plugin.key=value, got %q", kv)
		}
		ropts = append(ropts, docanalysis.PluginOption(k, v))
	}
	docs := make([][]byte, len(positional))
	for i, p := range positional {
		data, err := readInput(p, stdin)
		if err != nil {
			return usagef("cannot read %s: %v", p, err)
		}
		docs[i] = data
	}
	client, err := docanalysis.New(*target, copts...)
	if err != nil {
		return usagef("%v", err)
	}
	defer client.Close()
	partial := false
	for _, data := range docs {
		// Valid UTF-8 goes as text; anything else as raw bytes, which the server rejects naming the bad byte.
		req := docanalysis.NewRawRequest(data, ropts...)
		if utf8.Valid(data) {
			req = docanalysis.NewRequest(string(data), ropts...)
		}
		resp, err := client.AnalyzeRequest(ctx, req)
		if err != nil {
			return err
		}
		if *asJSON {
			if err := printJSON(stdout, resp, len(docs) == 1); err != nil {
				return err
			}
		} else {
			printResponse(stdout, resp)
		}
		for _, run := range docanalysis.FailedPluginRuns(resp) {
			fmt.Fprintf(os.Stderr, "docanalysis-go: plugin %s failed: %d: %s\n", run.GetPlugin(), run.GetCode(),
				run.GetMessage())
			partial = true
		}
	}
	if partial {
		return errPartial
	}
	return nil
}

func readInput(path string, stdin io.Reader) ([]byte, error) {
	if path == "-" {
		return io.ReadAll(stdin)
	}
	return os.ReadFile(path)
}

// printJSON prints msg in protobuf's canonical JSON mapping. protojson deliberately varies its whitespace
// from run to run; the output is re-indented so that it is stable (two spaces, like the other clients).
func printJSON(w io.Writer, msg proto.Message, pretty bool) error {
	b, err := protojson.Marshal(msg)
	if err != nil {
		return err
	}
	var out bytes.Buffer
	if pretty {
		err = json.Indent(&out, b, "", "  ")
	} else {
		err = json.Compact(&out, b)
	}
	if err != nil {
		return err
	}
	out.WriteByte('\n')
	_, err = w.Write(out.Bytes())
	return err
}

func printResponse(w io.Writer, r *pb.AnalyzeResponse) {
	fmt.Fprintf(w, "language: %s, %d sentences, %d tokens\n", r.GetLanguage(), len(r.GetSentences()), r.GetTokenCount())
	if s := r.GetDocumentSentiment(); s != nil {
		fmt.Fprintf(w, "sentiment: score %.3f, magnitude %.3f\n", s.GetScore(), s.GetMagnitude())
	}
	if len(r.GetEntities()) > 0 {
		fmt.Fprintln(w, "entities:")
		for _, e := range r.GetEntities() {
			fmt.Fprintf(w, "  %-30s %-12s salience %.3f, %d mentions\n", e.GetName(), e.GetType(), e.GetSalience(),
				len(e.GetMentions()))
		}
	}
	if t := r.GetSummary().GetText(); t != "" {
		fmt.Fprintf(w, "summary: %s\n", t)
	}
}
