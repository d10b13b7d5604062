package io.docanalysis.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.docanalysis.v1.AnalyzeRequest;
import io.docanalysis.v1.AnalyzeResponse;
import io.docanalysis.v1.DocumentAnalysisGrpc;
import io.docanalysis.v1.ListPluginsRequest;
import io.docanalysis.v1.ListPluginsResponse;
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
    final AtomicInteger attempts = new AtomicInteger();

    Proxy(ManagedChannel up, int failFirst) {
      this.upstream = DocumentAnalysisGrpc.newBlockingStub(up);
      this.failFirst = failFirst;
    }

    @Override
    public void analyze(AnalyzeRequest request, StreamObserver<AnalyzeResponse> out) {
      int n = attempts.incrementAndGet();
      if (n <= failFirst) {
        out.onError(Status.UNAVAILABLE.withDescription("injected fault " + n + ": replica restarting").asException());
        return;
      }
      try {
        out.onNext(upstream.analyze(request));
        out.onCompleted();
      } catch (StatusRuntimeException e) {
        out.onError(e);
      }
    }

    @Override
    public void listPlugins(ListPluginsRequest request, StreamObserver<ListPluginsResponse> out) {
      out.onNext(upstream.listPlugins(request));
      out.onCompleted();
    }
  }

  ManagedChannel upstream;
  Server server;

  Proxy start(int failFirst, ServerCredentials creds) throws Exception {
    upstream = Grpc.newChannelBuilder(LiveServer.target(), InsecureChannelCredentials.create()).build();
    Proxy p = new Proxy(upstream, failFirst);
    server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0), creds).addService(p).build().start();
    return p;
  }

  @AfterEach
  void stop() throws InterruptedException {
    if (server != null) {
      server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
    if (upstream != null) {
      upstream.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
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
