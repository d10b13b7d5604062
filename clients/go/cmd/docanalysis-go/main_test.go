package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/docanalysis/docanalysis/clients/go/internal/testserver"
)

var target string

func TestMain(m *testing.M) {
	t, stop, err := testserver.Target()
	if err != nil {
		fmt.Fprintln(os.Stderr, "docanalysis-go tests:", err)
		os.Exit(1)
	}
	target = t
	code := m.Run()
	stop()
	os.Exit(code)
}

const doc = "Barack Obama spoke in Chicago on Friday. The crowd loved the speech. Critics called it dull."

func TestAnalyzeJSONWithFlagsAfterFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "doc.txt")
	if err := os.WriteFile(path, []byte(doc), 0o600); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := run([]string{"analyze", path, "--target", target, "--encoding", "utf16", "--json"}, nil, &out); err != nil {
		t.Fatalf("run: %v", err)
	}
	var got map[string]any
	if err := json.Unmarshal(out.Bytes(), &got); err != nil {
		t.Fatalf("output is not JSON: %v\n%s", err, out.String())
	}
	sentences, _ := got["sentences"].([]any)
	if len(sentences) != 3 {
		t.Errorf("%d sentences in %s", len(sentences), out.String())
	}
	if _, ok := got["plugin_runs"]; !ok {
		t.Errorf("no plugin_runs (proto field names) in %s", out.String())
	}
}

func TestAnalyzeStdinText(t *testing.T) {
	var out bytes.Buffer
	if err := run([]string{"analyze", "-", "--target", target, "--features", "sentiment"}, strings.NewReader(doc), &out); err != nil {
		t.Fatalf("run: %v", err)
	}
	if !strings.Contains(out.String(), "3 sentences") {
		t.Errorf("text output lacks the sentence count:\n%s", out.String())
	}
}

func TestBadInputsFail(t *testing.T) {
	var out bytes.Buffer
	if err := run([]string{"analyze", "--target", target}, nil, &out); err == nil {
		t.Errorf("analyze without FILE succeeded")
	}
	if err := run([]string{"analyze", "-", "--target", target, "--encoding", "latin1"}, strings.NewReader(doc), &out); err == nil {
		t.Errorf("unknown encoding accepted")
	}
	if err := run([]string{"frobnicate", "--target", target}, nil, &out); err == nil {
		t.Errorf("unknown command accepted")
	}
}
