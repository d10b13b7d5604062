package io.docanalysis.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.docanalysis.v1.AnalyzeRequest;
import io.docanalysis.v1.AnalyzeResponse;
import io.docanalysis.v1.EncodingType;
import io.docanalysis.v1.Entity;
import io.docanalysis.v1.EntityMention;
import io.docanalysis.v1.ListPluginsResponse;
import io.docanalysis.v1.PluginInfo;
import io.docanalysis.v1.PluginRun;
import io.docanalysis.v1.Sentence;
import io.docanalysis.v1.TextSpan;
import io.grpc.Status;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The blocking and future clients against a live server (see {@link LiveServer}). */
class DocanalysisClientTest {
  /** Written for these tests: accents, CJK and emoji before many spans, so the encodings all differ. */
  static final String UNICODE_DOC =
      "Angela Merkel met Emmanuel Macron in Paris on Tuesday 😀. "
          + "Zoë Saldaña flew from São Paulo to 東京 with engineers from Microsoft. "
          + "The 会議 in Berlin was a great success 🎉, said Sundar Pichai of Google. "
          + "Critics in München called the plan terrible and wasteful.";

  static final String ENGLISH_DOC =
      "Apple announced record profits on Monday. Tim Cook said the company would open a new "
          + "office in London next year. Investors were delighted, and the shares rose sharply. "
          + "Analysts at Goldman Sachs warned that the growth could slow in Europe.";

  static String target;
  static DocanalysisClient client;
  static DocanalysisFutureClient futures;

  @BeforeAll
  static void connect() {
    target = LiveServer.target();
    client = DocanalysisClient.create(ClientConfig.forTarget(target).build());
    futures = DocanalysisFutureClient.create(ClientConfig.forTarget(target).build());
  }

  @AfterAll
  static void close() {
    client.close();
    futures.close();
  }

  static boolean hasFeature(String feature) {
    for (PluginInfo p : client.listPlugins().getPluginsList()) {
      if (p.getState() == PluginInfo.State.LOADED && p.getFeaturesList().contains(feature)) {
        return true;
      }
    }
    return false;
  }

  @Test
  void listPlugins() {
    ListPluginsResponse r = client.listPlugins();
    assertFalse(r.getHostAbiVersion().isEmpty(), "host_abi_version");
    assertFalse(r.getPluginsList().isEmpty(), "no plugins");
    for (PluginInfo p : r.getPluginsList()) {
      assertFalse(p.getName().isEmpty() || p.getFeaturesList().isEmpty(), "plugin " + p);
    }
  }

  @Test
  void analyzeEnglish() {
    AnalyzeResponse r = client.analyze(Requests.text("en-1", ENGLISH_DOC, EncodingType.UTF16));
    assertEquals("en-1", r.getDocumentId());
    assertEquals(4, r.getSentencesCount());
    assertFalse(r.getPluginRunsList().isEmpty(), "plugin runs");
    for (PluginRun run : r.getPluginRunsList()) {
      assertEquals(0, run.getCode(), "plugin " + run.getPlugin() + ": " + run.getMessage());
    }
    if (hasFeature("entities")) {
      List<String> names = r.getEntitiesList().stream().map(Entity::getName).collect(Collectors.toList());
      assertTrue(names.stream().anyMatch(n -> n.contains("Tim Cook")), "entities " + names);
    }
    if (hasFeature("sentiment")) {
      float s = r.getDocumentSentiment().getScore();
      assertTrue(s >= -1 && s <= 1, "score " + s);
      assertTrue(r.getDocumentSentiment().getMagnitude() >= 0);
    }
  }

  static void assertSlices(String text, String what, TextSpan span) {
    int b = span.getBeginOffset();
    int e = span.getEndOffset();
    assertTrue(b >= 0 && b <= e && e <= text.length(), what + ": span [" + b + "," + e + ") outside the text");
    assertEquals(span.getContent(), text.substring(b, e), what + ": substring(" + b + "," + e + ")");
  }

  @Test
  void utf16OffsetsSliceJavaStrings() {
    AnalyzeResponse r = client.analyze(UNICODE_DOC); // default encoding: UTF-16 code units
    assertTrue(r.getSentencesCount() >= 4, r.getSentencesCount() + " sentences");
    boolean shifted = false;
    for (Sentence s : r.getSentencesList()) {
      assertSlices(UNICODE_DOC, "sentence", s.getText());
      int b = s.getText().getBeginOffset();
      String before = UNICODE_DOC.substring(0, b);
      if (before.getBytes(StandardCharsets.UTF_8).length != b || before.codePointCount(0, b) != b) {
        shifted = true;
      }
    }
    assertTrue(shifted, "no sentence starts after a non-ASCII character: the document tests nothing");
    int mentions = 0;
    for (Entity e : r.getEntitiesList()) {
      for (EntityMention m : e.getMentionsList()) {
        assertSlices(UNICODE_DOC, "mention of " + e.getName(), m.getText());
        mentions++;
      }
    }
    if (hasFeature("entities")) {
      assertTrue(mentions > 0, "no entity mentions");
    }
    r.getSummary().getSentencesList().forEach(s -> assertSlices(UNICODE_DOC, "summary", s.getText()));

    // UTF-8 byte offsets of the same document point at the same sentences.
    AnalyzeResponse r8 = client.analyze(Requests.text(UNICODE_DOC, EncodingType.UTF8));
    byte[] utf8 = UNICODE_DOC.getBytes(StandardCharsets.UTF_8);
    assertEquals(r.getSentencesCount(), r8.getSentencesCount());
    for (int i = 0; i < r8.getSentencesCount(); i++) {
      TextSpan s8 = r8.getSentences(i).getText();
      String viaBytes =
          new String(utf8, s8.getBeginOffset(), s8.getEndOffset() - s8.getBeginOffset(), StandardCharsets.UTF_8);
      assertEquals(r.getSentences(i).getText().getContent(), viaBytes, "sentence " + i);
    }
  }

  @Test
  void batchKeepsOrderAndPerDocumentErrors() {
    List<AnalyzeResponse> rs =
        client.analyzeBatch(
            List.of(
                Requests.text("a", ENGLISH_DOC, EncodingType.UTF16),
                Requests.raw("b", new byte[] {'b', 'a', 'd', ' ', (byte) 0xff}, EncodingType.UTF16),
                Requests.text("c", UNICODE_DOC, EncodingType.UTF16)));
    assertEquals(List.of("a", "b", "c"), rs.stream().map(AnalyzeResponse::getDocumentId).collect(Collectors.toList()));
    assertTrue(DocanalysisException.ofDocument(rs.get(0)).isEmpty());
    assertEquals(Status.Code.INVALID_ARGUMENT, DocanalysisException.ofDocument(rs.get(1)).orElseThrow().code());
    assertTrue(DocanalysisException.ofDocument(rs.get(2)).isEmpty());
    assertTrue(rs.get(2).getSentencesCount() >= 4);
  }

  @Test
  void streamAnswersInOrder() {
    List<AnalyzeRequest> reqs = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      String id = String.valueOf((char) ('a' + i));
      reqs.add(
          i == 3
              ? Requests.raw(id, new byte[] {'x', (byte) 0xc3}, EncodingType.UTF16)
              : Requests.text(id, ENGLISH_DOC, EncodingType.UTF16));
    }
    List<String> ids = new ArrayList<>();
    Iterator<AnalyzeResponse> it = client.analyzeStream(reqs.iterator());
    while (it.hasNext()) {
      AnalyzeResponse r = it.next();
      ids.add(r.getDocumentId());
      if (r.getDocumentId().equals("d")) {
        assertEquals(Status.Code.INVALID_ARGUMENT, DocanalysisException.ofDocument(r).orElseThrow().code());
      } else {
        assertTrue(DocanalysisException.ofDocument(r).isEmpty(), "document " + r.getDocumentId());
        assertEquals(4, r.getSentencesCount());
      }
    }
    assertEquals(List.of("a", "b", "c", "d", "e", "f"), ids);
  }

  @Test
  void futureClientRunsCallsConcurrently() {
    List<CompletableFuture<AnalyzeResponse>> fs = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      fs.add(futures.analyze(i % 2 == 0 ? ENGLISH_DOC : UNICODE_DOC));
    }
    CompletableFuture.allOf(fs.toArray(new CompletableFuture<?>[0])).join();
    for (int i = 0; i < fs.size(); i++) {
      String doc = i % 2 == 0 ? ENGLISH_DOC : UNICODE_DOC;
      for (Sentence s : fs.get(i).join().getSentencesList()) {
        assertSlices(doc, "future sentence", s.getText());
      }
    }
    assertFalse(futures.listPlugins().join().getPluginsList().isEmpty());
    assertEquals(
        2,
        futures
            .analyzeBatch(
                List.of(
                    Requests.text(ENGLISH_DOC, EncodingType.UTF16), Requests.text(UNICODE_DOC, EncodingType.UTF16)))
            .join()
            .size());
  }

  @Test
  void errorsCarryServerStatus() {
    byte[] bad = "good text \u00fe then bad".getBytes(StandardCharsets.ISO_8859_1); // 0xfe at byte 10
    DocanalysisException e =
        assertThrows(DocanalysisException.class, () -> client.analyze(Requests.raw("x", bad, EncodingType.UTF16)));
    assertEquals(Status.Code.INVALID_ARGUMENT, e.code());
    assertEquals("Analyze", e.operation());
    assertFalse(e.serverMessage().isEmpty());
    assertTrue(e.serverMessage().contains("10"), "message does not name the bad byte's offset: " + e.serverMessage());
    assertTrue(e.getMessage().contains(e.serverMessage()));

    CompletionException ce =
        assertThrows(
            CompletionException.class, () -> futures.analyze(Requests.raw("x", bad, EncodingType.UTF16)).join());
    DocanalysisException fe = assertInstanceOf(DocanalysisException.class, ce.getCause());
    assertEquals(Status.Code.INVALID_ARGUMENT, fe.code());
  }

  @Test
  void deadlines() {
    try (DocanalysisClient c =
        DocanalysisClient.create(ClientConfig.forTarget(target).timeout(Duration.ofNanos(1)).build())) {
      DocanalysisException e = assertThrows(DocanalysisException.class, () -> c.analyze(ENGLISH_DOC));
      assertEquals(Status.Code.DEADLINE_EXCEEDED, e.code());
    }
    try (DocanalysisFutureClient c =
        DocanalysisFutureClient.create(ClientConfig.forTarget(target).timeout(Duration.ofNanos(1)).build())) {
      CompletionException e = assertThrows(CompletionException.class, () -> c.analyze(ENGLISH_DOC).join());
      assertEquals(Status.Code.DEADLINE_EXCEEDED, ((DocanalysisException) e.getCause()).code());
    }
  }

  static String deadAddress() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return "127.0.0.1:" + s.getLocalPort();
    }
  }

  static String liveIpTarget() throws IOException {
    int colon = target.lastIndexOf(':');
    String host = java.net.InetAddress.getByName(target.substring(0, colon)).getHostAddress();
    return host + ":" + target.substring(colon + 1);
  }

  @Test
  void roundRobinOverAddressLists() throws IOException {
    String live = liveIpTarget();
    for (String t :
        List.of("ipv4:" + deadAddress() + "," + live, "ipv4:" + live + "," + live, deadAddress() + "," + live)) {
      try (DocanalysisClient c = DocanalysisClient.create(ClientConfig.forTarget(t).build())) {
        for (int i = 0; i < 6; i++) {
          assertNotEquals(0, c.analyze(ENGLISH_DOC, "sentiment").getSentencesCount(), t);
        }
      }
    }
    try (DocanalysisClient c =
        DocanalysisClient.create(ClientConfig.forTarget("ipv4:not-an-ip:1").timeout(Duration.ofSeconds(5)).build())) {
      c.analyze("x");
      fail("a host name in an ipv4: target was accepted");
    } catch (RuntimeException expected) {
      // rejected, at channel creation or on the first call
    }
  }
}
