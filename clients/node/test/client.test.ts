// DocanalysisClient against a live server.
import { after, before, describe, test } from 'node:test';
import * as assert from 'node:assert/strict';
import { DocanalysisClient, DocanalysisError, status } from '../src/index';
import type { AnalyzeRequest } from '../src/index';
import { Forwarder, MIXED_TEXT, stopServer, target, toCodePoints, waitReady } from './helpers';

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

describe('analyze', () => {
  test('returns entities, sentiment, summary and plugin runs', async () => {
    const r = await client.analyze(MIXED_TEXT, { documentId: 'doc-1' });
    assert.equal(r.document_id, 'doc-1');
    assert.ok(r.sentences.length > 0);
    assert.ok(r.entities.length > 0);
    const score = r.document_sentiment?.score ?? 0;
    assert.ok(score >= -1 && score <= 1);
    assert.ok((r.summary?.sentences.length ?? 0) > 0);
    assert.ok(r.plugin_runs.length > 0);
    for (const run of r.plugin_runs) assert.equal(run.code ?? 0, 0, `${run.plugin}: ${run.message}`);
  });

  test('UTF-16 offsets (the default) slice JavaScript strings exactly', async () => {
    const r = await client.analyze(MIXED_TEXT, { features: ['entities', 'sentiment', 'summary'] });
    assert.ok(r.entities.length > 0);
    const afterEmoji = r.entities.some((e) => e.mentions.some((m) => (m.text?.begin_offset ?? 0) > MIXED_TEXT.indexOf('🎉')));
    assert.ok(afterEmoji, 'an entity after the emoji, where UTF-16 and code point offsets differ');
    for (const e of r.entities) {
      assert.ok(e.mentions.length > 0);
      for (const m of e.mentions) {
        assert.equal(MIXED_TEXT.slice(m.text?.begin_offset ?? 0, m.text?.end_offset ?? 0), m.text?.content, e.name);
      }
    }
    for (const s of r.sentences) assert.equal(MIXED_TEXT.slice(s.text?.begin_offset ?? 0, s.text?.end_offset ?? 0), s.text?.content);
    for (const s of r.summary?.sentences ?? []) {
      assert.equal(MIXED_TEXT.slice(s.text?.begin_offset ?? 0, s.text?.end_offset ?? 0), s.text?.content);
    }
  });

  for (const enc of ['utf8', 'utf32'] as const) {
    test(`${enc} offsets name the same spans as UTF-16`, async () => {
      const spans = (r: Awaited<ReturnType<DocanalysisClient['analyze']>>, e: 'utf8' | 'utf16' | 'utf32') =>
        r.entities.flatMap((x) => x.mentions.map((m) =>
          `${x.name}|${toCodePoints(MIXED_TEXT, m.text?.begin_offset ?? 0, e)}|${toCodePoints(MIXED_TEXT, m.text?.end_offset ?? 0, e)}`)).sort();
      const base = await client.analyze(MIXED_TEXT, { features: ['entities'] });
      const other = await client.analyze(MIXED_TEXT, { features: ['entities'], encoding: enc });
      assert.deepEqual(spans(other, enc), spans(base, 'utf16'));
      if (enc === 'utf8') {
        const bytes = Buffer.from(MIXED_TEXT, 'utf8');
        for (const e of other.entities) for (const m of e.mentions) {
          assert.equal(bytes.subarray(m.text?.begin_offset ?? 0, m.text?.end_offset ?? 0).toString('utf8'), m.text?.content);
        }
      } else {
        const cps = [...MIXED_TEXT];
        for (const e of other.entities) for (const m of e.mentions) {
          assert.equal(cps.slice(m.text?.begin_offset ?? 0, m.text?.end_offset ?? 0).join(''), m.text?.content);
        }
      }
    });
  }

  test('features limit what runs', async () => {
    const r = await client.analyze('Angela Merkel visited Paris. It was lovely.', { features: ['sentiment'] });
    assert.equal(r.entities.length, 0);
    assert.equal(r.summary?.sentences.length ?? 0, 0);
    assert.ok(r.plugin_runs.some((p) => p.features.includes('sentiment')));
  });
});

describe('errors', () => {
  test('unknown feature rejects with INVALID_ARGUMENT and the server message', async () => {
    await assert.rejects(client.analyze('Some text.', { features: ['no-such-feature-xyz'] }), (e: unknown) => {
      assert.ok(e instanceof DocanalysisError);
      assert.equal(e.code, status.INVALID_ARGUMENT);
      assert.equal(e.codeName, 'INVALID_ARGUMENT');
      assert.ok(e.details.length > 0);
      return true;
    });
  });

  test('invalid UTF-8 names the byte offset', async () => {
    await assert.rejects(client.analyze(Buffer.from([0x61, 0x62, 0x63, 0xff, 0x64])), (e: unknown) => {
      assert.ok(e instanceof DocanalysisError);
      assert.equal(e.code, status.INVALID_ARGUMENT);
      assert.match(e.details, /3/);
      return true;
    });
  });

  test('deadline exceeded', async () => {
    await assert.rejects(client.analyze(MIXED_TEXT.repeat(20), { timeoutMs: 1 }), (e: unknown) => {
      assert.ok(e instanceof DocanalysisError);
      assert.equal(e.code, status.DEADLINE_EXCEEDED);
      return true;
    });
  });

  test('AbortSignal cancels', async () => {
    const ac = new AbortController();
    const p = client.analyze(MIXED_TEXT.repeat(20), { signal: ac.signal });
    ac.abort();
    await assert.rejects(p, (e: unknown) => e instanceof DocanalysisError && e.code === status.CANCELLED);
  });

  test('an unreachable target rejects with UNAVAILABLE', async () => {
    const f = await Forwarder.start(addr);
    const port = f.port;
    f.close();  // nothing listens there now
    const c = new DocanalysisClient(`127.0.0.1:${port}`, { timeoutMs: 5000, maxAttempts: 2 });
    try {
      await assert.rejects(c.analyze('Paris.'), (e: unknown) => e instanceof DocanalysisError && e.code === status.UNAVAILABLE);
    } finally {
      c.close();
    }
  });

  test('a TLS client does not speak plaintext', async () => {
    const c = new DocanalysisClient(addr, { timeoutMs: 10000, tls: true, maxAttempts: 1 });
    try {
      await assert.rejects(c.analyze('Paris.'), (e: unknown) => e instanceof DocanalysisError && e.code === status.UNAVAILABLE);
    } finally {
      c.close();
    }
  });
});

describe('batch and stream', () => {
  test('batch keeps order and reports a bad document in its own response', async () => {
    const docs = ['Angela Merkel visited Paris.', Buffer.from([0x62, 0xc3, 0x28]), 'Microsoft opened an office in 東京 🎉.'];
    const out = await client.analyzeBatch(docs, { features: ['entities'] });
    assert.deepEqual(out.map((r) => r.document_id), ['0', '1', '2']);
    assert.equal(out[0].error?.code ?? 0, 0);
    assert.equal(out[2].error?.code ?? 0, 0);
    assert.equal(out[1].error?.code, status.INVALID_ARGUMENT);
    for (const [text, r] of [[docs[0], out[0]], [docs[2], out[2]]] as const) {
      for (const e of r.entities) for (const m of e.mentions) {
        assert.equal((text as string).slice(m.text?.begin_offset ?? 0, m.text?.end_offset ?? 0), m.text?.content);
      }
    }
  });

  test('stream: async iterable in, async iterable out, in order', async () => {
    const produced: number[] = [];
    async function* docs() {
      for (let i = 0; i < 6; i++) {
        produced.push(i);
        await new Promise((r) => setImmediate(r));
        yield `Document ${i}: Angela Merkel met Emmanuel Macron in Paris 😀.`;
      }
    }
    const ids: string[] = [];
    for await (const r of client.analyzeStream(docs(), { features: ['entities', 'sentiment'] })) {
      assert.equal(r.error?.code ?? 0, 0);
      assert.ok(r.sentences.length > 0);
      ids.push(r.document_id ?? '');
    }
    assert.deepEqual(ids, ['0', '1', '2', '3', '4', '5']);
    assert.deepEqual(produced, [0, 1, 2, 3, 4, 5]);
  });

  test('stream carries per-document errors and goes on', async () => {
    const requests: AnalyzeRequest[] = [
      { document: { id: 'good', content: 'Paris is nice.' } },
      { document: { id: 'bad', raw_content: Buffer.from([0xff]) } },
      { document: { id: 'after', content: 'Berlin is big.' } },
    ];
    const out = [];
    for await (const r of client.analyzeStream(requests)) out.push(r);
    assert.deepEqual(out.map((r) => r.document_id), ['good', 'bad', 'after']);
    assert.notEqual(out[1].error?.code ?? 0, 0);
    assert.equal(out[0].error?.code ?? 0, 0);
    assert.equal(out[2].error?.code ?? 0, 0);
  });

  test('breaking out of a stream early ends it cleanly', async () => {
    let n = 0;
    for await (const r of client.analyzeStream(Array.from({ length: 50 }, (_, i) => `Doc ${i} about Paris.`))) {
      assert.ok(r.sentences.length > 0);
      if (++n === 2) break;
    }
    assert.equal(n, 2);
    const again = await client.analyze('Still works in Paris.', { features: ['sentiment'] });
    assert.ok(again.sentences.length > 0);
  });

  test('listPlugins names the built-in features', async () => {
    const r = await client.listPlugins();
    const features = new Set(r.plugins.flatMap((p) => p.features));
    for (const f of ['entities', 'sentiment', 'summary']) assert.ok(features.has(f), f);
  });
});

describe('channel: round-robin and retries', () => {
  test('round-robin spreads calls over every address', async () => {
    const [a, b] = [await Forwarder.start(addr), await Forwarder.start(addr)];
    const c = new DocanalysisClient(`ipv4:127.0.0.1:${a.port},127.0.0.1:${b.port}`, { timeoutMs: 30000 });
    try {
      for (let i = 0; i < 10; i++) {
        const r = await c.analyze('Angela Merkel visited Paris.', { features: ['sentiment'] });
        assert.ok(r.sentences.length > 0);
      }
      assert.ok(a.connections >= 1 && b.connections >= 1, `${a.connections} ${b.connections}`);
      assert.ok(a.bytes > 0 && b.bytes > 0, `${a.bytes} ${b.bytes}`);
    } finally {
      c.close();
      a.close();
      b.close();
    }
  });

  test('UNAVAILABLE on one address is retried on the other', async () => {
    const [a, b] = [await Forwarder.start(addr), await Forwarder.start(addr)];
    const c = new DocanalysisClient(`ipv4:127.0.0.1:${a.port},127.0.0.1:${b.port}`, { timeoutMs: 30000 });
    try {
      assert.ok((await c.analyze('Paris.', { features: ['sentiment'] })).sentences.length > 0);
      a.close();
      for (let i = 0; i < 10; i++) {
        const r = await c.analyze('Angela Merkel visited Paris.', { features: ['sentiment'] });
        assert.ok(r.sentences.length > 0);
      }
    } finally {
      c.close();
      b.close();
    }
  });

  test('UNAVAILABLE in flight is retried through the service config', async () => {
    const relay = await Forwarder.start(addr, 2);
    const c = new DocanalysisClient(`127.0.0.1:${relay.port}`, { timeoutMs: 30000, maxAttempts: 4 });
    try {
      const r = await c.analyze('Angela Merkel visited Paris.', { features: ['sentiment'] });
      assert.ok(r.sentences.length > 0);
      assert.equal(relay.cut, 2);
    } finally {
      c.close();
      relay.close();
    }
  });

  test('without retries the cut call fails with UNAVAILABLE', async () => {
    const relay = await Forwarder.start(addr, 1);
    const c = new DocanalysisClient(`127.0.0.1:${relay.port}`, { timeoutMs: 30000, maxAttempts: 1 });
    try {
      await assert.rejects(c.analyze('Angela Merkel visited Paris.', { features: ['sentiment'] }),
                           (e: unknown) => e instanceof DocanalysisError && e.code === status.UNAVAILABLE);
      assert.equal(relay.cut, 1);
    } finally {
      c.close();
    }
    const fresh = new DocanalysisClient(`127.0.0.1:${relay.port}`, { timeoutMs: 30000, maxAttempts: 1 });
    try {  // the relay cuts only one call
      assert.ok((await fresh.analyze('Paris.', { features: ['sentiment'] })).sentences.length > 0);
    } finally {
      fresh.close();
      relay.close();
    }
  });
});
