// Test support: a live server (DOCANALYSIS_TARGET, or one started from DOCANALYSIS_SERVER/DOCANALYSIS_PLUGIN_DIR on
// 127.0.0.1:0), a TCP relay to see which addresses a channel talks to, and a document with emoji/accents/CJK.
import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import * as readline from 'node:readline';
import { DocanalysisClient } from '../src/client';

const REPO = path.resolve(__dirname, '..', '..', '..', '..');

// Code points, UTF-16 units and UTF-8 bytes all differ here: emoji (2 units, 4 bytes), accents (1 unit, 2 bytes),
// CJK (1 unit, 3 bytes), before and between the entities.
export const MIXED_TEXT = '😀 Angela Merkel met Emmanuel Macron in Paris on Tuesday, and both praised the café owners of ' +
  'Zürich 🎉. Later, Microsoft announced a new office in 東京 near the station. ' +
  'François Hollande said the meeting was wonderful and productive. ' +
  'Critics called the plan a terrible, costly mistake 😡.';

export function serverBinary(): string {
  return process.env.DOCANALYSIS_SERVER ?? path.join(REPO, 'build', 'service', 'docanalysis-server');
}

export function pluginDir(): string {
  return process.env.DOCANALYSIS_PLUGIN_DIR ?? path.join(REPO, 'build', 'plugins');
}

/** A server process of the suite's own on 127.0.0.1:0; `target` is what it printed after `listening on`. */
export class ServerProcess {
  private constructor(readonly proc: ChildProcess, readonly target: string) {}

  static async start(...extra: string[]): Promise<ServerProcess> {
    const binary = serverBinary();
    if (!fs.existsSync(binary)) {
      throw new Error(`no server binary at ${binary}: build it, or set DOCANALYSIS_TARGET or DOCANALYSIS_SERVER`);
    }
    const proc = spawn(binary, ['--listen', '127.0.0.1:0', '--plugin_dir', pluginDir(), ...extra],
                       { stdio: ['ignore', 'pipe', 'ignore'] });
    try {
      const found = await new Promise<string>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`${binary} printed no 'listening on HOST:PORT' in 60 s`)), 60000);
        const lines = readline.createInterface({ input: proc.stdout! });
        lines.on('line', (line) => {
          const m = /listening on (\S+:\d+)/.exec(line);
          if (m) {
            clearTimeout(timer);
            resolve(m[1]);
          }
        });
        proc.once('exit', (code) => {
          clearTimeout(timer);
          reject(new Error(`${binary} exited with ${code} before listening`));
        });
      });
      return new ServerProcess(proc, found);
    } catch (e) {
      proc.kill('SIGKILL');
      throw e;
    }
  }

  /** SIGTERM, then SIGKILL after 20 s. */
  async stop(): Promise<void> {
    const proc = this.proc;
    if (proc.exitCode !== null || proc.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
    proc.kill('SIGTERM');
    const timer = setTimeout(() => proc.kill('SIGKILL'), 20000);
    await exited;
    clearTimeout(timer);
  }
}

let server: Promise<ServerProcess> | undefined;

/** host:port of a live server; starts one (once per process) unless DOCANALYSIS_TARGET is set. */
export async function target(): Promise<string> {
  if (process.env.DOCANALYSIS_TARGET) return process.env.DOCANALYSIS_TARGET;
  server ??= ServerProcess.start();
  return (await server).target;
}

/** Stops the server this process started, if any. */
export async function stopServer(): Promise<void> {
  const s = server;
  server = undefined;
  if (s) await (await s).stop();
}

/** A throwaway CA, a server certificate for localhost/127.0.0.1 and a client certificate (openssl), in `dir`. */
export function makeCertificates(dir: string): void {
  const run = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe', timeout: 60000 });
  run('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '2',
      '-subj', '/CN=docanalysis test CA');
  const exts: Record<string, string> = {
    server: 'subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n',
    client: 'extendedKeyUsage=clientAuth\n',
  };
  for (const [name, ext] of Object.entries(exts)) {
    fs.writeFileSync(path.join(dir, `${name}.ext`), ext);
    run('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${name}`);
    run('x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out',
        `${name}.pem`, '-days', '2', '-extfile', `${name}.ext`);
  }
}

/** Waits (bounded) until the server answers with entities: plugins may still be loading after the port opens. */
export async function waitReady(t: string): Promise<void> {
  const client = new DocanalysisClient(t, { timeoutMs: 10000 });
  try {
    const deadline = Date.now() + 30000;
    while (Date.now() < deadline) {
      try {
        const r = await client.analyze('Angela Merkel visited Paris.', { features: ['entities'] });
        if (r.entities.length) return;
      } catch {
        // not ready yet
      }
      await new Promise((r) => setTimeout(r, 300));
    }
  } finally {
    client.close();
  }
}

/**
 * A TCP relay on 127.0.0.1 in front of the real server; counts relayed connections; close() kills the address.
 * cutRpcs = N: the first N calls die in flight: at the client's HTTP/2 HEADERS frame of a call the relay drops it
 * and cuts the connection (the client sees UNAVAILABLE after having sent the call).
 */
export class Forwarder {
  connections = 0;
  bytes = 0;
  port = 0;
  cut = 0;
  private readonly listener: net.Server;
  private readonly sockets = new Set<net.Socket>();

  private constructor(upstream: string, private readonly cutRpcs: number) {
    const i = upstream.lastIndexOf(':');
    const host = upstream.slice(0, i).replace(/^\[|\]$/g, '');
    const port = Number(upstream.slice(i + 1));
    this.listener = net.createServer((down) => {
      this.connections++;
      const up = net.connect(port, host);
      for (const s of [down, up]) {
        this.sockets.add(s);
        s.on('close', () => this.sockets.delete(s));
        s.on('error', () => { down.destroy(); up.destroy(); });
      }
      down.on('data', (d) => { this.bytes += d.length; });
      if (this.cut < this.cutRpcs) this.relayCutting(down, up);
      else down.pipe(up);
      up.pipe(down);
    });
  }

  private relayCutting(down: net.Socket, up: net.Socket): void {
    const PREFACE = 24;  // "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"
    let buf = Buffer.alloc(0);
    let prefaceSeen = false;
    down.on('data', (d: Buffer) => {
      buf = Buffer.concat([buf, d]);
      if (!prefaceSeen) {
        if (buf.length < PREFACE) return;
        up.write(buf.subarray(0, PREFACE));
        buf = buf.subarray(PREFACE);
        prefaceSeen = true;
      }
      while (buf.length >= 9) {
        const length = buf.readUIntBE(0, 3);
        if (buf.length < 9 + length) break;
        if (buf[3] === 0x1 && this.cut < this.cutRpcs) {  // HEADERS: a call starts
          this.cut++;
          down.destroy();
          up.destroy();
          return;
        }
        up.write(buf.subarray(0, 9 + length));
        buf = buf.subarray(9 + length);
      }
    });
    down.on('end', () => up.end());
  }

  static async start(upstream: string, cutRpcs = 0): Promise<Forwarder> {
    const f = new Forwarder(upstream, cutRpcs);
    await new Promise<void>((resolve) => f.listener.listen(0, '127.0.0.1', resolve));
    f.port = (f.listener.address() as net.AddressInfo).port;
    return f;
  }

  close(): void {
    this.listener.close();
    for (const s of this.sockets) s.destroy();
  }
}

/** Converts an offset in `encoding` over `text` to a code point offset. */
export function toCodePoints(text: string, offset: number, encoding: 'utf8' | 'utf16' | 'utf32'): number {
  if (encoding === 'utf32') return offset;
  if (encoding === 'utf16') return [...text.slice(0, offset)].length;
  return [...Buffer.from(text, 'utf8').subarray(0, offset).toString('utf8')].length;
}
