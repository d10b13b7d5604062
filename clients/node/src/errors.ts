// The client's errors: one base class, DocanalysisError, carrying the gRPC status code, message and details, and one
// subclass per kind of failure. Whether a failure is worth retrying is decided in one place, RETRYABLE_CODES.
//
//   try { await client.analyze(text, { features: ['no-such-feature'] }); }
//   catch (e) {
//     if (e instanceof InvalidRequestError) console.log(e.codeName, e.details);  // INVALID_ARGUMENT unknown feature
//     else if (e instanceof DocanalysisError && e.retryable) { ... }
//   }
//
// Failures inside a successful call: failedPluginRuns(response) and failedDocuments(responses) return them;
// throwIfPluginsFailed(response) and throwIfDocumentsFailed(responses) throw PluginFailedError / DocumentFailedError.
import * as grpc from '@grpc/grpc-js';

/** The one place where "retryable" is decided: the server cannot take the call now, so it may succeed later or on
 * another replica. DEADLINE_EXCEEDED is not here: the work may have been done. */
export const RETRYABLE_CODES: ReadonlySet<grpc.status> = new Set([
  grpc.status.UNAVAILABLE, grpc.status.RESOURCE_EXHAUSTED, grpc.status.ABORTED,
]);

export function isRetryable(code: grpc.status): boolean {
  return RETRYABLE_CODES.has(code);
}

/**
 * A failed call: `code` is the gRPC status (grpc.status.INVALID_ARGUMENT, ...), `codeName` its name, `details` the
 * server's message and `statusDetails` the serialized google.rpc.Status the server attached, if any.
 * `message` reads "INVALID_ARGUMENT: <server message>".
 */
export class DocanalysisError extends Error {
  readonly code: grpc.status;
  readonly codeName: string;
  readonly details: string;
  readonly method: string;
  readonly metadata?: grpc.Metadata;
  readonly statusDetails?: Buffer;

  constructor(code: grpc.status, details: string, method = '', metadata?: grpc.Metadata) {
    const codeName = grpc.status[code] ?? `CODE_${code}`;
    super(`${codeName}: ${details}${method ? ` (${method})` : ''}`);
    this.name = new.target.name;
    this.code = code;
    this.codeName = codeName;
    this.details = details;
    this.method = method;
    this.metadata = metadata;
    const bin = metadata?.get('grpc-status-details-bin')?.[0];
    if (bin instanceof Buffer) this.statusDetails = bin;
  }

  /** Whether the same call may succeed when tried again (see RETRYABLE_CODES). */
  get retryable(): boolean {
    return isRetryable(this.code);
  }

  /** Wraps an error from @grpc/grpc-js in the subclass for its code; anything else becomes UNKNOWN. */
  static from(err: unknown, method = ''): DocanalysisError {
    if (err instanceof DocanalysisError) return err;
    const e = err as Partial<grpc.ServiceError> & { message?: string };
    if (e && typeof e.code === 'number') {
      return errorFor(e.code, e.details ?? e.message ?? '', method, e.metadata);
    }
    return new ServerError(grpc.status.UNKNOWN, String((e && e.message) ?? err), method);
  }
}

/** The request is wrong: INVALID_ARGUMENT, NOT_FOUND, FAILED_PRECONDITION, OUT_OF_RANGE, ALREADY_EXISTS. */
export class InvalidRequestError extends DocanalysisError {}
/** UNAUTHENTICATED or PERMISSION_DENIED (e.g. a wrong admin token). */
export class AuthError extends DocanalysisError {}
/** The server cannot take the call now (UNAVAILABLE, RESOURCE_EXHAUSTED, ABORTED): retryable. */
export class UnavailableError extends DocanalysisError {}
/** The call's deadline passed. */
export class DeadlineExceededError extends DocanalysisError {}
/** The call was cancelled (AbortSignal, or the server going away). */
export class CancelledError extends DocanalysisError {}
/** The server failed: INTERNAL, UNKNOWN, DATA_LOSS, UNIMPLEMENTED. */
export class ServerError extends DocanalysisError {}

/** The error of the subclass for `code`. */
export function errorFor(code: grpc.status, details: string, method = '', metadata?: grpc.Metadata): DocanalysisError {
  const s = grpc.status;
  if ([s.INVALID_ARGUMENT, s.NOT_FOUND, s.FAILED_PRECONDITION, s.OUT_OF_RANGE, s.ALREADY_EXISTS].includes(code)) {
    return new InvalidRequestError(code, details, method, metadata);
  }
  if (code === s.UNAUTHENTICATED || code === s.PERMISSION_DENIED) return new AuthError(code, details, method, metadata);
  if (isRetryable(code)) return new UnavailableError(code, details, method, metadata);
  if (code === s.DEADLINE_EXCEEDED) return new DeadlineExceededError(code, details, method, metadata);
  if (code === s.CANCELLED) return new CancelledError(code, details, method, metadata);
  if ([s.INTERNAL, s.UNKNOWN, s.DATA_LOSS, s.UNIMPLEMENTED].includes(code)) {
    return new ServerError(code, details, method, metadata);
  }
  return new DocanalysisError(code, details, method, metadata);
}

interface PluginRunLike { plugin?: string; code?: number; message?: string }
interface ResponseLike { document_id?: string; plugin_runs?: PluginRunLike[]; error?: { code?: number; message?: string } | null }

/** The plugin runs of a response that did not succeed. */
export function failedPluginRuns<R extends PluginRunLike>(response: { plugin_runs?: R[] }): R[] {
  return (response.plugin_runs ?? []).filter((r) => (r.code ?? 0) !== 0);
}

/** Failed plugin runs of a successful call; `runs` are the failed runs, `response` the rest of the results. */
export class PluginFailedError extends DocanalysisError {
  readonly runs: PluginRunLike[];
  readonly response: ResponseLike;
  constructor(runs: PluginRunLike[], response: ResponseLike) {
    super(runs[0].code ?? grpc.status.UNKNOWN,
          `plugin(s) ${runs.map((r) => r.plugin).join(', ')} failed: ${runs[0].message ?? ''}`, 'plugin');
    this.runs = runs;
    this.response = response;
  }
}

/** Throws PluginFailedError when a plugin run of the response failed. */
export function throwIfPluginsFailed(response: ResponseLike): void {
  const runs = failedPluginRuns(response);
  if (runs.length) throw new PluginFailedError(runs, response);
}

/** The responses of a batch (or stream) whose document failed as a whole (`error.code != 0`). */
export function failedDocuments<R extends ResponseLike>(responses: Iterable<R>): R[] {
  return [...responses].filter((r) => (r.error?.code ?? 0) !== 0);
}

/** The failure of one document of a batch or stream, as the subclass for its code, or undefined. */
export function documentError(response: ResponseLike): DocanalysisError | undefined {
  const code = response.error?.code ?? 0;
  return code === 0 ? undefined : errorFor(code, response.error?.message ?? '', `document "${response.document_id ?? ''}"`);
}

/** Documents of a batch or stream failed; `documents` are their responses. */
export class DocumentFailedError extends DocanalysisError {
  readonly documents: ResponseLike[];
  constructor(documents: ResponseLike[]) {
    const first = documents[0];
    super(first.error?.code ?? grpc.status.UNKNOWN,
          `${documents.length} document(s) failed, first "${first.document_id ?? ''}": ${first.error?.message ?? ''}`,
          'document');
    this.documents = documents;
  }
}

/** Throws DocumentFailedError when documents of a batch failed. */
export function throwIfDocumentsFailed(responses: Iterable<ResponseLike>): void {
  const failed = failedDocuments(responses);
  if (failed.length) throw new DocumentFailedError(failed);
}
