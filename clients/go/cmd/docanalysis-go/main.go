// Command docanalysis-go is the example command of the Go client: it analyzes a file (or stdin) with a
// docanalysis server and prints the result, as text or as protobuf JSON.
//
//	docanalysis-go analyze FILE|- --target HOST:PORT [--features a,b] [--encoding utf8|utf16|utf32] [--json]
//	docanalysis-go plugins --target HOST:PORT [--json]
//
// Flags may come before or after FILE. --target takes any gRPC target, including a fixed list
// "ipv4:127.0.0.1:50051,127.0.0.1:50052" over which calls are balanced round-robin.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/docanalysis/docanalysis/clients/go/docanalysis"
	pb "github.com/docanalysis/docanalysis/clients/go/docanalysisv1"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
)

const usage = `usage:
  docanalysis-go analyze FILE|- --target HOST:PORT [--features a,b] [--encoding utf8|utf16|utf32]
                 [--option plugin.key=value]... [--json] [--timeout 30s] [--tls] [--ca FILE]
  docanalysis-go plugins --target HOST:PORT [--json]
`

type multiFlag []string

func (m *multiFlag) String() string     { return strings.Join(*m, ",") }
func (m *multiFlag) Set(v string) error { *m = append(*m, v); return nil }

func main() {
	if err := run(os.Args[1:], os.Stdin, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "docanalysis-go:", err)
		var e *docanalysis.Error
		if errors.As(err, &e) {
			os.Exit(3)
		}
		os.Exit(1)
	}
}

func run(args []string, stdin io.Reader, stdout io.Writer) error {
	if len(args) == 0 {
		return errors.New("missing command\n" + usage)
	}
	cmd, args := args[0], args[1:]
	fs := flag.NewFlagSet("docanalysis-go "+cmd, flag.ContinueOnError)
	target := fs.String("target", envOr("DOCANALYSIS_TARGET", "127.0.0.1:50051"), "server: HOST:PORT or any gRPC target")
	features := fs.String("features", "", "comma-separated features (default: the server's defaults)")
	encoding := fs.String("encoding", "utf8", "offset encoding: utf8, utf16 or utf32")
	asJSON := fs.Bool("json", false, "print the response as protobuf JSON (proto field names)")
	timeout := fs.Duration("timeout", 30*time.Second, "deadline of the call")
	useTLS := fs.Bool("tls", false, "connect with TLS")
	caFile := fs.String("ca", "", "PEM file of the CA to trust (implies --tls)")
	var opts multiFlag
	fs.Var(&opts, "option", "plugin option plugin.key=value (repeatable)")
	// Flags may follow the positional FILE: parse, take one positional, parse the rest.
	var positional []string
	for {
		if err := fs.Parse(args); err != nil {
			return err
		}
		if fs.NArg() == 0 {
			break
		}
		positional = append(positional, fs.Arg(0))
		args = fs.Args()[1:]
	}

	var copts []docanalysis.Option
	copts = append(copts, docanalysis.WithTimeout(*timeout))
	if *useTLS || *caFile != "" {
		copts = append(copts, docanalysis.WithTLSFromFile(*caFile, ""))
	}
	client, err := docanalysis.New(*target, copts...)
	if err != nil {
		return err
	}
	defer client.Close()
	ctx := context.Background()
	marshal := protojson.MarshalOptions{UseProtoNames: true, Multiline: true}

	switch cmd {
	case "analyze":
		if len(positional) != 1 {
			return errors.New("analyze takes one FILE (or - for stdin)\n" + usage)
		}
		data, err := readInput(positional[0], stdin)
		if err != nil {
			return err
		}
		enc, ok := pb.EncodingType_value[strings.ToUpper(*encoding)]
		if !ok {
			return fmt.Errorf("unknown encoding %q (utf8, utf16 or utf32)", *encoding)
		}
		ropts := []docanalysis.RequestOption{docanalysis.Encoding(pb.EncodingType(enc))}
		if *features != "" {
			ropts = append(ropts, docanalysis.Features(strings.Split(*features, ",")...))
		}
		for _, kv := range opts {
			k, v, ok := strings.Cut(kv, "=")
			if !ok {
				return fmt.Errorf("--option %q: want plugin.key=value", kv)
			}
			ropts = append(ropts, docanalysis.PluginOption(k, v))
		}
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
			return printJSON(stdout, marshal, resp)
		}
		printResponse(stdout, resp)
	case "plugins":
		resp, err := client.ListPlugins(ctx)
		if err != nil {
			return err
		}
		if *asJSON {
			return printJSON(stdout, marshal, resp)
		}
		for _, p := range resp.GetPlugins() {
			fmt.Fprintf(stdout, "%-12s %-8s %-7s features=%s %s\n", p.GetName(), p.GetVersion(), p.GetState(),
				strings.Join(p.GetFeatures(), ","), p.GetLastError())
		}
	default:
		return fmt.Errorf("unknown command %q\n%s", cmd, usage)
	}
	return nil
}

func readInput(path string, stdin io.Reader) ([]byte, error) {
	if path == "-" {
		return io.ReadAll(stdin)
	}
	return os.ReadFile(path)
}

func printJSON(w io.Writer, m protojson.MarshalOptions, msg proto.Message) error {
	b, err := m.Marshal(msg)
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(w, "%s\n", b)
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
	for _, run := range r.GetPluginRuns() {
		if run.GetCode() != 0 {
			fmt.Fprintf(w, "plugin %s failed: code %d: %s\n", run.GetPlugin(), run.GetCode(), run.GetMessage())
		}
	}
}

func envOr(k, def string) string {
	if v := os.Getenv(k); v != "" {
		return v
	}
	return def
}
