package io.docanalysis.client;

import io.docanalysis.v1.AnalyzeBatchRequest;
import io.docanalysis.v1.AnalyzeRequest;
import io.docanalysis.v1.AnalyzeResponse;
import io.docanalysis.v1.DocumentAnalysisGrpc;
import io.docanalysis.v1.ListPluginsRequest;
import io.docanalysis.v1.ListPluginsResponse;
import io.docanalysis.v1.LoadPluginRequest;
import io.docanalysis.v1.LoadPluginResponse;
import io.docanalysis.v1.PluginAdminGrpc;
import io.docanalysis.v1.ReloadPluginsRequest;
import io.docanalysis.v1.ReloadPluginsResponse;
import io.docanalysis.v1.UnloadPluginRequest;
import io.grpc.ClientInterceptor;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.MetadataUtils;
import java.time.Duration;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Blocking client of the docanalysis service. Thread-safe: share one per process (or per cluster).
 * Closing it shuts down the channel it created (a channel passed to {@link #create(ManagedChannel,
 * ClientConfig)} stays the caller's).
 *
 * <pre>{@code
 * try (DocanalysisClient client = DocanalysisClient.create(ClientConfig.forTarget("localhost:50051").build())) {
 *   AnalyzeResponse r = client.analyze("Angela Merkel visited Paris.", "entities");
 *   for (Entity e : r.getEntitiesList()) System.out.println(e.getName() + " " + e.getType());
 * }
 * }</pre>
 *
 * <p>Offsets of responses to {@link #analyze(String, String...)} count UTF-16 code units, so {@code
 * text.substring(span.getBeginOffset(), span.getEndOffset())} is the span. Failed calls throw {@link
 * DocanalysisException} with the server's status.
 *
 * <p>Per call: a deadline or cancellation of the current {@link io.grpc.Context} applies to the calls made inside
 * it ({@code Context.current().withCancellation()}, {@code withDeadlineAfter}); {@link #withTimeout} and {@link
 * #withMetadata} give views with another deadline or extra metadata.
 */
public final class DocanalysisClient implements AutoCloseable {
  private final ManagedChannel channel;
  private final boolean ownsChannel;
  private final ClientConfig config;
  private final DocumentAnalysisGrpc.DocumentAnalysisBlockingStub stub;
  private final DocumentAnalysisGrpc.DocumentAnalysisStub asyncStub;

  private final Duration timeout;

  private DocanalysisClient(ManagedChannel channel, boolean ownsChannel, ClientConfig config) {
    this(channel, ownsChannel, config, config.timeout(), DocumentAnalysisGrpc.newBlockingStub(channel),
        DocumentAnalysisGrpc.newStub(channel));
  }

  private DocanalysisClient(
      ManagedChannel channel,
      boolean ownsChannel,
      ClientConfig config,
      Duration timeout,
      DocumentAnalysisGrpc.DocumentAnalysisBlockingStub stub,
      DocumentAnalysisGrpc.DocumentAnalysisStub asyncStub) {
    this.channel = channel;
    this.ownsChannel = ownsChannel;
    this.config = config;
    this.timeout = timeout;
    this.stub = stub;
    this.asyncStub = asyncStub;
  }

  /** A client on a new channel for {@code config}. */
  public static DocanalysisClient create(ClientConfig config) {
    return new DocanalysisClient(Channels.newChannel(config), true, config);
  }

  /** A client on an existing channel, which the caller keeps owning. */
  public static DocanalysisClient create(ManagedChannel channel, ClientConfig config) {
    return new DocanalysisClient(channel, false, config);
  }

  private DocumentAnalysisGrpc.DocumentAnalysisBlockingStub withDeadline() {
    Duration t = timeout;
    if (t == null || t.isZero() || t.isNegative()) {
      return stub;
    }
    return stub.withDeadlineAfter(t.toNanos(), TimeUnit.NANOSECONDS);
  }

  /** Analyzes {@code text} with offsets in the configured encoding (UTF-16 by default). */
  public AnalyzeResponse analyze(String text, String... features) {
    return analyze(Requests.text(text, config.encoding(), features));
  }

  /** Sends a prepared request. */
  public AnalyzeResponse analyze(AnalyzeRequest request) {
    try {
      return withDeadline().analyze(request);
    } catch (StatusRuntimeException e) {
      throw DocanalysisException.wrap("Analyze", e);
    }
  }

  /**
   * Analyzes many documents in one call. Fails only if the batch is malformed; each response (in
   * request order) carries its own error: see {@link DocanalysisException#ofDocument}.
   */
  public List<AnalyzeResponse> analyzeBatch(List<AnalyzeRequest> requests) {
    try {
      return withDeadline()
          .analyzeBatch(AnalyzeBatchRequest.newBuilder().addAllRequests(requests).build())
          .getResponsesList();
    } catch (StatusRuntimeException e) {
      throw DocanalysisException.wrap("AnalyzeBatch", e);
    }
  }

  /**
   * Streams {@code requests} over one bidirectional stream, lazily and with back-pressure (see {@link
   * ResponseStream}); the input may be unbounded. No deadline: the client's timeout is for unary calls (use {@link
   * #analyzeStream(Iterator, Duration)}, or a {@link io.grpc.Context} with a deadline or cancellation around the
   * call). Close the returned stream (try-with-resources) to stop early.
   */
  public ResponseStream analyzeStream(Iterator<AnalyzeRequest> requests) {
    return analyzeStream(requests, null);
  }

  /** As {@link #analyzeStream(Iterator)}, with a deadline for the whole stream ({@code null}: none). */
  public ResponseStream analyzeStream(Iterator<AnalyzeRequest> requests, Duration deadline) {
    DocumentAnalysisGrpc.DocumentAnalysisStub s = asyncStub;
    if (deadline != null && !deadline.isZero() && !deadline.isNegative()) {
      s = s.withDeadlineAfter(deadline.toNanos(), TimeUnit.NANOSECONDS);
    }
    ResponseStream stream = new ResponseStream();
    s.analyzeStream(stream.observer(requests));
    return stream;
  }

  /**
   * A view of this client (same channel, closing it does not close the channel) that sends {@code metadata} with
   * every call, e.g. {@code client.withMetadata(Map.of("authorization", "Bearer ..."))}.
   */
  public DocanalysisClient withMetadata(Map<String, String> metadata) {
    Metadata md = new Metadata();
    metadata.forEach((k, v) -> md.put(Metadata.Key.of(k, Metadata.ASCII_STRING_MARSHALLER), v));
    ClientInterceptor attach = MetadataUtils.newAttachHeadersInterceptor(md);
    return new DocanalysisClient(
        channel, false, config, timeout, stub.withInterceptors(attach), asyncStub.withInterceptors(attach));
  }

  /** A view of this client (same channel) whose unary calls have deadline {@code timeout} ({@code null}: none). */
  public DocanalysisClient withTimeout(Duration timeout) {
    return new DocanalysisClient(channel, false, config, timeout, stub, asyncStub);
  }

  /** The plugins the server has, with their state and last error. */
  public ListPluginsResponse listPlugins() {
    try {
      return withDeadline().listPlugins(ListPluginsRequest.getDefaultInstance());
    } catch (StatusRuntimeException e) {
      throw DocanalysisException.wrap("ListPlugins", e);
    }
  }

  /**
   * PluginAdmin calls with {@code token} (the server's admin token, sent as "authorization: Bearer <token>"). Admin
   * calls are not retried: only the analysis calls, which are idempotent, are.
   */
  public PluginAdmin admin(String token) {
    return new PluginAdmin(token);
  }

  /** The PluginAdmin calls of one token; see {@link #admin(String)}. */
  public final class PluginAdmin {
    private final PluginAdminGrpc.PluginAdminBlockingStub adminStub;

    private PluginAdmin(String token) {
      Metadata md = new Metadata();
      md.put(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER), "Bearer " + token);
      this.adminStub =
          PluginAdminGrpc.newBlockingStub(channel).withInterceptors(MetadataUtils.newAttachHeadersInterceptor(md));
    }

    private PluginAdminGrpc.PluginAdminBlockingStub stub() {
      Duration t = timeout;
      return t == null || t.isZero() || t.isNegative()
          ? adminStub
          : adminStub.withDeadlineAfter(t.toNanos(), TimeUnit.NANOSECONDS);
    }

    /** Rescans the server's plugin folder. */
    public ReloadPluginsResponse reloadPlugins() {
      try {
        return stub().reloadPlugins(ReloadPluginsRequest.getDefaultInstance());
      } catch (StatusRuntimeException e) {
        throw DocanalysisException.wrap("ReloadPlugins", e);
      }
    }

    /** Loads (or reloads) the plugin in folder {@code name} of the server's plugin folder. */
    public LoadPluginResponse loadPlugin(String name) {
      try {
        return stub().loadPlugin(LoadPluginRequest.newBuilder().setName(name).build());
      } catch (StatusRuntimeException e) {
        throw DocanalysisException.wrap("LoadPlugin", e);
      }
    }

    /** Unloads a plugin; requests already running finish on it. */
    public void unloadPlugin(String name) {
      try {
        stub().unloadPlugin(UnloadPluginRequest.newBuilder().setName(name).build());
      } catch (StatusRuntimeException e) {
        throw DocanalysisException.wrap("UnloadPlugin", e);
      }
    }
  }

  /** The channel calls go through. */
  public ManagedChannel channel() {
    return channel;
  }

  @Override
  public void close() {
    if (ownsChannel) {
      channel.shutdown();
      try {
        if (!channel.awaitTermination(5, TimeUnit.SECONDS)) {
          channel.shutdownNow();
        }
      } catch (InterruptedException e) {
        channel.shutdownNow();
        Thread.currentThread().interrupt();
      }
    }
  }
}
