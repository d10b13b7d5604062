package io.docanalysis.client;

import io.docanalysis.v1.AnalyzeBatchRequest;
import io.docanalysis.v1.AnalyzeRequest;
import io.docanalysis.v1.AnalyzeResponse;
import io.docanalysis.v1.DocumentAnalysisGrpc;
import io.docanalysis.v1.ListPluginsRequest;
import io.docanalysis.v1.ListPluginsResponse;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import java.time.Duration;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
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
 */
public final class DocanalysisClient implements AutoCloseable {
  private final ManagedChannel channel;
  private final boolean ownsChannel;
  private final ClientConfig config;
  private final DocumentAnalysisGrpc.DocumentAnalysisBlockingStub stub;
  private final DocumentAnalysisGrpc.DocumentAnalysisStub asyncStub;

  private DocanalysisClient(ManagedChannel channel, boolean ownsChannel, ClientConfig config) {
    this.channel = channel;
    this.ownsChannel = ownsChannel;
    this.config = config;
    this.stub = DocumentAnalysisGrpc.newBlockingStub(channel);
    this.asyncStub = DocumentAnalysisGrpc.newStub(channel);
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
    Duration t = config.timeout();
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
   * Streams {@code requests} over one bidirectional stream and returns the responses, one per request
   * in request order, as they arrive. All requests are written to the stream before this returns
   * (gRPC buffers what the server has not read yet), so pass a bounded number of them. A failed document has its error field set and the stream goes on; a failure of the stream throws
   * {@link DocanalysisException} from the iterator. The configured timeout bounds the whole stream.
   */
  public Iterator<AnalyzeResponse> analyzeStream(Iterator<AnalyzeRequest> requests) {
    BlockingQueue<Object> queue = new LinkedBlockingQueue<>();
    Object end = new Object();
    DocumentAnalysisGrpc.DocumentAnalysisStub s = asyncStub;
    Duration t = config.timeout();
    if (t != null && !t.isZero() && !t.isNegative()) {
      s = s.withDeadlineAfter(t.toNanos(), TimeUnit.NANOSECONDS);
    }
    StreamObserver<AnalyzeRequest> out =
        s.analyzeStream(
            new StreamObserver<>() {
              @Override
              public void onNext(AnalyzeResponse value) {
                queue.add(value);
              }

              @Override
              public void onError(Throwable t) {
                queue.add(DocanalysisException.wrap("AnalyzeStream", t));
              }

              @Override
              public void onCompleted() {
                queue.add(end);
              }
            });
    try {
      while (requests.hasNext()) {
        out.onNext(requests.next());
      }
      out.onCompleted();
    } catch (RuntimeException e) {
      out.onError(e);
      throw e;
    }
    return new Iterator<>() {
      private Object next;

      private Object peek() {
        if (next == null) {
          try {
            next = queue.take();
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
          }
        }
        return next;
      }

      @Override
      public boolean hasNext() {
        Object o = peek();
        if (o instanceof RuntimeException) {
          throw (RuntimeException) o;
        }
        return o != end;
      }

      @Override
      public AnalyzeResponse next() {
        if (!hasNext()) {
          throw new NoSuchElementException();
        }
        AnalyzeResponse r = (AnalyzeResponse) next;
        next = null;
        return r;
      }
    };
  }

  /** The plugins the server has, with their state and last error. */
  public ListPluginsResponse listPlugins() {
    try {
      return withDeadline().listPlugins(ListPluginsRequest.getDefaultInstance());
    } catch (StatusRuntimeException e) {
      throw DocanalysisException.wrap("ListPlugins", e);
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
