/**
 * Input fuzzing, end to end, driven by the OpenAPI document: for every operation with a JSON body, query
 * parameters or path ids, fast-check generates bad inputs from the schemas — wrong types, missing required
 * and extra properties, 100k-character strings, negative and unsafe integers, NaN-like strings, nested
 * garbage, arrays for objects, malformed ids — and sends them with a valid token of every role the route's
 * policy admits (so validation, not the guard, answers). Asserted:
 *   - no answer is a 5xx (nor a dropped connection);
 *   - a refused request writes nothing: the row count and content of every table of the public schema
 *     (audit_log included) are the same before and after each refused request (one snapshot per request);
 *   - a write operation never accepts an input that certainly breaks its schema;
 *   - a malformed path id is refused as such (400), never looked up: an id that gets further (a 404, a 2xx) is
 *     either a hole in the id check or a well-formed id in the malformed list, which would weaken the test.
 * Reproducible: the seed is printed; FUZZ_SEED=<n> replays a run (FUZZ_SCALE=<n> for more inputs, FUZZ_VERBOSE=1
 * for the per-operation table). Nothing is hard-coded per route.
 */
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { startTestPlatform, type TestPlatform } from '../support/platform.js';
import {
  createRoleActors,
  diffSnapshots,
  ensureFreshToken,
  fetchOpenApi,
  fillPath,
  isStreaming,
  jsonBodySchema,
  operations,
  pathParams,
  queryParams,
  resolveSchema,
  rolesAllowed,
  routePolicies,
  table,
  tableSnapshot,
  type JsonSchema,
  type OpenApiDocument,
  type Operation,
  type RoleActor,
  type RoleActors,
} from '../support/api-surface.js';

const SEED = Number(process.env.FUZZ_SEED ?? 20_261_127);
/** Generated inputs per operation and caller; FUZZ_SCALE=<n> multiplies them for a deeper local run. */
const SCALE = Math.max(1, Number(process.env.FUZZ_SCALE ?? 1));
const BODY_INPUTS = 12 * SCALE;
const QUERY_INPUTS = 10 * SCALE;
const PATH_INPUTS = 3 * SCALE;
const HUGE = 100_000;
/** Query strings travel in the request line (16 KB header limit in Node): long, but not 100k. */
const HUGE_QUERY = 8_000;

/**
 * Body keys dropped before validation: Nest's ValidationPipe deletes "__proto__", "prototype" and
 * "constructor" (stripProtoKeys, its guard against prototype pollution) and class-transformer skips keys that
 * name members of Object.prototype ("toString", "hasOwnProperty", "valueOf", …).
 */
const PROTOTYPE_KEYS = ['__proto__', 'prototype', 'constructor', 'toString', 'hasOwnProperty', 'valueOf'];

interface KnownIssue {
  name: string;
  reason: string;
  /** Whether a failure is this issue: the operation, the input, the status and what the server logged. */
  matches: (op: Operation, probe: Probe, status: number, serverLog: string) => boolean;
}

/**
 * Known failures of the application: reported on every run, not asserted by the sweep. Empty: the three
 * issues this test found (NUL characters, lone surrogates, prototype-named keys) are fixed and pinned by the
 * deterministic tests at the end of this file.
 */
const KNOWN_ISSUES: KnownIssue[] = [];

/** Operations not fuzzed, with the reason. */
const SKIPPED = new Map<string, string>([
  ['POST /api/payments/stripe/webhook', 'Stripe webhook: authenticated by signature over the raw body; excluded from OpenAPI'],
]);

let t: TestPlatform;
let actors: RoleActors;
let logFile: string;

beforeAll(async () => {
  logFile = path.join(mkdtempSync(path.join(tmpdir(), 'fapai-fuzz-')), 'api.log');
  t = await startTestPlatform({ LOG_FILE: logFile });
  actors = await createRoleActors(t);
}, 60_000);
afterAll(async () => {
  await t?.stop();
});

// ---------------------------------------------------------------- inputs

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

type Payload = { kind: 'none' } | { kind: 'json'; value: Json } | { kind: 'raw'; text: string };

interface Probe {
  category: string;
  /** Which field was broken and how. */
  note: string;
  payload: Payload;
  query?: [string, string][];
  path?: Record<string, string>;
  /** The input breaks the schema for certain (so an accepting write route is a bug, not a loose schema). */
  definite: boolean;
}

type Kind = 'string' | 'integer' | 'number' | 'boolean' | 'array' | 'object' | 'unknown';

function kindOf(s: JsonSchema): Kind {
  if (s.type === 'string' || s.type === 'integer' || s.type === 'number' || s.type === 'boolean' || s.type === 'array' || s.type === 'object') return s.type;
  if (s.properties) return 'object';
  if (s.items) return 'array';
  if (s.enum?.every((e) => typeof e === 'string')) return 'string';
  return 'unknown';
}

const strict = (s: JsonSchema): boolean => Boolean(s.format || s.enum || s.pattern);

/** A value that satisfies the schema as far as the schema tells (formats, enums, bounds). */
function baseline(doc: OpenApiDocument, raw: JsonSchema | undefined, depth = 0): Json {
  const s = resolveSchema(doc, raw);
  if (s.enum?.length) return (s.enum.find((e) => e !== null) ?? null) as Json;
  switch (kindOf(s)) {
    case 'string':
      if (s.format === 'uuid') return randomUUID();
      if (s.format === 'date-time') return new Date(Date.now() + 7 * 86_400_000).toISOString();
      if (s.format === 'date') return new Date(Date.now() + 7 * 86_400_000).toISOString().slice(0, 10);
      if (s.format === 'email') return `fuzz-${randomUUID().slice(0, 8)}@test.fapai.local`;
      return 'fuzz'.padEnd(Math.max(s.minLength ?? 0, 4), 'z').slice(0, Math.max(s.maxLength ?? 64, s.minLength ?? 0, 1));
    case 'integer':
    case 'number':
      return Math.min(Math.max(s.minimum ?? 1, 1), s.maximum ?? Number.MAX_SAFE_INTEGER);
    case 'boolean':
      return true;
    case 'array':
      return depth > 4 ? [] : Array.from({ length: Math.max(s.minItems ?? 1, 1) }, () => baseline(doc, s.items, depth + 1));
    case 'object': {
      const out: Record<string, Json> = {};
      if (depth > 4) return out;
      for (const [name, ps] of Object.entries(s.properties ?? {})) out[name] = baseline(doc, ps, depth + 1);
      return out;
    }
    case 'unknown':
      return 'fuzz';
  }
}

function nested(levels: number): Json {
  let v: Json = [];
  for (let i = 0; i < levels; i++) v = i % 2 ? [v] : { a: v };
  return v;
}

const NAN_LIKE = ['NaN', 'Infinity', '-Infinity', '1e309', '-1e309', '0x10', '0b1', ' 1 ', '1,000', '１２３', '٣', '', ' ', 'null', 'undefined', 'true', '-0', '+1'];
const INJECTION = ["' OR '1'='1", "1; DROP TABLE lots; --", '${7*7}', '{{7*7}}', '<script>alert(1)</script>', '../../../etc/passwd', '\u0000', '\ud800', '\u202e'];
const EXTRA_KEYS = ['isAdmin', 'roles', 'role', 'userId', 'courtId', 'status', 'verified', 'id', 'createdAt', '$where', ...PROTOTYPE_KEYS];
/** Not UUIDs at all. The nil (and max) UUID are well-formed: a path id of them is looked up (404), not refused. */
const BAD_UUIDS = ['not-a-uuid', '\u0000', '12345', `${randomUUID()}x`, randomUUID().replace(/-/g, ''), "' OR '1'='1", '../../etc/passwd', '%00', 'ＵＵＩＤ', 'a'.repeat(2000), '-1', '9007199254740993'];
const BAD_DATES = ['2026-13-45T99:00:00Z', 'yesterday', '0', '2026-02-30', '1e309', '-271821-04-20T00:00:00Z', '2026-01-01 00:00:00'];
const BAD_EMAILS = ['not-an-email', 'a@', '@b.c', 'a@b', 'x'.repeat(300) + '@example.com'];

/** A value of the wrong type (or a malformed string) for the schema, and whether it certainly breaks it. */
function wrongValue(s: JsonSchema, required: boolean): fc.Arbitrary<{ value: Json; note: string; definite: boolean }> {
  const kind = kindOf(s);
  const nullOk = !required || s.nullable === true;
  const options: fc.Arbitrary<{ value: Json; note: string; definite: boolean }>[] = [];
  const add = (arb: fc.Arbitrary<Json>, note: string, definite: boolean): void => {
    options.push(arb.map((value) => ({ value, note, definite })));
  };
  add(fc.constant(null), 'null', !nullOk);
  if (kind !== 'string') add(fc.oneof(fc.string({ maxLength: 12 }), fc.constantFrom(...NAN_LIKE, '700000')), 'string for ' + kind, kind !== 'unknown');
  if (kind !== 'integer' && kind !== 'number') add(fc.oneof(fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true })), 'number for ' + kind, kind !== 'unknown');
  if (kind !== 'boolean') add(fc.boolean(), 'boolean for ' + kind, kind !== 'unknown');
  if (kind !== 'object') add(fc.constantFrom<Json>({}, { a: 1 }, { $gt: '' }), 'object for ' + kind, kind !== 'unknown');
  if (kind !== 'array') add(fc.constantFrom<Json>([], ['x'], [1, 2, 3], [{}]), 'array for ' + kind, kind !== 'unknown');
  if (kind === 'string' && s.enum) add(fc.constantFrom('spaceship', 'DRAFT', ' draft', 'draft ', 'null'), 'not in enum', true);
  if (kind === 'string' && s.format === 'uuid') add(fc.constantFrom(...BAD_UUIDS), 'malformed uuid', true);
  if (kind === 'string' && (s.format === 'date-time' || s.format === 'date')) add(fc.constantFrom(...BAD_DATES), 'malformed date', true);
  if (kind === 'string' && s.format === 'email') add(fc.constantFrom(...BAD_EMAILS), 'malformed email', true);
  if (kind === 'array') add(fc.constantFrom<Json>([null], [[]], [1e308], ['x', {}, null]), 'wrong items', s.items !== undefined);
  return fc.oneof(...options);
}

function numberValue(s: JsonSchema): fc.Arbitrary<{ value: Json; note: string; definite: boolean }> {
  const min = s.minimum;
  const max = s.maximum;
  const integer = kindOf(s) === 'integer';
  return fc.constantFrom(
    { value: -1, note: 'negative', definite: min !== undefined && min > -1 },
    { value: -(2 ** 53 + 1), note: 'negative unsafe integer', definite: min !== undefined },
    { value: 2 ** 53 + 1, note: 'unsafe integer 2^53+1', definite: max !== undefined },
    { value: 1e308, note: '1e308', definite: max !== undefined },
    { value: 0.5, note: 'fraction', definite: integer },
    { value: 5e-324, note: 'denormal', definite: integer },
    { value: 0, note: 'zero', definite: min !== undefined && min > 0 },
  );
}

function hugeString(s: JsonSchema): fc.Arbitrary<{ value: Json; note: string; definite: boolean }> {
  const definite = (s.maxLength !== undefined && s.maxLength < HUGE) || strict(s);
  return fc.constantFrom('x', '测', 'ab\u0000', '👍').map((unit) => ({ value: unit.repeat(Math.ceil(HUGE / unit.length)).slice(0, HUGE), note: `${HUGE}-char string`, definite }));
}

function withProp(obj: Record<string, Json>, key: string, value: Json): Record<string, Json> {
  const out: Record<string, Json> = {};
  for (const [k, v] of Object.entries(obj)) out[k] = v;
  // defineProperty: "__proto__" and friends become real own keys of the JSON, not a prototype.
  Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true });
  return out;
}

function without(obj: Record<string, Json>, key: string): Record<string, Json> {
  const out: Record<string, Json> = {};
  for (const [k, v] of Object.entries(obj)) if (k !== key) out[k] = v;
  return out;
}

interface ObjectMutation {
  value: Record<string, Json> | Json;
  note: string;
  definite: boolean;
}

/** Mutations of one object of the schema; `depth` lets nested objects be broken in turn. */
function objectMutations(doc: OpenApiDocument, schema: JsonSchema, base: Record<string, Json>, depth: number): { category: string; arb: fc.Arbitrary<ObjectMutation> }[] {
  const props = Object.entries(schema.properties ?? {}).map(([name, ps]) => ({ name, schema: resolveSchema(doc, ps), required: (schema.required ?? []).includes(name) }));
  const out: { category: string; arb: fc.Arbitrary<ObjectMutation> }[] = [];
  if (props.length > 0) {
    out.push({
      category: 'wrong type',
      arb: fc.constantFrom(...props).chain((p) => wrongValue(p.schema, p.required).map((w) => ({ value: withProp(base, p.name, w.value), note: `${p.name}: ${w.note}`, definite: w.definite }))),
    });
  }
  const required = props.filter((p) => p.required);
  if (required.length > 0) {
    out.push({
      category: 'missing required',
      arb: fc.oneof(
        fc.constantFrom(...required).map((p) => ({ value: without(base, p.name), note: `${p.name} missing`, definite: true })),
        fc.constant({ value: {}, note: 'every property missing', definite: true }),
      ),
    });
  }
  const known = new Set(props.map((p) => p.name));
  const extras = EXTRA_KEYS.filter((k) => !known.has(k));
  out.push({
    category: 'extra property',
    arb: fc.tuple(fc.constantFrom(...extras), fc.oneof(fc.constant<Json>(true), fc.constant<Json>(['admin']), fc.constant<Json>({ isAdmin: true }), fc.jsonValue({ maxDepth: 2 }) as fc.Arbitrary<Json>)).map(([k, v]) => ({ value: withProp(base, k, v), note: `extra "${k}"`, definite: true })),
  });
  const strings = props.filter((p) => kindOf(p.schema) === 'string');
  if (strings.length > 0) {
    out.push({ category: 'huge string', arb: fc.constantFrom(...strings).chain((p) => hugeString(p.schema).map((h) => ({ value: withProp(base, p.name, h.value), note: `${p.name}: ${h.note}`, definite: h.definite }))) });
  }
  const numbers = props.filter((p) => kindOf(p.schema) === 'integer' || kindOf(p.schema) === 'number');
  if (numbers.length > 0) {
    out.push({ category: 'bad number', arb: fc.constantFrom(...numbers).chain((p) => numberValue(p.schema).map((n) => ({ value: withProp(base, p.name, n.value), note: `${p.name}: ${n.note}`, definite: n.definite }))) });
  }
  if (props.length > 0) {
    out.push({
      category: 'NaN-like string',
      arb: fc.tuple(fc.constantFrom(...props), fc.constantFrom(...NAN_LIKE, ...INJECTION)).map(([p, v]) => ({
        value: withProp(base, p.name, v),
        note: `${p.name}: ${JSON.stringify(v)}`,
        definite: kindOf(p.schema) !== 'string' && kindOf(p.schema) !== 'unknown',
      })),
    });
    out.push({
      category: 'nested garbage',
      arb: fc.constantFrom(...props).chain((p) => {
        const kind = kindOf(p.schema);
        const inner = kind === 'object' ? p.schema : kind === 'array' ? resolveSchema(doc, p.schema.items) : undefined;
        if (inner && kindOf(inner) === 'object' && depth < 3) {
          const innerBase = baseline(doc, inner, depth + 1) as Record<string, Json>;
          const arbs = objectMutations(doc, inner, innerBase, depth + 1).map((m) => m.arb);
          return fc.oneof(...arbs).map((m) => ({ value: withProp(base, p.name, kind === 'array' ? [m.value as Json] : (m.value as Json)), note: `${p.name}${kind === 'array' ? '[0]' : ''} → ${m.note}`, definite: m.definite }));
        }
        return fc.oneof(fc.constant(nested(300)), fc.jsonValue({ maxDepth: 5 }) as fc.Arbitrary<Json>).map((g) => ({
          value: withProp(base, p.name, g),
          note: `${p.name}: deep garbage`,
          definite: kind === 'object' || kind === 'array' ? !isObjectOrArrayOf(g, kind) : typeof g !== kind && !(kind === 'integer' && typeof g === 'number') && kind !== 'unknown' && g !== null,
        }));
      }),
    });
  }
  return out;
}

function isObjectOrArrayOf(v: Json, kind: 'object' | 'array'): boolean {
  return kind === 'array' ? Array.isArray(v) : typeof v === 'object' && v !== null && !Array.isArray(v);
}

function bodyProbes(doc: OpenApiDocument, schema: JsonSchema, seed: number, count: number): Probe[] {
  const base = baseline(doc, schema);
  const cats: { category: string; arb: fc.Arbitrary<Probe> }[] = [];
  if (kindOf(schema) === 'object' && base && typeof base === 'object' && !Array.isArray(base)) {
    for (const m of objectMutations(doc, schema, base, 0)) cats.push({ category: m.category, arb: m.arb.map((x) => ({ category: m.category, note: x.note, payload: { kind: 'json', value: x.value as Json }, definite: x.definite })) });
    cats.push({
      category: 'array for object',
      arb: fc.constantFrom<Json>([base], [], [[base]], [base, base]).map((v) => ({ category: 'array for object', note: 'body is an array', payload: { kind: 'json', value: v }, definite: true })),
    });
  }
  cats.push({
    category: 'not an object',
    arb: fc.constantFrom('null', '"x"', '123', 'true', '{"a":', '{"__proto__":{"isAdmin":true}}', '\u0000', '[]'.repeat(3)).map((text) => ({ category: 'not an object', note: `raw body ${JSON.stringify(text)}`, payload: { kind: 'raw', text }, definite: true })),
  });
  return interleave(cats, seed, count);
}

function queryProbes(params: { name: string; schema: JsonSchema; required: boolean }[], seed: number, count: number): Probe[] {
  const valid = (p: { schema: JsonSchema }): string => {
    const s = p.schema;
    if (s.enum?.length) return String(s.enum[0]);
    if (s.format === 'uuid') return randomUUID();
    if (s.format === 'date-time') return new Date().toISOString();
    if (kindOf(s) === 'integer' || kindOf(s) === 'number') return String(Math.max(s.minimum ?? 1, 1));
    return 'fuzz';
  };
  const base: [string, string][] = params.filter((p) => p.required).map((p) => [p.name, valid(p)]);
  const set = (name: string, ...values: string[]): [string, string][] => [...base.filter(([k]) => k !== name), ...values.map((v): [string, string] => [name, v])];
  const badFor = (s: JsonSchema): string[] => {
    const kind = kindOf(s);
    if (s.enum) return ['spaceship', '', 'DRAFT', "' OR '1'='1"];
    if (s.format === 'uuid') return BAD_UUIDS.slice(0, 9);
    if (s.format === 'date-time' || s.format === 'date') return BAD_DATES;
    if (kind === 'integer' || kind === 'number') return ['NaN', '-1', '9007199254740993', '-9007199254740993', '1e309', '1.5', '0x10', '', 'abc', '0'];
    if (kind === 'boolean') return ['maybe', '2', ''];
    return [...INJECTION, ''];
  };
  const names = params.map((p) => p.name);
  const cats: { category: string; arb: fc.Arbitrary<Probe> }[] = [
    {
      category: 'bad value',
      arb: fc.constantFrom(...params).chain((p) => fc.constantFrom(...badFor(p.schema)).map((v) => ({ category: 'bad value', note: `${p.name}=${JSON.stringify(v.slice(0, 40))}`, payload: { kind: 'none' as const }, query: set(p.name, v), definite: strict(p.schema) || kindOf(p.schema) !== 'string' }))),
    },
    {
      category: 'repeated parameter',
      arb: fc.constantFrom(...params).map((p) => ({ category: 'repeated parameter', note: `${p.name} twice`, payload: { kind: 'none' as const }, query: set(p.name, valid(p), valid(p)), definite: true })),
    },
    {
      category: 'huge string',
      arb: fc.constantFrom(...params).map((p) => ({ category: 'huge string', note: `${p.name}: ${HUGE_QUERY} chars`, payload: { kind: 'none' as const }, query: set(p.name, 'x'.repeat(HUGE_QUERY)), definite: strict(p.schema) })),
    },
    {
      category: 'extra parameter',
      arb: fc.constantFrom(...EXTRA_KEYS.filter((k) => !names.includes(k)), 'page[size]', 'q[$ne]').map((k) => ({ category: 'extra parameter', note: `extra ${k}`, payload: { kind: 'none' as const }, query: [...base, [k, '1'] as [string, string]], definite: true })),
    },
  ];
  const required = params.filter((p) => p.required);
  if (required.length > 0) {
    cats.push({ category: 'missing required', arb: fc.constantFrom(...required).map((p) => ({ category: 'missing required', note: `${p.name} missing`, payload: { kind: 'none' as const }, query: base.filter(([k]) => k !== p.name), definite: true })) });
  }
  return interleave(cats, seed, count);
}

function pathProbes(params: string[], payload: Payload, seed: number, count: number): Probe[] {
  const arb = fc.tuple(fc.constantFrom(...params), fc.constantFrom(...BAD_UUIDS)).map(([name, v]) => ({ category: 'malformed path id', note: `${name}=${JSON.stringify(v.slice(0, 40))}`, payload, path: { [name]: v }, definite: true }));
  return fc.sample(arb, { seed, numRuns: count });
}

/** Round-robin over the categories so every kind of bad input is tried, `count` in all. */
function interleave(cats: { category: string; arb: fc.Arbitrary<Probe> }[], seed: number, count: number): Probe[] {
  const per = Math.ceil(count / cats.length);
  const samples = cats.map((c, i) => fc.sample(c.arb, { seed: seed + i, numRuns: per }));
  const out: Probe[] = [];
  for (let i = 0; out.length < count && i < per; i++) for (const s of samples) if (out.length < count && s[i]) out.push(s[i]);
  return out;
}

function hashSeed(key: string): number {
  let h = SEED | 0;
  for (let i = 0; i < key.length; i++) h = (Math.imul(h, 31) + key.charCodeAt(i)) | 0;
  return h;
}

// ---------------------------------------------------------------- sending and reporting

interface Answer {
  status: number;
  body: unknown;
}

let requestNo = 0;

async function send(op: Operation, probe: Probe, caller: RoleActor | undefined, requestId: string): Promise<Answer> {
  let url = fillPath(op.path, probe.path);
  if (probe.query?.length) {
    const qs = new URLSearchParams();
    for (const [k, v] of probe.query) qs.append(k, v);
    url += `?${qs.toString()}`;
  }
  const req = t.http[op.method](url).set('X-Request-Id', requestId);
  if (caller) req.set(caller.auth);
  try {
    const res =
      probe.payload.kind === 'none'
        ? await req
        : await req.set('Content-Type', 'application/json').send(probe.payload.kind === 'json' ? JSON.stringify(probe.payload.value) : probe.payload.text);
    return { status: res.status, body: res.body && Object.keys(res.body as object).length ? res.body : res.text };
  } catch (error) {
    return { status: 0, body: `transport error: ${error instanceof Error ? error.message : String(error)}` };
  }
}

function shortJson(value: unknown, limit = 300): string {
  const text = JSON.stringify(value, (_k, v: unknown) => (typeof v === 'string' && v.length > 60 ? `<${v.length} chars "${v.slice(0, 12)}…">` : v)) ?? String(value);
  return text.length > limit ? `${text.slice(0, limit)}…` : text;
}

function describeInput(probe: Probe): string {
  const parts: string[] = [];
  if (probe.path) parts.push(`path ${shortJson(probe.path, 120)}`);
  if (probe.query) parts.push(`query ${shortJson(probe.query, 160)}`);
  if (probe.payload.kind === 'json') parts.push(`body ${shortJson(probe.payload.value)}`);
  if (probe.payload.kind === 'raw') parts.push(`raw body ${shortJson(probe.payload.text)}`);
  return parts.join(' ');
}

function serverLog(requestId: string): string {
  if (!existsSync(logFile)) return '(no log file)';
  const lines = readFileSync(logFile, 'utf8')
    .split('\n')
    .filter((l) => l.includes(requestId));
  return lines.length ? lines.join('\n').slice(0, 4000) : '(nothing logged for this request)';
}

interface Failure {
  /** The KNOWN_ISSUES entry it matches, if any. */
  known?: string;
  op: string;
  caller: string;
  kind: '5xx' | 'state change' | 'accepted' | 'malformed id looked up';
  input: string;
  status: string;
  answer: string;
  requestId?: string;
}

describe('fuzzing every operation from the OpenAPI schemas', () => {
  it('refuses bad input with a 4xx, never a 5xx, and writes nothing when it refuses', async () => {
    const started = Date.now();
    const doc = await fetchOpenApi(t);
    const policies = routePolicies(t);
    const failures: Failure[] = [];
    const known: Failure[] = [];
    const perOp: string[][] = [];
    /** Answers worth a look that are not failures: writes that accepted a loosely-bad input, 401/403 to an admitted role. */
    const notable: string[][] = [];
    let fuzzedOps = 0;
    let requests = 0;
    const statusCounts = new Map<number, number>();

    for (const op of operations(doc).sort((a, b) => a.key.localeCompare(b.key))) {
      if (SKIPPED.has(op.key) || isStreaming(op.spec)) continue;
      const policy = policies.get(op.key);
      const allowed = rolesAllowed(policy?.access);
      if (allowed === 'none') continue; // fails closed for everyone; the authorization test reports it
      const callers: (RoleActor | undefined)[] = allowed === 'public' ? [undefined] : allowed.map((r) => actors[r]);

      const seed = hashSeed(op.key);
      const body = jsonBodySchema(doc, op.spec);
      const query = queryParams(op.spec).map((p) => ({ name: p.name, schema: resolveSchema(doc, p.schema), required: p.required === true }));
      const params = pathParams(op.path);
      const probes: Probe[] = [];
      if (body) probes.push(...bodyProbes(doc, body, seed, BODY_INPUTS));
      if (query.length > 0) probes.push(...queryProbes(query, seed + 1000, QUERY_INPUTS));
      if (params.length > 0) probes.push(...pathProbes(params, body ? { kind: 'json', value: baseline(doc, body) } : { kind: 'none' }, seed + 2000, PATH_INPUTS));
      if (probes.length === 0) continue;
      fuzzedOps += 1;

      const opFailures: Failure[] = [];
      // One snapshot per request (the one after a request is the one before the next): a refused request
      // must leave every table as it was, whatever the other requests of the run did.
      let snapshot = await tableSnapshot(t);
      let accepted = 0;
      for (const caller of callers) {
        let sessionMayHaveEnded = false;
        for (const probe of probes) {
          const requestId = `fuzz-${SEED}-${++requestNo}`;
          const answer = await send(op, probe, caller, requestId);
          requests += 1;
          statusCounts.set(answer.status, (statusCounts.get(answer.status) ?? 0) + 1);
          const who = caller?.role ?? 'nobody';
          const input = `[${probe.category}] ${probe.note} — ${describeInput(probe)}`;
          const knownIssue = KNOWN_ISSUES.find((k) => k.matches(op, probe, answer.status, answer.status >= 500 ? serverLog(requestId) : ''))?.name;
          const refused = answer.status >= 400 || answer.status === 0;
          if (answer.status >= 500 || answer.status === 0) {
            opFailures.push({ known: knownIssue, op: op.key, caller: who, kind: '5xx', input, status: String(answer.status), answer: shortJson(answer.body), requestId });
          } else if (probe.category === 'malformed path id' && answer.status !== 400 && answer.status !== 401 && answer.status !== 403) {
            opFailures.push({ known: knownIssue, op: op.key, caller: who, kind: 'malformed id looked up', input, status: String(answer.status), answer: shortJson(answer.body) });
          } else if (answer.status === 401 || answer.status === 403) {
            notable.push([op.key, who, `[${probe.category}] ${probe.note}`, String(answer.status), shortJson(answer.body, 120)]);
          } else if (answer.status < 300) {
            accepted += 1;
            sessionMayHaveEnded = true;
            if (op.method !== 'get') notable.push([op.key, who, `[${probe.category}] ${probe.note}`, String(answer.status), shortJson(answer.body, 120)]);
            if (op.method !== 'get' && probe.definite) opFailures.push({ known: knownIssue, op: op.key, caller: who, kind: 'accepted', input, status: String(answer.status), answer: shortJson(answer.body) });
          }
          const after = await tableSnapshot(t);
          const changes = diffSnapshots(snapshot, after);
          if (changes.length > 0 && (refused || op.method === 'get')) {
            opFailures.push({
              op: op.key,
              caller: who,
              kind: 'state change',
              input,
              status: String(answer.status),
              answer: `${changes.map((c) => `${c.table}: ${c.before}→${c.after} rows${c.contentChanged && c.before === c.after ? ' (content changed)' : ''}`).join(', ')}; answer ${shortJson(answer.body, 160)}`,
              requestId,
            });
          }
          snapshot = after;
        }
        // An accepted call may have ended the session (password change, logout): renew it before going on.
        if (caller && sessionMayHaveEnded && (await ensureFreshToken(t, caller))) snapshot = await tableSnapshot(t);
      }
      perOp.push([op.key, String(probes.length * callers.length), callers.map((c) => c?.role ?? 'nobody').join(','), String(accepted)]);
      for (const f of opFailures) (f.known ? known : failures).push(f);
    }

    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    const render = (list: Failure[]): string =>
      list
        .map((f) => [`✗ ${f.kind}${f.known ? ` (known: ${f.known})` : ''}: ${f.op} as ${f.caller} → ${f.status}`, `  input:  ${f.input}`, `  answer: ${f.answer}`, ...(f.requestId ? [`  server log (${f.requestId}):`, ...serverLog(f.requestId).split('\n').map((l) => `    ${l}`)] : [])].join('\n'))
        .join('\n');
    console.log(
      [
        `fuzz: seed ${SEED} (replay with FUZZ_SEED=${SEED}), scale ${SCALE}; ${fuzzedOps} operations, ${requests} requests in ${seconds} s`,
        `statuses: ${[...statusCounts.entries()].sort((a, b) => a[0] - b[0]).map(([s, n]) => `${s}×${n}`).join(' ')}`,
        notable.length ? `notable answers (not failures):\n${table([['operation', 'as', 'input', 'status', 'answer'], ...notable])}` : '',
        failures.length ? `FAILURES (${failures.length}):\n${render(failures)}` : 'no failures',
        ...KNOWN_ISSUES.map((k) => `known issue "${k.name}": ${known.some((f) => f.known === k.name) ? 'reproduced' : 'not reproduced in this run'} — ${k.reason}`),
        known.length ? `known failures:\n${render(known)}` : '',
        process.env.FUZZ_VERBOSE ? table([['operation', 'requests', 'as', '2xx'], ...perOp]) : '',
      ]
        .filter(Boolean)
        .join('\n'),
    );
    expect(fuzzedOps).toBeGreaterThan(40);
    expect(failures.map((f) => `${f.kind}: ${f.op} as ${f.caller} → ${f.status}: ${f.input}`)).toEqual([]);
  }, 240_000);

  it('the write detector is not blind: an accepted write shows up in the table snapshot', async () => {
    const before = await tableSnapshot(t);
    const res = await t.http.post('/api/admin/courts').set(actors.admin.auth).send({ name: `探测法院-${randomUUID().slice(0, 6)}`, province: '北京市', city: '北京市' });
    expect(res.status).toBe(201);
    const changed = diffSnapshots(before, await tableSnapshot(t)).map((c) => c.table);
    expect(changed).toEqual(expect.arrayContaining(['courts', 'audit_log']));
  });

  // Found by this fuzz test and fixed (common/validation.ts assertCleanInput): prototype-named keys are refused.
  it.each(PROTOTYPE_KEYS)('refuses the unknown body key "%s" like any other (400, nothing written)', async (key) => {
    const before = await tableSnapshot(t);
    const body = `{"name":"某法院-${randomUUID().slice(0, 6)}","province":"北京市","city":"北京市",${JSON.stringify(key)}:{"isAdmin":true}}`;
    const res = await t.http.post('/api/admin/courts').set(actors.admin.auth).set('Content-Type', 'application/json').send(body);
    expect({ status: res.status, code: (res.body as { code?: string }).code }).toEqual({ status: 400, code: 'VALIDATION_FAILED' });
    expect(diffSnapshots(before, await tableSnapshot(t))).toEqual([]);
  });

  // Found by this fuzz test and fixed: U+0000 is refused with a 400 before it reaches PostgreSQL.
  it.each([
    ['POST /api/admin/courts (contactPhone)', () => t.http.post('/api/admin/courts').set(actors.admin.auth).send({ name: `某法院-${randomUUID().slice(0, 6)}`, province: '北京市', city: '北京市', contactPhone: '010\u00001234' })],
    ['POST /api/auth/register (displayName, public)', () => t.http.post('/api/auth/register').send({ email: `nul-${randomUUID().slice(0, 8)}@test.fapai.local`, password: 'password-123', displayName: 'a\u0000b' })],
    ['GET /api/lots?q=%00 (public)', () => t.http.get('/api/lots?q=%00')],
  ] as const)('refuses U+0000 in a text field with 400, not 500: %s', async (_label, call) => {
    const before = await tableSnapshot(t);
    const res = await call();
    expect(diffSnapshots(before, await tableSnapshot(t))).toEqual([]);
    expect({ status: res.status, code: (res.body as { code?: string }).code }).toEqual({ status: 400, code: 'VALIDATION_FAILED' });
  });

  // Found by this fuzz test and fixed: lone UTF-16 surrogates are refused with a 400 before the validators.
  it.each([
    ['POST /api/auth/register', '/api/auth/register', '{"email":"\\ud800@test.fapai.local","password":"password-123","displayName":"x"}'],
    ['POST /api/auth/login', '/api/auth/login', '{"email":"\\ud800@test.fapai.local","password":"password-123"}'],
  ] as const)('refuses a lone UTF-16 surrogate in an e-mail with 400, not 500: %s', async (_label, url, body) => {
    const before = await tableSnapshot(t);
    const res = await t.http.post(url).set('Content-Type', 'application/json').send(body);
    expect(diffSnapshots(before, await tableSnapshot(t))).toEqual([]);
    expect({ status: res.status, code: (res.body as { code?: string }).code }).toEqual({ status: 400, code: 'VALIDATION_FAILED' });
  });
});
