package io.docanalysis.client;

import io.docanalysis.v1.AnalyzeResponse;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.util.Optional;

/**
 * A failed call, or a failed document of a batch or stream, carrying the server's gRPC status code and
 * message unchanged. Unchecked, like gRPC's own {@link StatusRuntimeException} (its cause for failed
 * calls).
 */
public final class DocanalysisException extends RuntimeException {
  private final String operation;
  private final Status.Code code;
  private final String serverMessage;

  DocanalysisException(String operation, Status.Code code, String serverMessage, Throwable cause) {
    super(operation + ": " + code + ": " + serverMessage, cause);
    this.operation = operation;
    this.code = code;
    this.serverMessage = serverMessage == null ? "" : serverMessage;
  }

  /** Wraps a failed call of {@code operation}; anything but a gRPC error is returned as is. */
  static RuntimeException wrap(String operation, Throwable t) {
    Status s = Status.fromThrowable(t);
    if (s.getCode() == Status.Code.UNKNOWN && !(t instanceof StatusRuntimeException)) {
      return t instanceof RuntimeException ? (RuntimeException) t : new RuntimeException(t);
    }
    return new DocanalysisException(operation, s.getCode(), s.getDescription(), t);
  }

  /** The error of one document of a batch or stream response, if it failed as a whole. */
  public static Optional<DocanalysisException> ofDocument(AnalyzeResponse response) {
    if (!response.hasError() || response.getError().getCode() == 0) {
      return Optional.empty();
    }
    return Optional.of(
        new DocanalysisException(
            "document \"" + response.getDocumentId() + "\"",
            Status.fromCodeValue(response.getError().getCode()).getCode(),
            response.getError().getMessage(),
            null));
  }

  /** The RPC ("Analyze", ...) or {@code document "<id>"}. */
  public String operation() {
    return operation;
  }

  /** The gRPC status code. */
  public Status.Code code() {
    return code;
  }

  /** The server's status message (or the local one, e.g. for a deadline). */
  public String serverMessage() {
    return serverMessage;
  }
}
