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
    return Cli.run(
        args,
        new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)),
        new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
  }

  @Test
  void analyzeFilePrintsProtoJson(@TempDir Path dir) throws Exception {
    Path f = dir.resolve("doc.txt");
    Files.writeString(f, DOC);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    assertEquals(0, run("", out, "analyze", f.toString(), "--target", LiveServer.target(), "--json"));
    String json = out.toString(StandardCharsets.UTF_8);
    assertTrue(json.contains("\"plugin_runs\""), "proto field names: " + json);
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
    assertEquals(3, run(DOC, out, "analyze", "-", "--target", "127.0.0.1:1", "--timeout-ms", "3000"));
  }
}
