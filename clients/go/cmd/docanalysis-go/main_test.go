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
	if _, ok := got["pluginRuns"]; !ok {
		t.Errorf("no pluginRuns (canonical JSON names) in %s", out.String())
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

func TestExitStatusesOfTheContract(t *testing.T) {
	path := filepath.Join(t.TempDir(), "doc.txt")
	if err := os.WriteFile(path, []byte(doc), 0o600); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		args []string
		want int
		msg  string
	}{
		{[]string{"analyze", path, "--target", target, "--json"}, 0, ""},
		{[]string{"analyze", path, "--target", target, "--features", "no-such-feature"}, 3, "INVALID_ARGUMENT"},
		{[]string{"analyze", path, "--target", target, "--timeout", "abc"}, 2, "--timeout"},
		{[]string{"analyze", path, "--target", target, "--timeout", "-3"}, 2, "--timeout"},
		{[]string{"analyze", path, "--target", target, "--option", "novalue"}, 2, "--option"},
		{[]string{"analyze", path, "--target", target, "--no-such-flag"}, 2, "no-such-flag"},
		{[]string{"analyze", path, "--target", target, "--tls-cert", path}, 2, "--tls-key"},
		{[]string{"analyze", path + ".missing", "--target", target}, 2, "cannot read"},
		{[]string{"analyze", path, "--target", "127.0.0.1:1", "--timeout", "5"}, 3, "UNAVAILABLE"},
	}
	for _, c := range cases {
		var out, errb bytes.Buffer
		got := exitCode(run(c.args, nil, &out), &errb)
		if got != c.want || !strings.Contains(errb.String(), c.msg) || strings.Count(errb.String(), "\n") > 1 {
			t.Errorf("%v: exit %d, stderr %q; want %d with %q in one line", c.args[2:], got, errb.String(), c.want, c.msg)
		}
	}
}

func TestOptionReachesThePlugin(t *testing.T) {
	path := filepath.Join(t.TempDir(), "doc.txt")
	if err := os.WriteFile(path, []byte(doc), 0o600); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := run([]string{"analyze", path, "--target", target, "--json", "--features", "summary",
		"--option", "summary.max_sentences=1"}, nil, &out); err != nil {
		t.Fatal(err)
	}
	var got struct {
		Summary struct{ Sentences []any } `json:"summary"`
	}
	if err := json.Unmarshal(out.Bytes(), &got); err != nil || len(got.Summary.Sentences) != 1 {
		t.Errorf("summary.max_sentences=1: %v, %s", err, out.String())
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
