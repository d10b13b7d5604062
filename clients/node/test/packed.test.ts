// The packed artefact (npm pack, installed into a scratch project by test.sh; DOCANALYSIS_PACKED_DIR) works through
// both entry points: require() (CommonJS) and import (ESM), against a live server. Skipped without the variable.
import { after, before, test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { stopServer, target, waitReady } from './helpers';

const dir = process.env.DOCANALYSIS_PACKED_DIR;
let addr: string;

before(async () => {
  if (!dir) return;
  addr = await target();
  await waitReady(addr);
});

after(async () => {
  await stopServer();
});

test('the packed package works through require() and import', { skip: !dir && 'DOCANALYSIS_PACKED_DIR not set' }, async () => {
  // The installed copy, by path: by name, Node would resolve this source folder itself (self-reference).
  const root = path.join(dir!, 'node_modules', '@docanalysis', 'client');
  const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
  const entries = pkg.exports['.'];
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const cjs = require(path.join(root, entries.require));
  const esm = await (new Function('p', 'return import(p)'))(path.join(root, entries.import));
  assert.ok(fs.existsSync(path.join(root, entries.types)), 'type declarations shipped');
  assert.equal(esm.DocanalysisClient, cjs.DocanalysisClient, 'one implementation behind both entry points');
  const client = new esm.DocanalysisClient(addr);
  try {
    const r = await client.analyze('Angela Merkel visited Paris.', { features: ['sentiment'] });
    assert.equal(r.sentences.length, 1);
    await assert.rejects(client.analyze('x', { features: ['no-such-feature'] }), (e: unknown) => e instanceof cjs.InvalidRequestError);
  } finally {
    client.close();
  }
});
