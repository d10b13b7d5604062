// Loads the docanalysis.v1 contract at run time with @grpc/proto-loader. The options here must match the flags of
// `proto-loader-gen-types` in package.json (the generated TypeScript types describe exactly these objects):
// proto field names (snake_case), enums as their names, int64 as decimal strings, repeated and map fields always
// present. Also converts messages to protobuf's canonical JSON (proto field names), for the CLI.
import * as path from 'node:path';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import type { ProtoGrpcType } from './generated/docanalysis';

export const LOADER_OPTIONS: protoLoader.Options = {
  keepCase: true,
  longs: String,
  enums: String,
  defaults: false,
  arrays: true,
  objects: true,
  oneofs: true,
  includeDirs: [path.join(__dirname, '..', '..', 'proto')],
};

export const PROTO_FILE = 'docanalysis/v1/docanalysis.proto';
const PACKAGE = 'docanalysis.v1';

let cached: { definition: protoLoader.PackageDefinition; grpcType: ProtoGrpcType } | undefined;

/** The loaded contract, once per process. */
export function contract(): { definition: protoLoader.PackageDefinition; grpcType: ProtoGrpcType } {
  if (!cached) {
    const definition = protoLoader.loadSync(PROTO_FILE, LOADER_OPTIONS);
    const grpcType = grpc.loadPackageDefinition(definition) as unknown as ProtoGrpcType;
    cached = { definition, grpcType };
  }
  return cached;
}

interface FieldDescriptor {
  name: string;
  label: string;
  type: string;
  typeName: string;
}
interface EnumDescriptor {
  name?: string;
  value: Array<{ name: string; number: number }>;
}
interface MessageDescriptor {
  field: FieldDescriptor[];
  nestedType?: Array<{ name: string; options?: { mapEntry?: boolean } | null }>;
  enumType?: EnumDescriptor[];
}

function descriptor(fullName: string): MessageDescriptor {
  const def = contract().definition[fullName] as { type?: MessageDescriptor } | undefined;
  if (!def || !def.type) throw new Error(`unknown message ${fullName}`);
  return def.type;
}

function resolve(typeName: string): string {
  if (typeName.startsWith('.')) return typeName.slice(1);
  return typeName.includes('.') ? typeName : `${PACKAGE}.${typeName}`;
}

/** The shortest decimal that reads back as the same float32 (how protobuf's JSON mapping prints `float`). */
export function shortestFloat32(x: number): number {
  if (!Number.isFinite(x)) return x;
  const f = Math.fround(x);
  for (let p = 1; p <= 9; p++) {
    const candidate = Number(f.toPrecision(p));
    if (Math.fround(candidate) === f) return candidate;
  }
  return f;
}

/** The name of value 0 of the enum `typeName` used in message `desc` (nested or package level). */
function zeroEnumName(desc: MessageDescriptor, typeName: string): string | undefined {
  let e = (desc.enumType ?? []).find((x) => x.name === typeName);
  if (!e) {
    const def = contract().definition[resolve(typeName)] as { type?: EnumDescriptor } | undefined;
    e = def?.type;
  }
  return e?.value.find((v) => v.number === 0)?.name;
}

function isDefault(desc: MessageDescriptor, field: FieldDescriptor, v: unknown): boolean {
  if (field.type === 'TYPE_ENUM') return v === 0 || v === zeroEnumName(desc, field.typeName);
  return v === '' || v === 0 || v === false || v === '0';
}

/** protobuf's JSON name of a field: lowerCamelCase of the .proto name (begin_offset -> beginOffset). */
export function jsonName(protoName: string): string {
  return protoName.replace(/_([a-z0-9])/g, (_m, c: string) => c.toUpperCase());
}

function convert(field: FieldDescriptor, value: unknown, camel: boolean): unknown {
  switch (field.type) {
    case 'TYPE_MESSAGE':
      return toJson(value as Record<string, unknown>, resolve(field.typeName), camel);
    case 'TYPE_FLOAT':
      return shortestFloat32(value as number);
    case 'TYPE_BYTES':
      return Buffer.from(value as Uint8Array).toString('base64');
    default:
      return value;
  }
}

/**
 * Converts a decoded message of type `fullName` (e.g. "docanalysis.v1.AnalyzeResponse") to protobuf's JSON
 * mapping with the .proto field names (like protojson/MessageToDict with preserving_proto_field_name): default
 * values and empty lists are left out, float fields printed as float32, int64 as strings, enums by name.
 */
export function toProtoJson(message: Record<string, unknown>, fullName: string): Record<string, unknown> {
  return toJson(message, fullName, false);
}

/**
 * Converts a decoded message to protobuf's canonical JSON mapping (what the CLIs of every client print): as
 * toProtoJson, with the lowerCamelCase JSON names (documentSentiment, beginOffset).
 */
export function toCanonicalJson(message: Record<string, unknown>, fullName: string): Record<string, unknown> {
  return toJson(message, fullName, true);
}

function toJson(message: Record<string, unknown>, fullName: string, camel: boolean): Record<string, unknown> {
  const desc = descriptor(fullName);
  const out: Record<string, unknown> = {};
  for (const field of desc.field) {
    const value = message[field.name];
    if (value === undefined || value === null) continue;
    const name = camel ? jsonName(field.name) : field.name;
    const isMap = (desc.nestedType ?? []).some((n) => n.name === field.typeName && n.options?.mapEntry);
    if (isMap) {
      const entries = Object.entries(value as Record<string, unknown>);
      if (entries.length) out[name] = Object.fromEntries(entries);
    } else if (field.label === 'LABEL_REPEATED') {
      const list = value as unknown[];
      if (list.length) out[name] = list.map((v) => convert(field, v, camel));
    } else if (field.type === 'TYPE_MESSAGE') {
      out[name] = convert(field, value, camel);
    } else if (!isDefault(desc, field, value)) {
      out[name] = convert(field, value, camel);
    }
  }
  return out;
}
