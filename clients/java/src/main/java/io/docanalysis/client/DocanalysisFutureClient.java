package io.docanalysis.client;

import com.google.common.util.concurrent.FutureCallback;
import com.google.common.util.concurrent.Futures;
import com.google.common.util.concurrent.ListenableFuture;
import com.google.common.util.concurrent.MoreExecutors;
import io.docanalysis.v1.AnalyzeBatchRequest;
import io.docanalysis.v1.AnalyzeBatchResponse;
import io.docanalysis.v1.AnalyzeRequest;
import io.docanalysis.v1.AnalyzeResponse;
import io.docanalysis.v1.DocumentAnalysisGrpc;
import io.docanalysis.v1.ListPluginsRequest;
import io.docanalysis.v1.ListPluginsResponse;
import io.grpc.ManagedChannel;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * Future-based client of the docanalysis service: every call returns at once with a {@link
 * CompletableFuture} that completes on a gRPC thread (chain with the {@code *Async} methods to move
 * work elsewhere). A failed call completes exceptionally with {@link DocanalysisException}.
 * Cancelling a future cancels its call. Thread-safe; closing shuts down the channel it created.
 *
 * <pre>{@code
 * try (DocanalysisFutureClient client = DocanalysisFutureClient.create(ClientConfig.forTarget("localhost:50051").build())) {
 *   client.analyze("Angela Merkel visited Paris.", "entities")
 *       .thenAccept(r -> System.out.println(r.getEntitiesCount() + " entities"))
 *       .join();
 * }
 * }</pre>
 */
public final class DocanalysisFutureClient implements AutoCloseable {
  private final ManagedChannel channel;
  private final boolean ownsChannel;
  private final ClientConfig config;
  private final DocumentAnalysisGrpc.DocumentAnalysisFutureStub stub;

  private DocanalysisFutureClient(ManagedChannel channel, boolean ownsChannel, ClientConfig config) {
    this.channel = channel;
    this.ownsChannel = ownsChannel;
    this.config = config;
    this.stub = DocumentAnalysisGrpc.newFutureStub(channel);
  }

  /** A client on a new channel for {@code config}. */
  public static DocanalysisFutureClient create(ClientConfig config) {
    return new DocanalysisFutureClient(Channels.newChannel(config), true, config);
  }

  /** A client on an existing channel, which the caller keeps owning. */
  public static DocanalysisFutureClient create(ManagedChannel channel, ClientConfig config) {
    return new DocanalysisFutureClient(channel, false, config);
  }

  private DocumentAnalysisGrpc.DocumentAnalysisFutureStub withDeadline() {
    Duration t = config.timeout();
    if (t == null || t.isZero() || t.isNegative()) {
      return stub;
    }
    return stub.withDeadlineAfter(t.toNanos(), TimeUnit.NANOSECONDS);
  }

  private static <T, R> CompletableFuture<R> adapt(
      String operation, ListenableFuture<T> f, Function<T, R> map) {
    CompletableFuture<R> out =
        new CompletableFuture<>() {
          @Override
          public boolean cancel(boolean mayInterruptIfRunning) {
            f.cancel(mayInterruptIfRunning);
            return super.cancel(mayInterruptIfRunning);
          }
        };
    Futures.addCallback(
        f,
        new FutureCallback<T>() {
          @Override
          public void onSuccess(T result) {
            out.complete(map.apply(result));
          }

          @Override
          public void onFailure(Throwable t) {
            out.completeExceptionally(DocanalysisException.wrap(operation, t));
          }
        },
        MoreExecutors.directExecutor());
    return out;
  }

  /** Analyzes {@code text} with offsets in the configured encoding (UTF-16 by default). */
  public CompletableFuture<AnalyzeResponse> analyze(String text, String... features) {
    return analyze(Requests.text(text, config.encoding(), features));
  }

  /** Sends a prepared request. */
  public CompletableFuture<AnalyzeResponse> analyze(AnalyzeRequest request) {
    return adapt("Analyze", withDeadline().analyze(request), r -> r);
  }

  /** Analyzes many documents in one call; each response carries its own error. */
  public CompletableFuture<List<AnalyzeResponse>> analyzeBatch(List<AnalyzeRequest> requests) {
    return adapt(
        "AnalyzeBatch",
        withDeadline().analyzeBatch(AnalyzeBatchRequest.newBuilder().addAllRequests(requests).build()),
        AnalyzeBatchResponse::getResponsesList);
  }

  /** The plugins the server has. */
  public CompletableFuture<ListPluginsResponse> listPlugins() {
    return adapt("ListPlugins", withDeadline().listPlugins(ListPluginsRequest.getDefaultInstance()), r -> r);
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
