package io.docanalysis.client;

import io.docanalysis.v1.AnalyzeResponse;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.util.Optional;

/**
 * A failed call, or a failed document of a batch or stream, or failed plugin runs, carrying the server's gRPC
 * status code, message and details unchanged. Unchecked, like gRPC's own {@link StatusRuntimeException} (its
 * cause for failed calls). {@link #kind()} says what kind of failure it is and {@link #retryable()} whether
 * trying again may help, both decided from the code in one place ({@link #kindOf}); {@link Failures} turns
 * failed plugin runs and failed documents of a successful call into exceptions.
 */
public class DocanalysisException extends RuntimeException {
  private final String operation;
  private final Status.Code code;
  private final String serverMessage;

  /** The kinds of failure, each decided by the status code. */
  public enum Kind {
    /** INVALID_ARGUMENT, NOT_FOUND, FAILED_PRECONDITION, OUT_OF_RANGE, ALREADY_EXISTS. */
    INVALID_REQUEST,
    /** UNAUTHENTICATED, PERMISSION_DENIED. */
    AUTH,
    /** UNAVAILABLE, RESOURCE_EXHAUSTED, ABORTED: the retryable ones. */
    UNAVAILABLE,
    /** DEADLINE_EXCEEDED. */
    DEADLINE_EXCEEDED,
    /** CANCELLED. */
    CANCELLED,
    /** INTERNAL, UNKNOWN, DATA_LOSS, UNIMPLEMENTED. */
    SERVER
  }

  /** The kind of failure of a status code; the one place where "retryable" is decided. */
  public static Kind kindOf(Status.Code code) {
    switch (code) {
      case INVALID_ARGUMENT:
      case NOT_FOUND:
      case FAILED_PRECONDITION:
      case OUT_OF_RANGE:
      case ALREADY_EXISTS:
        return Kind.INVALID_REQUEST;
      case UNAUTHENTICATED:
      case PERMISSION_DENIED:
        return Kind.AUTH;
      case UNAVAILABLE:
      case RESOURCE_EXHAUSTED:
      case ABORTED:
        return Kind.UNAVAILABLE;
      case DEADLINE_EXCEEDED:
        return Kind.DEADLINE_EXCEEDED;
      case CANCELLED:
        return Kind.CANCELLED;
      default:
        return Kind.SERVER;
    }
  }

  /** Whether a call that failed with {@code code} may succeed when tried again. */
  public static boolean isRetryable(Status.Code code) {
    return kindOf(code) == Kind.UNAVAILABLE;
  }

  /** What kind of failure this is. */
  public Kind kind() {
    return kindOf(code);
  }

  /** Whether trying the same call again may succeed (UNAVAILABLE, RESOURCE_EXHAUSTED, ABORTED). */
  public boolean retryable() {
    return isRetryable(code);
  }

  /**
   * The google.rpc.Status the server attached to the failed call (code, message and details), when it attached
   * one.
   */
  public Optional<com.google.rpc.Status> statusProto() {
    return getCause() == null
        ? Optional.empty()
        : Optional.ofNullable(io.grpc.protobuf.StatusProto.fromThrowable(getCause()));
  }

  protected DocanalysisException(String operation, Status.Code code, String serverMessage, Throwable cause) {
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
