package io.docanalysis.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.docanalysis.v1.AnalyzeRequest;
import io.docanalysis.v1.AnalyzeResponse;
import io.docanalysis.v1.EncodingType;
import io.docanalysis.v1.PluginRun;
import io.grpc.Context;
import io.grpc.Status;
import java.time.Duration;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Streaming with back-pressure and early stop, per-call deadline/cancel/metadata, the error kinds and helpers. */
class StreamAndErrorsTest {
  static DocanalysisClient client;

  @BeforeAll
  static void connect() {
    client = DocanalysisClient.create(ClientConfig.forTarget(LiveServer.target()).build());
  }

  @AfterAll
  static void close() {
    client.close();
  }

  static AnalyzeRequest doc(long i) {
    return Requests.text("Doc " + i + ": Paris is nice.", EncodingType.UTF16, "sentiment");
  }

  /** An unbounded input: requests are made on demand. */
  static Iterator<AnalyzeRequest> endless(AtomicLong pulled, AtomicBoolean returned, AtomicLong after) {
    return new Iterator<>() {
      @Override
      public boolean hasNext() {
        return true;
      }

      @Override
      public AnalyzeRequest next() {
        if (returned.get()) {
          after.incrementAndGet();
        }
        return doc(pulled.incrementAndGet());
      }
    };
  }

  // The stream used to write every request before returning (an unbounded input never returned) and to queue the
  // answers without bound.
  @Test
  @Timeout(120)
  void unboundedInputStreamsLazilyAndStopsEarly() throws Exception {
    AtomicLong pulled = new AtomicLong();
    AtomicLong after = new AtomicLong();
    AtomicBoolean returned = new AtomicBoolean();
    int seen = 0;
    try (ResponseStream responses = client.analyzeStream(endless(pulled, returned, after))) {
      while (responses.hasNext() && seen < 40) {
        assertTrue(DocanalysisException.ofDocument(responses.next()).isEmpty());
        seen++;
      }
    }
    returned.set(true);
    Thread.sleep(300);
    assertEquals(40, seen);
    assertEquals(0, after.get(), "the input was read after the stream was closed");
    // The input is endless: that the stream answered at all shows it is read lazily (the server's flow-control
    // window decides how far ahead; the client itself holds at most its 32 KiB on-ready threshold).
    System.out.printf("java: %d requests pulled for 40 responses%n", pulled.get());
  }

  @Test
  void streamDeadlineOnlyWhenAsked() {
    Iterator<AnalyzeRequest> slow =
        new Iterator<>() {
          int left = 3;

          @Override
          public boolean hasNext() {
            return left > 0;
          }

          @Override
          public AnalyzeRequest next() {
            left--;
            try {
              Thread.sleep(150);
            } catch (InterruptedException e) {
              throw new IllegalStateException(e);
            }
            return doc(left);
          }
        };
    try (DocanalysisClient c =
        DocanalysisClient.create(ClientConfig.forTarget(LiveServer.target()).timeout(Duration.ofMillis(200)).build())) {
      int n = 0;
      for (Iterator<AnalyzeResponse> it = c.analyzeStream(slow); it.hasNext(); it.next()) {
        n++;
      }
      assertEquals(3, n, "the unary timeout does not bound a stream");
      AtomicLong pulled = new AtomicLong();
      DocanalysisException e =
          assertThrows(
              DocanalysisException.class,
              () -> {
                ResponseStream s =
                    c.analyzeStream(endlessSlow(pulled), Duration.ofMillis(300));
                while (s.hasNext()) {
                  s.next();
                }
              });
      assertEquals(Status.Code.DEADLINE_EXCEEDED, e.code());
      assertEquals(DocanalysisException.Kind.DEADLINE_EXCEEDED, e.kind());
    }
  }

  static Iterator<AnalyzeRequest> endlessSlow(AtomicLong pulled) {
    return new Iterator<>() {
      @Override
      public boolean hasNext() {
        return true;
      }

      @Override
      public AnalyzeRequest next() {
        try {
          Thread.sleep(100);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        return doc(pulled.incrementAndGet());
      }
    };
  }

  @Test
  void hundredThousandDocumentsWithBoundedMemory() {
    final int n = 100_000;
    Runtime rt = Runtime.getRuntime();
    long[] peak = {0};
    Iterator<AnalyzeRequest> docs =
        new Iterator<>() {
          int i = 0;

          @Override
          public boolean hasNext() {
            return i < n;
          }

          @Override
          public AnalyzeRequest next() {
            if (i % 5000 == 0) {
              System.gc(); // live objects only: garbage not yet collected is not retained
              peak[0] = Math.max(peak[0], rt.totalMemory() - rt.freeMemory());
            }
            return doc(i++);
          }
        };
    int got = 0;
    try (ResponseStream responses = client.analyzeStream(docs)) {
      while (responses.hasNext()) {
        if (DocanalysisException.ofDocument(responses.next()).isEmpty()) {
          got++;
        }
      }
    }
    assertEquals(n, got);
    System.out.printf("java stream of %d documents: peak heap used %.1f MB after gc (max heap %d MB)%n", n,
        peak[0] / 1048576.0, rt.maxMemory() >> 20);
    assertTrue(peak[0] < (64L << 20), "peak heap " + (peak[0] >> 20) + " MB for a stream of short documents");
  }

  @Test
  void contextCancellationAndDeadlineReachTheCall() throws Exception {
    Context.CancellableContext ctx = Context.current().withCancellation();
    ctx.cancel(null);
    DocanalysisException e =
        assertThrows(DocanalysisException.class, () -> ctx.call(() -> client.analyze("Paris is nice.", "sentiment")));
    assertEquals(DocanalysisException.Kind.CANCELLED, e.kind());
    Context.CancellableContext tight =
        Context.current().withDeadlineAfter(1, TimeUnit.MILLISECONDS, java.util.concurrent.Executors.newSingleThreadScheduledExecutor());
    Thread.sleep(5);
    e = assertThrows(DocanalysisException.class, () -> tight.call(() -> client.analyze("Paris is nice.", "sentiment")));
    assertEquals(Status.Code.DEADLINE_EXCEEDED, e.code());
    assertFalse(e.retryable());
    // metadata and a per-view timeout
    AnalyzeResponse r = client.withMetadata(Map.of("x-request-id", "abc")).withTimeout(Duration.ofSeconds(30))
        .analyze("Paris is nice.", "sentiment");
    assertEquals(1, r.getSentencesCount());
  }

  @Test
  void errorKindsRetryableAndFailureHelpers() {
    DocanalysisException e =
        assertThrows(DocanalysisException.class, () -> client.analyze("Text.", "no-such-feature"));
    assertEquals(DocanalysisException.Kind.INVALID_REQUEST, e.kind());
    assertFalse(e.retryable());
    assertTrue(DocanalysisException.isRetryable(Status.Code.UNAVAILABLE));
    assertFalse(DocanalysisException.isRetryable(Status.Code.DEADLINE_EXCEEDED));
    List<AnalyzeResponse> out =
        client.analyzeBatch(
            List.of(doc(1), Requests.raw("bad", new byte[] {'x', (byte) 0xff}, EncodingType.UTF16, "sentiment")));
    assertEquals(1, Failures.failedDocuments(out).size());
    assertEquals(
        DocanalysisException.Kind.INVALID_REQUEST,
        assertThrows(DocanalysisException.class, () -> Failures.throwIfDocumentsFailed(out)).kind());
    AnalyzeResponse bad =
        AnalyzeResponse.newBuilder()
            .addPluginRuns(PluginRun.newBuilder().setPlugin("sentiment"))
            .addPluginRuns(PluginRun.newBuilder().setPlugin("entity").setCode(13).setMessage("boom"))
            .build();
    assertEquals(1, Failures.failedPluginRuns(bad).size());
    assertEquals(
        Status.Code.INTERNAL, assertThrows(DocanalysisException.class, () -> Failures.throwIfPluginsFailed(bad)).code());
    Failures.throwIfPluginsFailed(AnalyzeResponse.getDefaultInstance());
  }

  @Test
  void pluginAdminWithToken(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
    java.nio.file.Path token = dir.resolve("token");
    java.nio.file.Files.writeString(token, "s3cret\n");
    String t = LiveServer.start("--admin_token_file", token.toString());
    try (DocanalysisClient c = DocanalysisClient.create(ClientConfig.forTarget(t).build())) {
      assertTrue(c.admin("s3cret").reloadPlugins().getPluginsList().stream().anyMatch(p -> p.getName().equals("sentiment")));
      c.admin("s3cret").unloadPlugin("sentiment");
      assertEquals("sentiment", c.admin("s3cret").loadPlugin("sentiment").getPlugin().getName());
      DocanalysisException e = assertThrows(DocanalysisException.class, () -> c.admin("wrong").reloadPlugins());
      assertEquals(DocanalysisException.Kind.AUTH, e.kind());
    }
  }
}
