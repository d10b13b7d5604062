// DocanalysisClient: the TypeScript/Node client of docanalysis.v1.DocumentAnalysis over @grpc/grpc-js.
//
// One client owns one channel; share it (it multiplexes concurrent calls) and close() it when done. Calls return
// promises (analyze, analyzeBatch, listPlugins) or async iterables (analyzeStream); failures reject with
// DocanalysisError carrying the server's status code and message.
//
// Offsets default to UTF-16 code units, so they slice the JavaScript string that was sent:
//
//   const client = new DocanalysisClient('localhost:50051');
//   const text = '😀 Tim Cook visited Paris.';
//   const r = await client.analyze(text, { features: ['entities'] });
//   for (const e of r.entities) {
//     const span = e.mentions[0].text!;
//     console.log(e.name, text.slice(span.begin_offset ?? 0, span.end_offset ?? 0));  // === span.content
//   }
//   client.close();
import * as grpc from '@grpc/grpc-js';
import { contract } from './proto';
import { DocanalysisError } from './errors';
import type { AnalyzeRequest } from './generated/docanalysis/v1/AnalyzeRequest';
import type { AnalyzeResponse__Output } from './generated/docanalysis/v1/AnalyzeResponse';
import type { AnalyzeBatchResponse__Output } from './generated/docanalysis/v1/AnalyzeBatchResponse';
import type { ListPluginsResponse__Output } from './generated/docanalysis/v1/ListPluginsResponse';
import type { DocumentAnalysisClient } from './generated/docanalysis/v1/DocumentAnalysis';
import type { PluginAdminClient } from './generated/docanalysis/v1/PluginAdmin';
import type { ReloadPluginsResponse__Output } from './generated/docanalysis/v1/ReloadPluginsResponse';
import type { LoadPluginResponse__Output } from './generated/docanalysis/v1/LoadPluginResponse';
import type { EncodingType } from './generated/docanalysis/v1/EncodingType';

export const SERVICE = 'docanalysis.v1.DocumentAnalysis';

/** Offset unit: 'utf16' (JavaScript string index, the default), 'utf8' (bytes) or 'utf32' (code points). */
export type Encoding = 'utf8' | 'utf16' | 'utf32' | EncodingType;

/** TLS settings; PEM buffers. Without rootCerts the system roots are used; privateKey + certChain = mutual TLS. */
export interface TlsOptions {
  rootCerts?: Buffer;
  privateKey?: Buffer;
  certChain?: Buffer;
  /** Name checked against the server certificate, when it differs from the target's host. */
  serverName?: string;
}

export interface ClientOptions {
  /** Default deadline of unary calls in ms (default 30000); 0 = none. Streams have none unless given. */
  timeoutMs?: number;
  /** true for TLS with the system roots, or TLS settings. Default: plaintext. */
  tls?: boolean | TlsOptions;
  /** Attempts per call, 1 = no retry (default 4, at most 5); only UNAVAILABLE is retried, by gRPC. */
  maxAttempts?: number;
  /** Spread calls over all resolved addresses (default true); false = pick_first. */
  roundRobin?: boolean;
  /** Sent with every call, e.g. { authorization: 'Bearer ...' }. */
  metadata?: Record<string, string>;
  /** Extra channel options for @grpc/grpc-js. */
  channelOptions?: grpc.ChannelOptions;
  /** Token of the PluginAdmin calls (reloadPlugins, loadPlugin, unloadPlugin), sent as "authorization: Bearer ...".
   * Admin calls are not retried: only the analysis calls, which are idempotent, are. */
  adminToken?: string;
}

export interface AnalyzeOptions {
  /** e.g. ['entities', 'sentiment']; empty runs every default plugin. */
  features?: string[];
  encoding?: Encoding;
  documentId?: string;
  html?: boolean;
  language?: string;
  /** Per-plugin options: { 'summary.max_sentences': '2' }. */
  options?: Record<string, string>;
  /** Deadline of this call in ms (overrides the client default; 0 = none). */
  timeoutMs?: number;
  /** Cancels the call (it then rejects with CANCELLED). */
  signal?: AbortSignal;
  /** Metadata of this call, added to the client's. */
  metadata?: Record<string, string>;
}

/** A document: text (offsets count over this string), raw UTF-8 bytes, or a ready AnalyzeRequest. */
export type DocumentInput = string | Uint8Array | AnalyzeRequest;

// A Map, not an object literal: `'constructor' in {}` is true (inherited), and used to pass as an encoding.
const ENCODINGS: ReadonlyMap<string, EncodingType> = new Map([['utf8', 'UTF8'], ['utf16', 'UTF16'], ['utf32', 'UTF32']]);

export function encodingType(e: Encoding): EncodingType {
  const known = typeof e === 'string' ? ENCODINGS.get(e.toLowerCase().replace(/[-_]/g, '')) : undefined;
  if (known) return known;
  if (['UTF8', 'UTF16', 'UTF32', 'ENCODING_UNSPECIFIED', 0, 1, 2, 3].includes(e as never)) return e as EncodingType;
  throw new TypeError(`unknown encoding ${String(e)}; use utf8, utf16 or utf32`);
}

/** Builds an AnalyzeRequest; a ready request (an object) is returned as is. */
export function makeRequest(doc: DocumentInput, opts: AnalyzeOptions = {}): AnalyzeRequest {
  if (typeof doc !== 'string' && !(doc instanceof Uint8Array)) return doc;
  const document = {
    id: opts.documentId ?? '',
    type: opts.html ? ('HTML' as const) : ('PLAIN_TEXT' as const),
    language: opts.language ?? '',
    ...(typeof doc === 'string' ? { content: doc } : { raw_content: Buffer.from(doc) }),
  };
  return {
    document,
    features: opts.features ?? [],
    encoding_type: encodingType(opts.encoding ?? 'utf16'),
    options: opts.options ?? {},
  };
}

/** The service config: round-robin and retries on UNAVAILABLE with exponential backoff. */
export function serviceConfig(maxAttempts: number, roundRobin: boolean): Record<string, unknown> {
  const config: Record<string, unknown> = {};
  if (roundRobin) config.loadBalancingConfig = [{ round_robin: {} }];
  if (maxAttempts > 1) {
    config.methodConfig = [{
      name: [{ service: SERVICE }],
      retryPolicy: {
        maxAttempts: Math.min(maxAttempts, 5),
        initialBackoff: '0.1s',
        maxBackoff: '2s',
        backoffMultiplier: 2,
        retryableStatusCodes: ['UNAVAILABLE'],
      },
    }];
  }
  return config;
}

function credentials(tls: ClientOptions['tls']): grpc.ChannelCredentials {
  if (!tls) return grpc.credentials.createInsecure();
  const t: TlsOptions = tls === true ? {} : tls;
  return grpc.credentials.createSsl(t.rootCerts ?? null, t.privateKey ?? null, t.certChain ?? null);
}

const STOPPED = Symbol('stopped');

/** Client of DocumentAnalysis (one channel, safe for concurrent calls); see the file comment for an example. */
export class DocanalysisClient {
  readonly target: string;
  private readonly stub: DocumentAnalysisClient;
  private readonly timeoutMs: number;
  private readonly metadata: Record<string, string>;
  private readonly admin: PluginAdminClient;
  private readonly adminToken?: string;

  /**
   * @param target "host:port", "dns:///name:port" (all addresses) or "ipv4:127.0.0.1:p1,127.0.0.1:p2".
   */
  constructor(target: string, options: ClientOptions = {}) {
    this.target = target;
    this.timeoutMs = options.timeoutMs ?? 30000;
    this.metadata = options.metadata ?? {};
    const maxAttempts = options.maxAttempts ?? 4;
    const channelOptions: grpc.ChannelOptions = {
      'grpc.service_config': JSON.stringify(serviceConfig(maxAttempts, options.roundRobin ?? true)),
      'grpc.enable_retries': maxAttempts > 1 ? 1 : 0,
      'grpc.max_receive_message_length': 64 * 1024 * 1024,
      'grpc.max_send_message_length': 64 * 1024 * 1024,
      ...(typeof options.tls === 'object' && options.tls.serverName
        ? { 'grpc.ssl_target_name_override': options.tls.serverName, 'grpc.default_authority': options.tls.serverName }
        : {}),
      ...(options.channelOptions ?? {}),
    };
    const Ctor = contract().grpcType.docanalysis.v1.DocumentAnalysis;
    this.stub = new Ctor(target, credentials(options.tls), channelOptions);
    // The admin stub shares the channel of the analysis stub.
    const Admin = contract().grpcType.docanalysis.v1.PluginAdmin;
    this.admin = new Admin(target, credentials(options.tls), { ...channelOptions, channelOverride: this.stub.getChannel() });
    this.adminToken = options.adminToken;
  }

  /** Closes the channel; calls in flight are cancelled. */
  close(): void {
    this.stub.close();
  }

  private callOptions(timeoutMs: number | undefined, useDefault: boolean): grpc.CallOptions {
    const ms = timeoutMs ?? (useDefault ? this.timeoutMs : 0);
    return ms > 0 ? { deadline: new Date(Date.now() + ms) } : {};
  }

  private md(extra?: Record<string, string>): grpc.Metadata {
    const m = new grpc.Metadata();
    for (const [k, v] of Object.entries(this.metadata)) m.set(k, v);
    for (const [k, v] of Object.entries(extra ?? {})) m.set(k, v);
    return m;
  }

  private unary<Res>(method: string, invoke: (cb: grpc.requestCallback<Res>) => grpc.ClientUnaryCall,
                          signal?: AbortSignal): Promise<Res> {
    return new Promise<Res>((resolve, reject) => {
      const call = invoke((err, res) => {
        signal?.removeEventListener('abort', onAbort);
        if (err) reject(DocanalysisError.from(err, method));
        else resolve(res as Res);
      });
      const onAbort = () => call.cancel();
      if (signal?.aborted) call.cancel();
      else signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  /** Analyzes one document. */
  analyze(doc: DocumentInput, opts: AnalyzeOptions = {}): Promise<AnalyzeResponse__Output> {
    const request = makeRequest(doc, opts);
    return this.unary('Analyze', (cb) => this.stub.Analyze(request, this.md(opts.metadata), this.callOptions(opts.timeoutMs, true), cb),
                      opts.signal);
  }

  /**
   * Analyzes many documents in one call; responses in input order. Plain documents get the ids "0", "1", ...
   * A document that fails alone has `error.code != 0` in its response (the promise still resolves).
   */
  async analyzeBatch(docs: Iterable<DocumentInput>, opts: AnalyzeOptions = {}): Promise<AnalyzeResponse__Output[]> {
    const requests = [...docs].map((d, i) => makeRequest(d, { ...opts, documentId: String(i) }));
    const reply = await this.unary<AnalyzeBatchResponse__Output>(
        'AnalyzeBatch',
        (cb) => this.stub.AnalyzeBatch({ requests }, this.md(opts.metadata), this.callOptions(opts.timeoutMs, true), cb),
        opts.signal);
    return reply.responses;
  }

  /**
   * Streams documents from a sync or async iterable (read lazily, with back-pressure) and yields one response per
   * document, in order. Plain documents get the ids "0", "1", ...; per-document failures are in `error`.
   * Breaking out of the loop cancels the call.
   */
  async *analyzeStream(docs: Iterable<DocumentInput> | AsyncIterable<DocumentInput>,
                       opts: AnalyzeOptions = {}): AsyncGenerator<AnalyzeResponse__Output, void, undefined> {
    const call = this.stub.AnalyzeStream(this.md(opts.metadata), this.callOptions(opts.timeoutMs, false));
    const onAbort = () => call.cancel();
    // An already-aborted signal never fires 'abort': it used to be ignored and the whole stream ran.
    if (opts.signal?.aborted) call.cancel();
    else opts.signal?.addEventListener('abort', onAbort, { once: true });
    let writeError: unknown;
    let finished = false;
    // Waits for `p` unless the call ends (status) or the consumer stops first. One listener per wait, removed when
    // the wait is over: racing every wait against one long-lived promise would pile up a reaction per document.
    const waiters = new Set<() => void>();
    const stop = () => {
      finished = true;
      for (const w of waiters) w();
      waiters.clear();
    };
    call.once('status', stop);
    const unlessStopped = <T>(p: PromiseLike<T>): Promise<T | typeof STOPPED> => new Promise((resolve, reject) => {
      if (finished) return resolve(STOPPED);
      const onStop = () => resolve(STOPPED);
      waiters.add(onStop);
      p.then((v) => { waiters.delete(onStop); resolve(v); }, (e) => { waiters.delete(onStop); reject(e); });
    });
    const writer = (async () => {
      const source = docs as AsyncIterable<DocumentInput> & Iterable<DocumentInput>;
      const isAsync = typeof source[Symbol.asyncIterator] === 'function';
      const it: AsyncIterator<DocumentInput> | Iterator<DocumentInput> =
          isAsync ? source[Symbol.asyncIterator]() : source[Symbol.iterator]();
      let i = 0;
      try {
        for (;;) {
          if (finished) break;
          // An async source is raced against the end of the call: an idle source must not keep the stream (or the
          // consumer's `break`) waiting. A sync source answers at once.
          const step = isAsync ? await unlessStopped(it.next() as Promise<IteratorResult<DocumentInput>>)
                               : (it as Iterator<DocumentInput>).next();
          if (step === STOPPED || finished) break;
          if (step.done) {
            call.end();
            return;
          }
          const ok = call.write(makeRequest(step.value, { ...opts, documentId: String(i) }));
          i++;
          if (!ok) await unlessStopped(new Promise<void>((resolve) => call.once('drain', resolve)));
        }
        // Stopped: tell the source without waiting for it (an idle async generator would block return()).
        Promise.resolve(it.return?.()).catch(() => undefined);
      } catch (e) {
        writeError = e;
        call.cancel();
      }
    })();
    try {
      for await (const response of call as AsyncIterable<AnalyzeResponse__Output>) {
        yield response;
      }
    } catch (e) {
      if (writeError) throw writeError;
      throw DocanalysisError.from(e, 'AnalyzeStream');
    } finally {
      opts.signal?.removeEventListener('abort', onAbort);
      stop();
      call.cancel();  // no-op after a clean end; stops the call when the consumer breaks early
      await writer;
    }
    if (writeError) throw writeError;
  }

  /** The installed plugins with their state, version and features. */
  listPlugins(opts: { timeoutMs?: number } = {}): Promise<ListPluginsResponse__Output> {
    return this.unary('ListPlugins',
                      (cb) => this.stub.ListPlugins({}, this.md(), this.callOptions(opts.timeoutMs, true), cb));
  }

  private adminMd(token?: string): grpc.Metadata {
    const t = token ?? this.adminToken;
    return this.md(t ? { authorization: `Bearer ${t}` } : undefined);
  }

  /** PluginAdmin: rescans the server's plugin folder (needs the admin token). */
  reloadPlugins(opts: { token?: string; timeoutMs?: number } = {}): Promise<ReloadPluginsResponse__Output> {
    return this.unary('ReloadPlugins', (cb) =>
      this.admin.ReloadPlugins({}, this.adminMd(opts.token), this.callOptions(opts.timeoutMs, true), cb));
  }

  /** PluginAdmin: loads (or reloads) the plugin in folder `name` of the server's plugin folder. */
  loadPlugin(name: string, opts: { token?: string; timeoutMs?: number } = {}): Promise<LoadPluginResponse__Output> {
    return this.unary('LoadPlugin', (cb) =>
      this.admin.LoadPlugin({ name }, this.adminMd(opts.token), this.callOptions(opts.timeoutMs, true), cb));
  }

  /** PluginAdmin: unloads a plugin; requests already running finish on it. */
  async unloadPlugin(name: string, opts: { token?: string; timeoutMs?: number } = {}): Promise<void> {
    await this.unary('UnloadPlugin', (cb) =>
      this.admin.UnloadPlugin({ name }, this.adminMd(opts.token), this.callOptions(opts.timeoutMs, true), cb));
  }
}
