// The docanalysis-node CLI (dist/src/cli.js) against a live server.
import { after, before, test } from 'node:test';
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { MIXED_TEXT, stopServer, target, waitReady } from './helpers';

const CLI = path.resolve(__dirname, '..', 'src', 'cli.js');
let addr: string;
let dir: string;

before(async () => {
  addr = await target();
  await waitReady(addr);
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'docanalysis-node-cli-'));
  fs.writeFileSync(path.join(dir, 'doc.txt'), MIXED_TEXT);
});

after(async () => {
  fs.rmSync(dir, { recursive: true, force: true });
  await stopServer();
});

function cli(...args: string[]) {
  // spawnSync blocks this process's event loop, but the server runs in its own process.
  return spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', timeout: 120000 });
}

interface Span { content: string; beginOffset?: number; endOffset?: number }

test('prints the response in canonical JSON with UTF-16 offsets', () => {
  const r = cli('analyze', path.join(dir, 'doc.txt'), '--target', addr, '--json');
  assert.equal(r.status, 0, r.stderr);
  const out = JSON.parse(r.stdout);
  assert.ok(out.entities.length > 0 && out.sentences.length > 0);
  assert.ok('documentSentiment' in out && 'pluginRuns' in out && !('plugin_runs' in out));
  assert.equal(typeof out.pluginRuns[0].latencyUs, 'string', 'int64 as a JSON string');
  for (const e of out.entities) {
    assert.equal(typeof e.type, 'string', 'enums by name');
    for (const m of e.mentions as Array<{ text: Span }>) {
      assert.equal(MIXED_TEXT.slice(m.text.beginOffset ?? 0, m.text.endOffset ?? 0), m.text.content);
    }
  }
});

test('--encoding utf8 and --features', () => {
  const r = cli('analyze', path.join(dir, 'doc.txt'), '--target', addr, '--features', 'entities', '--encoding', 'utf8');
  assert.equal(r.status, 0, r.stderr);
  const out = JSON.parse(r.stdout);
  assert.equal(out.summary, undefined);
  const bytes = Buffer.from(MIXED_TEXT, 'utf8');
  for (const e of out.entities) for (const m of e.mentions as Array<{ text: Span }>) {
    assert.equal(bytes.subarray(m.text.beginOffset ?? 0, m.text.endOffset ?? 0).toString('utf8'), m.text.content);
  }
});

test('a failed call prints the status and exits 3', () => {
  const r = cli('analyze', path.join(dir, 'doc.txt'), '--target', addr, '--features', 'no-such-feature-xyz');
  assert.equal(r.status, 3);
  assert.match(r.stderr, /INVALID_ARGUMENT/);
  assert.equal(r.stderr.trim().split('\n').length, 1);
});

test('an unreachable server exits 3', () => {
  const r = cli('analyze', path.join(dir, 'doc.txt'), '--target', '127.0.0.1:1', '--timeout', '5');
  assert.equal(r.status, 3, r.stderr);
  assert.match(r.stderr, /UNAVAILABLE|DEADLINE_EXCEEDED/);
});

test('usage errors exit 2 with one line', () => {
  const doc = path.join(dir, 'doc.txt');
  for (const args of [[doc], [doc, '--target', addr, '--timeout', 'abc'], [doc, '--target', addr, '--timeout', '-1'],
                      [doc, '--target', addr, '--option', 'novalue'], [doc, '--target', addr, '--no-such-flag'],
                      [doc, '--target', addr, '--tls-cert', doc], [doc + '.missing', '--target', addr]]) {
    const r = cli('analyze', ...args);
    assert.equal(r.status, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
  }
});

test('--option reaches the plugin; several files print one line each', () => {
  const doc = path.join(dir, 'doc.txt');
  let r = cli('analyze', doc, '--target', addr, '--features', 'summary', '--option', 'summary.max_sentences=1');
  assert.equal(r.status, 0, r.stderr);
  assert.equal(JSON.parse(r.stdout).summary.sentences.length, 1);
  r = cli('analyze', doc, doc, '--target', addr, '--features', 'sentiment');
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout.trim().split('\n').map((l) => JSON.parse(l)).length, 2);
});

test('plugins lists the loaded plugins', () => {
  const r = cli('plugins', '--target', addr);
  assert.equal(r.status, 0, r.stderr);
  assert.ok(JSON.parse(r.stdout).plugins.length > 0);
});
