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

interface Span { content: string; begin_offset?: number; end_offset?: number }

test('prints the response as JSON with proto field names and UTF-16 offsets', () => {
  const r = cli('analyze', path.join(dir, 'doc.txt'), '--target', addr, '--json');
  assert.equal(r.status, 0, r.stderr);
  const out = JSON.parse(r.stdout);
  assert.ok(out.entities.length > 0 && out.sentences.length > 0);
  assert.ok('document_sentiment' in out && 'plugin_runs' in out);
  assert.equal(typeof out.plugin_runs[0].latency_us, 'string', 'int64 as a JSON string');
  for (const e of out.entities) {
    assert.equal(typeof e.type, 'string', 'enums by name');
    for (const m of e.mentions as Array<{ text: Span }>) {
      assert.equal(MIXED_TEXT.slice(m.text.begin_offset ?? 0, m.text.end_offset ?? 0), m.text.content);
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
    assert.equal(bytes.subarray(m.text.begin_offset ?? 0, m.text.end_offset ?? 0).toString('utf8'), m.text.content);
  }
});

test('a failed call prints the status and exits 1', () => {
  const r = cli('analyze', path.join(dir, 'doc.txt'), '--target', addr, '--features', 'no-such-feature-xyz');
  assert.equal(r.status, 1);
  assert.match(r.stderr, /INVALID_ARGUMENT/);
});

test('usage errors exit 2', () => {
  const r = cli('analyze', path.join(dir, 'doc.txt'));
  assert.equal(r.status, 2);
  assert.match(r.stderr, /--target/);
});

test('plugins lists the loaded plugins', () => {
  const r = cli('plugins', '--target', addr);
  assert.equal(r.status, 0, r.stderr);
  assert.ok(JSON.parse(r.stdout).plugins.length > 0);
});
