// TLS and mutual TLS against servers of the suite's own, with a throwaway CA made by openssl. Needs the server
// binary (DOCANALYSIS_SERVER or <repo>/build/...): skipped, with the reason, when only DOCANALYSIS_TARGET is given.
import { after, before, test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { DocanalysisClient, DocanalysisError, status } from '../src/index';
import { ServerProcess, makeCertificates, serverBinary } from './helpers';

const haveServer = fs.existsSync(serverBinary());
const haveOpenssl = spawnSync('openssl', ['version']).status === 0;
const skip = !haveServer ? `no server binary at ${serverBinary()} (set DOCANALYSIS_SERVER)`
  : !haveOpenssl ? 'openssl is not installed' : false;

let dir: string;
let tls: ServerProcess | undefined;
let mtls: ServerProcess | undefined;
const pem = (name: string) => fs.readFileSync(path.join(dir, name));
const local = (s: ServerProcess) => `localhost:${s.target.slice(s.target.lastIndexOf(':') + 1)}`;

before(async () => {
  if (skip) return;
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'docanalysis-node-tls-'));
  makeCertificates(dir);
  const cert = ['--tls_cert', path.join(dir, 'server.pem'), '--tls_key', path.join(dir, 'server.key')];
  tls = await ServerProcess.start(...cert);
  mtls = await ServerProcess.start(...cert, '--tls_client_ca', path.join(dir, 'ca.pem'));
});

after(async () => {
  await tls?.stop();
  await mtls?.stop();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

async function expectUnavailable(c: DocanalysisClient) {
  try {
    await assert.rejects(c.analyze('Paris.'), (e: unknown) => e instanceof DocanalysisError && e.code === status.UNAVAILABLE);
  } finally {
    c.close();
  }
}

test('TLS with a private CA', { skip }, async () => {
  const c = new DocanalysisClient(local(tls!), { tls: { rootCerts: pem('ca.pem') } });
  try {
    const r = await c.analyze('Angela Merkel visited Paris.', { features: ['sentiment'] });
    assert.ok(r.sentences.length > 0);
  } finally {
    c.close();
  }
});

test('TLS rejects a server certificate the roots do not know', { skip }, async () => {
  await expectUnavailable(new DocanalysisClient(local(tls!), { tls: true, timeoutMs: 10000, maxAttempts: 1 }));
});

test('a plaintext client cannot talk to a TLS server', { skip }, async () => {
  await expectUnavailable(new DocanalysisClient(tls!.target, { timeoutMs: 10000, maxAttempts: 1 }));
});

test('mutual TLS: with a client certificate it works, without it fails', { skip }, async () => {
  const c = new DocanalysisClient(local(mtls!), {
    tls: { rootCerts: pem('ca.pem'), certChain: pem('client.pem'), privateKey: pem('client.key') },
  });
  try {
    assert.ok((await c.analyze('Paris is lovely.', { features: ['sentiment'] })).sentences.length > 0);
  } finally {
    c.close();
  }
  await expectUnavailable(new DocanalysisClient(local(mtls!), { tls: { rootCerts: pem('ca.pem') }, timeoutMs: 10000, maxAttempts: 1 }));
});

test('CLI --ca-cert', { skip }, () => {
  const doc = path.join(dir, 'doc.txt');
  fs.writeFileSync(doc, 'Angela Merkel visited Paris.');
  const r = spawnSync(process.execPath, [path.resolve(__dirname, '..', 'src', 'cli.js'), 'analyze', doc, '--target',
                                         local(tls!), '--ca-cert', path.join(dir, 'ca.pem')], { encoding: 'utf8', timeout: 120000 });
  assert.equal(r.status, 0, r.stderr);
  assert.ok(JSON.parse(r.stdout).sentences.length > 0);
});
