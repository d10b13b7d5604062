#!/usr/bin/env node
// docanalysis-node: the Node client's command line, with the contract every client's CLI follows
// (clients/README.md):
//
//   docanalysis-node analyze FILE... --target HOST:PORT [--features a,b] [--encoding utf8|utf16|utf32]
//                    [--timeout SECONDS] [--option plugin.key=value]... [--html] [--tls-ca F]
//                    [--tls-cert F --tls-key F] [--json]
//   docanalysis-node plugins --target HOST:PORT [--timeout SECONDS] [--tls-ca F] ...
//
// The response is printed in protobuf's canonical JSON mapping (lowerCamelCase names, enums by name, int64 as
// strings, default values left out): one pretty-printed document for one FILE, one compact line per FILE for
// several. FILE "-" reads standard input. Offsets default to utf16 (JavaScript string indices).
// Exit status: 0 all is well; 2 usage error (one line on stderr); 3 the call failed (status code name and message
// on stderr); 4 the call succeeded but a plugin run failed (the JSON is still printed).
import * as fs from 'node:fs';
import { parseArgs } from 'node:util';
import { DocanalysisClient, Encoding } from './client';
import { DocanalysisError, failedPluginRuns } from './errors';
import { toCanonicalJson } from './proto';

const EXIT_OK = 0, EXIT_USAGE = 2, EXIT_CALL_FAILED = 3, EXIT_PARTIAL = 4;

const USAGE = `usage: docanalysis-node analyze FILE... --target HOST:PORT [--features a,b] [--encoding utf8|utf16|utf32]
                        [--timeout SECONDS] [--option plugin.key=value]... [--html] [--language xx] [--id ID]
                        [--tls] [--tls-ca PEM] [--tls-cert PEM --tls-key PEM] [--server-name NAME] [--json]
       docanalysis-node plugins --target HOST:PORT [--tls ...]
Offsets default to utf16 (JavaScript string indices).`;

class UsageError extends Error {}

function fail(msg: string): never {
  throw new UsageError(msg);
}

async function run(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        target: { type: 'string' },
        features: { type: 'string', default: '' },
        encoding: { type: 'string', default: 'utf16' },
        html: { type: 'boolean', default: false },
        language: { type: 'string', default: '' },
        option: { type: 'string', multiple: true, default: [] },
        id: { type: 'string', default: '' },
        timeout: { type: 'string' },
        tls: { type: 'boolean', default: false },
        'tls-ca': { type: 'string' },
        'tls-cert': { type: 'string' },
        'tls-key': { type: 'string' },
        // the flag names of the first version
        'ca-cert': { type: 'string' },
        cert: { type: 'string' },
        key: { type: 'string' },
        'server-name': { type: 'string' },
        json: { type: 'boolean', default: true },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
  } catch (e) {
    fail((e as Error).message.split('\n')[0]);
  }
  const { values: v, positionals } = parsed;
  if (v.help) {
    process.stdout.write(USAGE + '\n');
    return EXIT_OK;
  }
  const [command, ...files] = positionals;
  if (command !== 'analyze' && command !== 'plugins') fail(`unknown command ${command ?? '(none)'} (analyze or plugins)`);
  if (!v.target) fail('--target HOST:PORT is required');
  if (command === 'analyze' && files.length === 0) fail('analyze needs FILE... (or - for stdin)');
  if (command === 'plugins' && files.length) fail('plugins takes no FILE');
  if (!['utf8', 'utf16', 'utf32'].includes(v.encoding!)) fail(`unknown --encoding ${v.encoding} (utf8, utf16 or utf32)`);
  let timeoutMs = 0;
  if (v.timeout !== undefined) {
    const s = Number(v.timeout);
    if (v.timeout.trim() === '' || !Number.isFinite(s) || s <= 0) fail(`--timeout wants a positive number of seconds, got ${v.timeout}`);
    timeoutMs = Math.max(1, Math.round(s * 1000));
  }
  const options: Record<string, string> = {};
  for (const item of v.option ?? []) {
    const eq = item.indexOf('=');
    if (eq <= 0) fail(`--option wants PLUGIN.KEY=VALUE, got ${item}`);
    options[item.slice(0, eq)] = item.slice(eq + 1);
  }
  const ca = v['tls-ca'] ?? v['ca-cert'], cert = v['tls-cert'] ?? v.cert, key = v['tls-key'] ?? v.key;
  if (!!cert !== !!key) fail('--tls-cert and --tls-key go together');
  const read = (p: string) => {
    try {
      return fs.readFileSync(p === '-' ? 0 : p);
    } catch (e) {
      return fail(`cannot read ${p}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
  };
  const pem = (p?: string) => (p ? read(p) : undefined);
  const useTls = v.tls || !!ca || !!cert;
  const tls = useTls ? { rootCerts: pem(ca), certChain: pem(cert), privateKey: pem(key), serverName: v['server-name'] }
                     : false;
  const docs = files.map((f) => {
    const data = read(f);
    // Valid UTF-8 goes as text, so offsets count over the decoded string; anything else goes as raw bytes and
    // the server says where the bad byte is.
    try {
      return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(data) as string | Uint8Array;
    } catch {
      return data as string | Uint8Array;
    }
  });
  let client: DocanalysisClient;
  try {
    client = new DocanalysisClient(v.target!, { timeoutMs, tls });
  } catch (e) {
    fail((e as Error).message.split('\n')[0]);
  }
  try {
    if (command === 'plugins') {
      const out = toCanonicalJson(await client.listPlugins() as never, 'docanalysis.v1.ListPluginsResponse');
      process.stdout.write(JSON.stringify(out, null, 2) + '\n');
      return EXIT_OK;
    }
    let status = EXIT_OK;
    const features = v.features!.split(',').map((f) => f.trim()).filter((f) => f);
    for (const doc of docs) {
      const response = await client.analyze(doc, {
        features, encoding: v.encoding as Encoding, html: v.html, language: v.language, options, documentId: v.id,
      });
      const out = toCanonicalJson(response as never, 'docanalysis.v1.AnalyzeResponse');
      process.stdout.write((docs.length === 1 ? JSON.stringify(out, null, 2) : JSON.stringify(out)) + '\n');
      for (const r of failedPluginRuns(response)) {
        process.stderr.write(`docanalysis-node: plugin ${r.plugin} failed: ${r.code}: ${r.message}\n`);
        status = EXIT_PARTIAL;
      }
    }
    return status;
  } finally {
    client.close();
  }
}

export async function main(argv: string[]): Promise<number> {
  try {
    return await run(argv);
  } catch (e) {
    if (e instanceof UsageError) {
      process.stderr.write(`docanalysis-node: ${e.message}\n`);
      return EXIT_USAGE;
    }
    const err = DocanalysisError.from(e);
    process.stderr.write(`docanalysis-node: ${err.codeName}: ${err.details.split('\n')[0]}\n`);
    return EXIT_CALL_FAILED;
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).then((code) => { process.exitCode = code; });
}
