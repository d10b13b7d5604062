package io.docanalysis.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.docanalysis.v1.AnalyzeRequest;
import io.docanalysis.v1.AnalyzeResponse;
import io.docanalysis.v1.DocumentAnalysisGrpc;
import io.docanalysis.v1.ListPluginsRequest;
import io.docanalysis.v1.ListPluginsResponse;
import io.grpc.Context;
import io.grpc.Deadline;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.InsecureServerCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.ServerCredentials;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.TlsServerCredentials;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import java.io.File;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Retries and TLS, through a proxy in front of the live server: the proxy answers the first N
 * Analyze attempts with UNAVAILABLE (a replica going away) and can terminate TLS; every analysis still
 * comes from the real server.
 */
class FaultProxyTest {
  static final class Proxy extends DocumentAnalysisGrpc.DocumentAnalysisImplBase {
    final DocumentAnalysisGrpc.DocumentAnalysisBlockingStub upstream;
    final int failFirst;
    final long delayMs;
    final AtomicInteger attempts = new AtomicInteger();
    final AtomicInteger withDeadline = new AtomicInteger();

    Proxy(ManagedChannel up, int failFirst, long delayMs) {
      this.upstream = DocumentAnalysisGrpc.newBlockingStub(up);
      this.failFirst = failFirst;
      this.delayMs = delayMs;
    }

    @Override
    public void analyze(AnalyzeRequest request, StreamObserver<AnalyzeResponse> out) {
      int n = attempts.incrementAndGet();
      if (n <= failFirst) {
        out.onError(Status.UNAVAILABLE.withDescription("injected fault " + n + ": replica restarting").asException());
        return;
      }
      Deadline deadline = Context.current().getDeadline();
      if (deadline != null) {
        withDeadline.incrementAndGet();
      }
      try {
        if (delayMs > 0) {
          Thread.sleep(delayMs);
        }
        out.onNext(upstream.analyze(request));
        out.onCompleted();
      } catch (StatusRuntimeException e) {
        out.onError(e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        out.onError(Status.CANCELLED.asException());
      }
    }

    @Override
    public void listPlugins(ListPluginsRequest request, StreamObserver<ListPluginsResponse> out) {
      out.onNext(upstream.listPlugins(request));
      out.onCompleted();
    }
  }

  final List<ManagedChannel> upstreams = new ArrayList<>();
  final List<Server> servers = new ArrayList<>();
  Server server;

  Proxy start(int failFirst, ServerCredentials creds) throws Exception {
    return start(failFirst, 0, creds);
  }

  Proxy start(int failFirst, long delayMs, ServerCredentials creds) throws Exception {
    ManagedChannel up = Grpc.newChannelBuilder(LiveServer.target(), InsecureChannelCredentials.create()).build();
    upstreams.add(up);
    Proxy p = new Proxy(up, failFirst, delayMs);
    server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0), creds).addService(p).build().start();
    servers.add(server);
    return p;
  }

  @AfterEach
  void stop() throws InterruptedException {
    for (Server s : servers) {
      s.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
    for (ManagedChannel c : upstreams) {
      c.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }

  @Test
  void roundRobinSpreadsCallsOverReplicas() throws Exception {
    Proxy p1 = start(0, InsecureServerCredentials.create());
    int port1 = server.getPort();
    Proxy p2 = start(0, InsecureServerCredentials.create());
    int port2 = server.getPort();
    try (DocanalysisClient c =
        DocanalysisClient.create(ClientConfig.forTarget("ipv4:127.0.0.1:" + port1 + ",127.0.0.1:" + port2).build())) {
      // Until both subchannels are up, round-robin has only one to pick from.
      for (int i = 0; i < 50 && (p1.attempts.get() == 0 || p2.attempts.get() == 0); i++) {
        c.analyze("One sentence.");
      }
      int n1 = p1.attempts.get();
      int n2 = p2.attempts.get();
      for (int i = 0; i < 10; i++) {
        c.analyze("One sentence.");
      }
      assertEquals(5, p1.attempts.get() - n1, "calls to replica 1 of 10");
      assertEquals(5, p2.attempts.get() - n2, "calls to replica 2 of 10");
    }
  }

  @Test
  void deadlineReachesTheServer() throws Exception {
    Proxy p = start(0, 500, InsecureServerCredentials.create());
    String t = "127.0.0.1:" + server.getPort();
    try (DocanalysisClient c = DocanalysisClient.create(ClientConfig.forTarget(t).timeout(Duration.ofMillis(100)).build())) {
      long start = System.nanoTime();
      DocanalysisException e = assertThrows(DocanalysisException.class, () -> c.analyze(DocanalysisClientTest.ENGLISH_DOC));
      assertEquals(Status.Code.DEADLINE_EXCEEDED, e.code());
      assertTrue(System.nanoTime() - start < 480_000_000L, "the call outlived its 100 ms deadline");
    }
    assertTrue(p.withDeadline.get() > 0, "the deadline did not reach the server");
    try (DocanalysisClient c = DocanalysisClient.create(ClientConfig.forTarget(t).build())) {
      assertEquals(4, c.analyze(DocanalysisClientTest.ENGLISH_DOC).getSentencesCount());
    }
  }

  @Test
  void retriesUnavailable() throws Exception {
    Proxy p = start(2, InsecureServerCredentials.create());
    try (DocanalysisClient c =
        DocanalysisClient.create(ClientConfig.forTarget("127.0.0.1:" + server.getPort()).build())) {
      assertEquals(4, c.analyze(DocanalysisClientTest.ENGLISH_DOC).getSentencesCount());
    }
    assertEquals(3, p.attempts.get(), "attempts that reached the proxy");
  }

  @Test
  void withoutRetriesTheServersStatusComesBack() throws Exception {
    Proxy p = start(1, InsecureServerCredentials.create());
    try (DocanalysisClient c =
        DocanalysisClient.create(ClientConfig.forTarget("127.0.0.1:" + server.getPort()).maxAttempts(1).build())) {
      DocanalysisException e = assertThrows(DocanalysisException.class, () -> c.analyze("Some text."));
      assertEquals(Status.Code.UNAVAILABLE, e.code());
      assertTrue(e.serverMessage().contains("injected fault 1"), e.serverMessage());
    }
    assertEquals(1, p.attempts.get());
  }

  @Test
  void tls(@TempDir Path dir) throws Exception {
    File cert = dir.resolve("cert.pem").toFile();
    File key = dir.resolve("key.pem").toFile();
    Process openssl =
        new ProcessBuilder(
                "openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
                "-nodes", "-days", "1", "-subj", "/CN=localhost",
                "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost",
                "-keyout", key.getPath(), "-out", cert.getPath())
            .redirectErrorStream(true)
            .start();
    String log = new String(openssl.getInputStream().readAllBytes());
    assertEquals(0, openssl.waitFor(), "openssl: " + log);
    start(0, TlsServerCredentials.create(cert, key));
    String t = "127.0.0.1:" + server.getPort();
    try (DocanalysisClient c = DocanalysisClient.create(ClientConfig.forTarget(t).trustCertCollection(cert).build())) {
      assertEquals(4, c.analyze(DocanalysisClientTest.ENGLISH_DOC).getSentencesCount());
    }
    try (DocanalysisClient c =
        DocanalysisClient.create(ClientConfig.forTarget(t).maxAttempts(1).timeout(Duration.ofSeconds(5)).build())) {
      DocanalysisException e = assertThrows(DocanalysisException.class, () -> c.analyze("Plaintext to TLS."));
      assertEquals(Status.Code.UNAVAILABLE, e.code());
    }
    try (DocanalysisClient c =
        DocanalysisClient.create(
            ClientConfig.forTarget(t).useTls().maxAttempts(1).timeout(Duration.ofSeconds(5)).build())) {
      DocanalysisException e = assertThrows(DocanalysisException.class, () -> c.analyze("Untrusted certificate."));
      assertEquals(Status.Code.UNAVAILABLE, e.code());
    }
    assertTrue(Files.exists(cert.toPath()));
  }
}
