// Streaming defects, back-pressure and memory, the error hierarchy and the failure helpers, against a live server.
import { after, before, describe, test } from 'node:test';
import * as assert from 'node:assert/strict';
import {
  CancelledError, DeadlineExceededError, DocanalysisClient, DocanalysisError, DocumentFailedError, InvalidRequestError,
  PluginFailedError, UnavailableError, documentError, encodingType, failedDocuments, failedPluginRuns, isRetryable,
  status, throwIfDocumentsFailed, throwIfPluginsFailed,
} from '../src/index';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { AuthError } from '../src/index';
import { ServerProcess, stopServer, target, waitReady } from './helpers';

let addr: string;
let client: DocanalysisClient;

before(async () => {
  addr = await target();
  await waitReady(addr);
  client = new DocanalysisClient(addr, { timeoutMs: 60000 });
});

after(async () => {
  client?.close();
  await stopServer();
});

const within = <T>(ms: number, p: Promise<T>, what: string) =>
  Promise.race([p, new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`${what}: hung for ${ms} ms`)), ms).unref())]);

describe('stream defects', () => {
  test('an already-aborted signal stops the stream before any document is analyzed', async () => {
    const ac = new AbortController();
    ac.abort();
    const seen: unknown[] = [];
    await assert.rejects(within(10000, (async () => {
      for await (const r of client.analyzeStream(['Paris is nice.', 'Berlin is big.'], { signal: ac.signal })) seen.push(r);
    })(), 'aborted stream'), (e: unknown) => e instanceof CancelledError);
    assert.equal(seen.length, 0);
  });

  test('breaking out of the loop while the input source is idle does not hang', async () => {
    let release!: () => void;
    const never = new Promise<void>((r) => { release = r; });
    async function* source() {
      yield 'Paris is nice.';
      await never;  // idle: no next document for a long time
      yield 'Berlin is big.';
    }
    await within(10000, (async () => {
      for await (const r of client.analyzeStream(source(), { features: ['sentiment'] })) {
        assert.ok(r.sentences.length > 0);
        break;
      }
    })(), 'break with an idle source');
    release();
  });

  test('an unbounded source is read with back-pressure and not past an early stop', async () => {
    let produced = 0;
    function* endless() {
      for (;;) {
        produced++;
        yield `Document ${produced}: Paris is nice.`;
      }
    }
    let seen = 0;
    for await (const r of client.analyzeStream(endless(), { features: ['sentiment'] })) {
      assert.equal(r.error?.code ?? 0, 0);
      if (++seen === 50) break;
    }
    const atStop = produced;
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(produced, atStop, 'the source was read after the loop ended');
    // The source is endless: that the loop got answers at all shows it is read lazily (the channel's flow-control
    // window decides how far ahead).
  });

  test('a stream has a deadline only when one is asked for', async () => {
    const slow = async function* () {
      for (let i = 0; i < 3; i++) {
        await new Promise((r) => setTimeout(r, 150));
        yield `Doc ${i}.`;
      }
    };
    const short = new DocanalysisClient(addr, { timeoutMs: 200 });  // unary default only
    try {
      let n = 0;
      for await (const _ of short.analyzeStream(slow(), { features: ['sentiment'] })) n++;
      assert.equal(n, 3);
      await assert.rejects((async () => {
        for await (const _ of short.analyzeStream(slow(), { features: ['sentiment'], timeoutMs: 200 })) { /* drain */ }
      })(), (e: unknown) => e instanceof DeadlineExceededError);
    } finally {
      short.close();
    }
  });

  test('100,000 short documents stream with bounded memory', async () => {
    const n = 100_000;
    let peak = 0;
    function* docs() {
      for (let i = 0; i < n; i++) {
        if (i % 5000 === 0) {
          // Live objects only (node --expose-gc, as `npm test` runs): garbage not yet collected is not retained.
          (globalThis as { gc?: () => void }).gc?.();
          peak = Math.max(peak, process.memoryUsage().heapUsed);
        }
        yield `Doc ${i}: Paris is nice.`;
      }
    }
    let got = 0;
    for await (const r of client.analyzeStream(docs(), { features: ['sentiment'] })) {
      if ((r.error?.code ?? 0) === 0) got++;
    }
    assert.equal(got, n);
    const gc = typeof (globalThis as { gc?: unknown }).gc === 'function';
    console.log(`node stream of ${n} documents: peak heap used ${(peak / 2 ** 20).toFixed(1)} MB` +
                (gc ? ' (live, after gc)' : ' (gc not exposed: garbage included)'));
    assert.ok(peak < (gc ? 64 : 256) * 2 ** 20, `peak heap ${peak}`);
  });
});

describe('encodings', () => {
  test('only utf8, utf16 and utf32 are encodings; inherited names are not', () => {
    assert.equal(encodingType('utf8'), 'UTF8');
    assert.equal(encodingType('UTF-16' as never), 'UTF16');
    for (const bad of ['constructor', 'toString', '__proto__', 'hasOwnProperty', 'latin1']) {
      assert.throws(() => encodingType(bad as never), TypeError, bad);
    }
  });
});

describe('errors', () => {
  test('errors are typed by code, and retryable is decided by code', async () => {
    await assert.rejects(client.analyze('Text.', { features: ['no-such-feature'] }), (e: unknown) =>
      e instanceof InvalidRequestError && e instanceof DocanalysisError && !e.retryable &&
      e.code === status.INVALID_ARGUMENT);
    assert.ok(isRetryable(status.UNAVAILABLE) && !isRetryable(status.DEADLINE_EXCEEDED));
    const dead = new DocanalysisClient('127.0.0.1:1', { timeoutMs: 10000, maxAttempts: 1 });
    try {
      await assert.rejects(dead.analyze('Paris.'), (e: unknown) => e instanceof UnavailableError && e.retryable);
    } finally {
      dead.close();
    }
  });

  test('failed documents of a batch and failed plugin runs become errors', async () => {
    const out = await client.analyzeBatch(['Paris is nice.', Buffer.from([0x78, 0xff])], { features: ['sentiment'] });
    assert.deepEqual(failedDocuments(out).map((r) => r.document_id), ['1']);
    assert.equal(documentError(out[0]), undefined);
    assert.ok(documentError(out[1]) instanceof InvalidRequestError);
    assert.throws(() => throwIfDocumentsFailed(out), DocumentFailedError);
    throwIfDocumentsFailed(out.slice(0, 1));
    const bad = { plugin_runs: [{ plugin: 'sentiment', code: 0 }, { plugin: 'entity', code: 13, message: 'boom' }] };
    assert.deepEqual(failedPluginRuns(bad).map((r) => r.plugin), ['entity']);
    assert.throws(() => throwIfPluginsFailed(bad), (e: unknown) => e instanceof PluginFailedError && e.code === status.INTERNAL);
    throwIfPluginsFailed({ plugin_runs: [{ plugin: 'sentiment', code: 0 }] });
  });
});

describe('plugin admin', () => {
  test('reload, unload and load with the token; without it, AuthError', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'docanalysis-node-admin-'));
    fs.writeFileSync(path.join(dir, 'token'), 's3cret\n');
    const server = await ServerProcess.start('--admin_token_file', path.join(dir, 'token'));
    const admin = new DocanalysisClient(server.target, { adminToken: 's3cret' });
    const anon = new DocanalysisClient(server.target, { maxAttempts: 1 });
    try {
      await waitReady(server.target);
      assert.ok((await admin.reloadPlugins()).plugins.some((p) => p.name === 'sentiment'));
      await admin.unloadPlugin('sentiment');
      assert.equal((await admin.loadPlugin('sentiment')).plugin?.name, 'sentiment');
      await assert.rejects(anon.reloadPlugins(), (e: unknown) => e instanceof AuthError);
      await assert.rejects(admin.reloadPlugins({ token: 'wrong' }), (e: unknown) => e instanceof AuthError);
    } finally {
      admin.close();
      anon.close();
      await server.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
