#!/usr/bin/env node
// docanalysis-node: analyze FILE --target HOST:PORT [--features a,b] [--encoding utf8|utf16|utf32] [--json]
// prints the AnalyzeResponse as protobuf JSON with the .proto field names; `plugins --target HOST:PORT` lists
// plugins. FILE "-" reads standard input. Exit status: 0 ok, 1 the call failed (status and message on stderr),
// 2 usage error.
import * as fs from 'node:fs';
import { parseArgs } from 'node:util';
import { DocanalysisClient, Encoding } from './client';
import { DocanalysisError } from './errors';
import { toProtoJson } from './proto';

const USAGE = `usage: docanalysis-node analyze FILE --target HOST:PORT [--features a,b] [--encoding utf8|utf16|utf32]
                        [--html] [--language xx] [--option plugin.key=value]... [--id ID] [--timeout SECONDS]
                        [--tls] [--ca-cert PEM] [--cert PEM --key PEM] [--server-name NAME] [--json]
       docanalysis-node plugins --target HOST:PORT [--tls ...]
Offsets default to utf16 (JavaScript string indices).`;

function usage(msg: string): number {
  process.stderr.write(`docanalysis-node: ${msg}\n${USAGE}\n`);
  return 2;
}

async function main(argv: string[]): Promise<number> {
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
        timeout: { type: 'string', default: '60' },
        tls: { type: 'boolean', default: false },
        'ca-cert': { type: 'string' },
        cert: { type: 'string' },
        key: { type: 'string' },
        'server-name': { type: 'string' },
        json: { type: 'boolean', default: true },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
  } catch (e) {
    return usage((e as Error).message);
  }
  const { values: v, positionals } = parsed;
  if (v.help) {
    process.stdout.write(USAGE + '\n');
    return 0;
  }
  const [command, file] = positionals;
  if (command !== 'analyze' && command !== 'plugins') return usage(`unknown command ${command ?? '(none)'}`);
  if (!v.target) return usage('--target is required');
  if (command === 'analyze' && !file) return usage('analyze needs a FILE (or - for stdin)');
  if (!['utf8', 'utf16', 'utf32'].includes(v.encoding!)) return usage(`unknown --encoding ${v.encoding}`);
  const timeoutMs = Math.round(Number(v.timeout) * 1000);
  if (!Number.isFinite(timeoutMs) || timeoutMs < 0) return usage(`bad --timeout ${v.timeout}`);
  const options: Record<string, string> = {};
  for (const item of v.option ?? []) {
    const eq = item.indexOf('=');
    if (eq <= 0) return usage(`--option wants PLUGIN.KEY=VALUE, got ${item}`);
    options[item.slice(0, eq)] = item.slice(eq + 1);
  }
  const read = (p?: string) => (p ? fs.readFileSync(p === '-' ? 0 : p) : undefined);
  let client: DocanalysisClient;
  try {
    const useTls = v.tls || !!v['ca-cert'] || !!v.cert;
    client = new DocanalysisClient(v.target, {
      timeoutMs,
      tls: useTls ? { rootCerts: read(v['ca-cert']), certChain: read(v.cert), privateKey: read(v.key),
                      serverName: v['server-name'] } : false,
    });
  } catch (e) {
    return usage((e as Error).message);
  }
  try {
    let out: Record<string, unknown>;
    if (command === 'plugins') {
      out = toProtoJson(await client.listPlugins() as never, 'docanalysis.v1.ListPluginsResponse');
    } else {
      let data: Buffer;
      try {
        data = read(file)!;
      } catch (e) {
        process.stderr.write(`docanalysis-node: ${(e as Error).message}\n`);
        return 2;
      }
      // Valid UTF-8 goes as text, so offsets count over the decoded string; anything else goes as raw bytes and
      // the server says where the bad byte is.
      let doc: string | Uint8Array;
      try {
        doc = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(data);
      } catch {
        doc = data;
      }
      const features = v.features!.split(',').map((f) => f.trim()).filter((f) => f);
      const response = await client.analyze(doc, {
        features, encoding: v.encoding as Encoding, html: v.html, language: v.language, options, documentId: v.id,
      });
      out = toProtoJson(response as never, 'docanalysis.v1.AnalyzeResponse');
    }
    process.stdout.write(JSON.stringify(out, null, 2) + '\n');
    return 0;
  } catch (e) {
    const err = DocanalysisError.from(e);
    process.stderr.write(`docanalysis-node: ${err.codeName}: ${err.details}\n`);
    return 1;
  } finally {
    client.close();
  }
}

main(process.argv.slice(2)).then((code) => { process.exitCode = code; },
                                  (e) => { process.stderr.write(`docanalysis-node: ${e}\n`); process.exitCode = 1; });
