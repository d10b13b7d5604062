package io.docanalysis.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.util.JsonFormat;
import io.docanalysis.v1.AnalyzeResponse;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CliTest {
  static final String DOC = "Barack Obama spoke in Chicago on Friday. The crowd loved the speech. Critics called it dull.";

  static int run(String stdin, ByteArrayOutputStream out, String... args) {
    return runWithErr(stdin, out, new ByteArrayOutputStream(), args);
  }

  static int runWithErr(String stdin, ByteArrayOutputStream out, ByteArrayOutputStream err, String... args) {
    return Cli.run(
        args,
        new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)),
        new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
  }

  @Test
  void analyzeFilePrintsProtoJson(@TempDir Path dir) throws Exception {
    Path f = dir.resolve("doc.txt");
    Files.writeString(f, DOC);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    assertEquals(0, run("", out, "analyze", f.toString(), "--target", LiveServer.target(), "--json"));
    String json = out.toString(StandardCharsets.UTF_8);
    assertTrue(json.contains("\"pluginRuns\"") && !json.contains("plugin_runs"), "canonical JSON names: " + json);
    AnalyzeResponse.Builder b = AnalyzeResponse.newBuilder();
    JsonFormat.parser().merge(json, b);
    assertEquals(3, b.getSentencesCount());
  }

  @Test
  void analyzeStdinAsText() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    assertEquals(0, run(DOC, out, "analyze", "-", "--target=" + LiveServer.target(), "--features", "sentiment"));
    assertTrue(out.toString(StandardCharsets.UTF_8).contains("3 sentences"), out.toString(StandardCharsets.UTF_8));
  }

  @Test
  void usageAndCallErrors() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    assertEquals(2, run("", out, "analyze", "--target", LiveServer.target()));
    assertEquals(2, run(DOC, out, "analyze", "-", "--encoding", "latin1", "--target", LiveServer.target()));
    assertEquals(2, run("", out, "frobnicate"));
    // Nothing listens on port 1 of loopback: the call fails with UNAVAILABLE.
    assertEquals(3, run(DOC, out, "analyze", "-", "--target", "127.0.0.1:1", "--timeout", "3"));
  }

  @Test
  void exitStatusesOfTheContract(@TempDir Path dir) throws Exception {
    Path f = dir.resolve("doc.txt");
    Files.writeString(f, DOC);
    String t = LiveServer.target();
    String[][] usage = {
      {"--timeout", "abc"}, {"--timeout", "-1"}, {"--option", "novalue"}, {"--no-such-flag"},
      {"--tls-cert", f.toString()}, {"--timeout"}
    };
    for (String[] extra : usage) {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      ByteArrayOutputStream err = new ByteArrayOutputStream();
      String[] args = new String[4 + extra.length];
      args[0] = "analyze";
      args[1] = f.toString();
      args[2] = "--target";
      args[3] = t;
      System.arraycopy(extra, 0, args, 4, extra.length);
      assertEquals(2, runWithErr("", out, err, args), String.join(" ", extra));
      String e = err.toString(StandardCharsets.UTF_8).strip();
      assertEquals(1, e.lines().count(), "one line: " + e);
      assertTrue(!e.contains("Exception") && !e.contains("\tat "), "no stack trace: " + e);
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    assertEquals(3, runWithErr("", out, err, "analyze", f.toString(), "--target", t, "--features", "no-such-feature"));
    assertTrue(err.toString(StandardCharsets.UTF_8).contains("INVALID_ARGUMENT"), err.toString(StandardCharsets.UTF_8));
    assertEquals(2, run("", out, "analyze", f + ".missing", "--target", t));
    out.reset();
    assertEquals(
        0,
        run("", out, "analyze", f.toString(), "--target", t, "--json", "--features", "summary", "--option",
            "summary.max_sentences=1"));
    AnalyzeResponse.Builder b = AnalyzeResponse.newBuilder();
    JsonFormat.parser().merge(out.toString(StandardCharsets.UTF_8), b);
    assertEquals(1, b.getSummary().getSentencesCount());
    out.reset();
    assertEquals(0, run("", out, "analyze", f.toString(), f.toString(), "--target", t, "--json", "--features", "sentiment"));
    assertEquals(2, out.toString(StandardCharsets.UTF_8).strip().lines().count());
  }
}
