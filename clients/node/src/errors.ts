import * as grpc from '@grpc/grpc-js';

/**
 * A failed call: `code` is the gRPC status (grpc.status.INVALID_ARGUMENT, ...), `codeName` its name and
 * `details` the server's message. `message` reads "INVALID_ARGUMENT: <server message>".
 */
export class DocanalysisError extends Error {
  readonly code: grpc.status;
  readonly codeName: string;
  readonly details: string;
  readonly method: string;
  readonly metadata?: grpc.Metadata;

  constructor(code: grpc.status, details: string, method = '', metadata?: grpc.Metadata) {
    const codeName = grpc.status[code] ?? `CODE_${code}`;
    super(`${codeName}: ${details}${method ? ` (${method})` : ''}`);
    this.name = 'DocanalysisError';
    this.code = code;
    this.codeName = codeName;
    this.details = details;
    this.method = method;
    this.metadata = metadata;
  }

  /** Wraps an error from @grpc/grpc-js; anything else becomes UNKNOWN. */
  static from(err: unknown, method = ''): DocanalysisError {
    if (err instanceof DocanalysisError) return err;
    const e = err as Partial<grpc.ServiceError> & { message?: string };
    if (e && typeof e.code === 'number') {
      return new DocanalysisError(e.code, e.details ?? e.message ?? '', method, e.metadata);
    }
    return new DocanalysisError(grpc.status.UNKNOWN, String((e && e.message) ?? err), method);
  }
}
