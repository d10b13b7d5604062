package io.docanalysis.client;

import io.docanalysis.v1.AnalyzeRequest;
import io.docanalysis.v1.AnalyzeResponse;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The responses of {@link DocanalysisClient#analyzeStream}, one per request in request order, as they arrive.
 *
 * <p>Both directions stream lazily with back-pressure: a request is pulled from the caller's iterator only when
 * gRPC flow control lets it go (on a gRPC thread), and at most {@link #WINDOW} responses wait here for the caller
 * (the server is asked for more only as the caller takes them), so neither side buffers without bound and the
 * input may be unbounded. {@link #close()} stops early: the call is cancelled and the input iterator is not
 * advanced again. A failed document has its error field set and the stream goes on; a failure of the stream
 * throws {@link DocanalysisException} from {@link #hasNext()}, and an exception thrown by the input iterator
 * cancels the call and is rethrown from {@link #hasNext()}.
 */
public final class ResponseStream implements Iterator<AnalyzeResponse>, AutoCloseable {
  /** Responses asked of the server ahead of the caller. */
  public static final int WINDOW = 16;

  private static final Object END = new Object();

  private final BlockingQueue<Object> queue = new ArrayBlockingQueue<>(WINDOW + 2);
  private final AtomicBoolean closed = new AtomicBoolean();
  private volatile ClientCallStreamObserver<AnalyzeRequest> call;
  private volatile RuntimeException inputError;
  private Object next;
  private boolean finished;

  ResponseStream() {}

  /** The observer that drives the call; given to the async stub. */
  ClientResponseObserver<AnalyzeRequest, AnalyzeResponse> observer(Iterator<AnalyzeRequest> requests) {
    return new ClientResponseObserver<>() {
      private boolean inputDone;

      @Override
      public void beforeStart(ClientCallStreamObserver<AnalyzeRequest> requestStream) {
        call = requestStream;
        requestStream.disableAutoRequestWithInitial(WINDOW);
        requestStream.setOnReadyHandler(this::pump);
      }

      // Runs on a gRPC thread whenever the call can take more: pulls requests while it can.
      private void pump() {
        ClientCallStreamObserver<AnalyzeRequest> c = call;
        try {
          while (!inputDone && c.isReady()) {
            if (closed.get()) {
              inputDone = true;
              return;
            }
            if (!requests.hasNext()) {
              inputDone = true;
              c.onCompleted();
              return;
            }
            AnalyzeRequest r = requests.next();
            if (closed.get()) {
              inputDone = true;
              return;
            }
            c.onNext(r);
          }
        } catch (RuntimeException e) {
          inputDone = true;
          inputError = e;
          c.cancel("the request iterator failed", e);
        }
      }

      @Override
      public void onNext(AnalyzeResponse value) {
        queue.offer(value);
      }

      @Override
      public void onError(Throwable t) {
        RuntimeException in = inputError;
        if (in != null) {
          queue.offer(in);
        } else if (closed.get()) {
          queue.offer(END);
        } else {
          queue.offer(DocanalysisException.wrap("AnalyzeStream", t));
        }
      }

      @Override
      public void onCompleted() {
        queue.offer(END);
      }
    };
  }

  private Object peek() {
    if (next == null) {
      try {
        next = queue.take();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        close();
        throw new DocanalysisException(
            "AnalyzeStream", io.grpc.Status.Code.CANCELLED, "interrupted while waiting for a response", e);
      }
    }
    return next;
  }

  @Override
  public boolean hasNext() {
    if (finished || closed.get()) {
      return false;
    }
    Object o = peek();
    if (o instanceof RuntimeException) {
      finished = true;
      throw (RuntimeException) o;
    }
    if (o == END) {
      finished = true;
      return false;
    }
    return true;
  }

  @Override
  public AnalyzeResponse next() {
    if (!hasNext()) {
      throw new NoSuchElementException();
    }
    AnalyzeResponse r = (AnalyzeResponse) next;
    next = null;
    call.request(1);
    return r;
  }

  /** Stops early: cancels the call (a no-op once it ended) and stops reading the input. */
  @Override
  public void close() {
    if (closed.compareAndSet(false, true) && !finished) {
      ClientCallStreamObserver<AnalyzeRequest> c = call;
      if (c != null) {
        c.cancel("closed by the caller", null);
      }
    }
  }
}
