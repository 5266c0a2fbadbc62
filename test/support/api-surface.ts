/**
 * The API surface as the running application declares it, for the security tests: the OpenAPI document's
 * operations, the access policy of every route read from the Nest metadata (`ACCESS_KEY` on the handler,
 * else on the controller — the same lookup as `AccessGuard`), JSON-schema helpers, one logged-in actor per
 * role, and a fingerprint of every table for "nothing was written" checks. Nothing here is route-specific:
 * routes added by other modules are picked up automatically.
 */
import { createHmac, randomUUID } from 'node:crypto';
import { RequestMethod } from '@nestjs/common';
import { ModulesContainer } from '@nestjs/core';
import { ACCESS_KEY, ROLES, type Access, type Role } from '../../apps/api/src/common/auth.js';
import type { TestPlatform } from './platform.js';
import { createAgency, createCase, createCourt, createStaff, login, loginAdmin, registerBidder, uniqueEmail, type Actor } from './actors.js';

export { ROLES, type Role, type Access };

// ---------------------------------------------------------------- OpenAPI

export interface JsonSchema {
  type?: string;
  format?: string;
  enum?: unknown[];
  nullable?: boolean;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  $ref?: string;
  allOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  anyOf?: JsonSchema[];
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  minItems?: number;
  maxItems?: number;
  pattern?: string;
}

export interface OpenApiParameter {
  name: string;
  in: 'path' | 'query' | 'header' | 'cookie';
  required?: boolean;
  schema?: JsonSchema;
}

export interface OpenApiOperation {
  operationId?: string;
  parameters?: OpenApiParameter[];
  requestBody?: { required?: boolean; content: Record<string, { schema?: JsonSchema }> };
  responses?: Record<string, { content?: Record<string, unknown> }>;
  security?: unknown[];
}

export interface OpenApiDocument {
  paths: Record<string, Record<string, OpenApiOperation>>;
  components?: { schemas?: Record<string, JsonSchema> };
}

export const HTTP_METHODS = ['get', 'post', 'put', 'patch', 'delete'] as const;
export type HttpMethod = (typeof HTTP_METHODS)[number];

export interface Operation {
  method: HttpMethod;
  /** OpenAPI form: /api/lots/{id} */
  path: string;
  key: string;
  spec: OpenApiOperation;
}

export async function fetchOpenApi(t: TestPlatform): Promise<OpenApiDocument> {
  const res = await t.http.get('/api/docs-json');
  if (res.status !== 200) throw new Error(`GET /api/docs-json: ${res.status}`);
  return res.body as OpenApiDocument;
}

export const opKey = (method: string, path: string): string => `${method.toUpperCase()} ${path}`;

/** Content types that mean a route streams (server-sent events, raw downloads); PDFs are fine. */
const STREAMING = /text\/event-stream|application\/octet-stream|multipart\/x-mixed-replace/;

export function isStreaming(op: OpenApiOperation): boolean {
  return Object.values(op.responses ?? {}).some((r) => Object.keys(r.content ?? {}).some((ct) => STREAMING.test(ct)));
}

export function operations(doc: OpenApiDocument): Operation[] {
  const out: Operation[] = [];
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const method of HTTP_METHODS) {
      const spec = item[method];
      if (spec) out.push({ method, path, key: opKey(method, path), spec });
    }
  }
  return out;
}

export function pathParams(path: string): string[] {
  return [...path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]);
}

export function fillPath(path: string, values: Record<string, string> = {}): string {
  return path.replace(/\{([^}]+)\}/g, (_, name: string) => encodeURIComponent(values[name] ?? randomUUID()));
}

export function resolveSchema(doc: OpenApiDocument, schema: JsonSchema | undefined, seen = 0): JsonSchema {
  if (!schema) return {};
  if (seen > 20) return schema;
  if (schema.$ref) {
    const name = schema.$ref.replace(/^#\/components\/schemas\//, '');
    const target = doc.components?.schemas?.[name];
    if (!target) throw new Error(`unresolved $ref ${schema.$ref}`);
    const { $ref: _ref, ...rest } = schema;
    return resolveSchema(doc, { ...target, ...rest }, seen + 1);
  }
  if (schema.allOf?.length) {
    const parts = schema.allOf.map((s) => resolveSchema(doc, s, seen + 1));
    const { allOf: _all, ...rest } = schema;
    return parts.reduce<JsonSchema>(
      (acc, p) => ({ ...acc, ...p, properties: { ...acc.properties, ...p.properties }, required: [...(acc.required ?? []), ...(p.required ?? [])] }),
      rest,
    );
  }
  return schema;
}

/** The JSON request body schema of an operation (resolved), or undefined when it takes none. */
export function jsonBodySchema(doc: OpenApiDocument, op: OpenApiOperation): JsonSchema | undefined {
  const content = op.requestBody?.content?.['application/json'];
  return content ? resolveSchema(doc, content.schema ?? { type: 'object' }) : undefined;
}

export function queryParams(op: OpenApiOperation): OpenApiParameter[] {
  return (op.parameters ?? []).filter((p) => p.in === 'query');
}

// ---------------------------------------------------------------- access policy from the Nest metadata

export interface RoutePolicy {
  key: string;
  method: HttpMethod;
  path: string;
  handler: string;
  access: Access | undefined;
}

function joinPath(...parts: string[]): string {
  const joined = parts
    .flatMap((p) => p.split('/'))
    .filter((s) => s.length > 0)
    .join('/');
  return `/${joined}`;
}

/** METHOD + /api/path/{param} → declared access, for every controller handler of the running app. */
export function routePolicies(t: TestPlatform, globalPrefix = 'api'): Map<string, RoutePolicy> {
  const modules = t.platform.app.get(ModulesContainer);
  const out = new Map<string, RoutePolicy>();
  for (const mod of modules.values()) {
    for (const wrapper of mod.controllers.values()) {
      const ctor = wrapper.metatype as (new (...args: never[]) => unknown) | null;
      if (!ctor) continue;
      const ctrlPaths = ([] as string[]).concat((Reflect.getMetadata('path', ctor) as string | string[] | undefined) ?? '/');
      for (const name of Object.getOwnPropertyNames(ctor.prototype)) {
        const handler = (ctor.prototype as Record<string, unknown>)[name];
        if (name === 'constructor' || typeof handler !== 'function') continue;
        const routePath = Reflect.getMetadata('path', handler) as string | string[] | undefined;
        if (routePath === undefined) continue;
        const methodNo = Reflect.getMetadata('method', handler) as RequestMethod | undefined;
        const methodName = (RequestMethod[methodNo ?? RequestMethod.GET] ?? 'GET').toLowerCase();
        const access = (Reflect.getMetadata(ACCESS_KEY, handler) as Access | undefined) ?? (Reflect.getMetadata(ACCESS_KEY, ctor) as Access | undefined);
        const methods: HttpMethod[] = methodName === 'all' ? [...HTTP_METHODS] : [methodName as HttpMethod];
        for (const cp of ctrlPaths) {
          for (const rp of ([] as string[]).concat(routePath)) {
            const path = joinPath(globalPrefix, cp, rp).replace(/:([A-Za-z0-9_]+)/g, '{$1}');
            for (const method of methods) {
              const key = opKey(method, path);
              out.set(key, { key, method, path, handler: `${ctor.name}.${name}`, access });
            }
          }
        }
      }
    }
  }
  return out;
}

export function rolesAllowed(access: Access | undefined): Role[] | 'public' | 'none' {
  if (!access) return 'none';
  if (access.public) return 'public';
  return access.roles;
}

// ---------------------------------------------------------------- one actor per role

export interface RoleActor extends Actor {
  role: Role;
  /** Every role the account holds (GET /api/me): a party login also bids (ASR Art. 12 ¶2). */
  roles: Role[];
  password: string;
}

export type RoleActors = Record<Role, RoleActor>;

/** A court with a clerk, an agency with an appraiser, a bidder, the operator and a party login of a case. */
export async function createRoleActors(t: TestPlatform): Promise<RoleActors> {
  const admin = await loginAdmin(t);
  const courtId = await createCourt(t, admin);
  const agencyId = await createAgency(t, admin, 'appraisal_agency');
  const clerk = await createStaff(t, admin, 'court_clerk', { courtId });
  const appraiser = await createStaff(t, admin, 'appraiser', { agencyId });
  const bidder = await registerBidder(t, { verify: false });
  const caseId = await createCase(t, clerk);
  const kase = await t.http.get(`/api/cases/${caseId}`).set(clerk.auth);
  if (kase.status !== 200) throw new Error(`case: ${kase.status}`);
  const applicant = (kase.body as { parties: { id: string; role: string }[] }).parties.find((p) => p.role === 'applicant');
  if (!applicant) throw new Error('case has no applicant party');
  const partyEmail = uniqueEmail('party');
  const partyPassword = 'party-password-1';
  const account = await t.http.post(`/api/cases/${caseId}/parties/${applicant.id}/account`).set(clerk.auth).send({ email: partyEmail, password: partyPassword });
  if (account.status !== 201) throw new Error(`party account: ${account.status} ${JSON.stringify(account.body)}`);
  const party = await login(t, partyEmail, partyPassword);
  const rolesOf = async (actor: Actor): Promise<Role[]> => {
    const me = await t.http.get('/api/me').set(actor.auth);
    if (me.status !== 200) throw new Error(`me: ${me.status}`);
    return (me.body as { roles: Role[] }).roles;
  };
  const make = async (actor: Actor, role: Role, password: string): Promise<RoleActor> => {
    const roles = await rolesOf(actor);
    if (!roles.includes(role)) throw new Error(`${actor.email} lacks role ${role}: ${roles.join(',')}`);
    return { ...actor, role, roles, password };
  };
  return {
    admin: await make(admin, 'admin', 'admin-test-password'),
    court_clerk: await make(clerk, 'court_clerk', 'staff-password-1'),
    appraiser: await make(appraiser, 'appraiser', 'staff-password-1'),
    bidder: await make(bidder, 'bidder', 'bidder-password-1'),
    party: await make(party, 'party', partyPassword),
  };
}

/**
 * Logs the actor in again if its token stopped working (an allowed call of e.g. `POST /api/auth/logout`
 * revokes every token of the account). Returns true when the token had to be renewed.
 */
export async function ensureFreshToken(t: TestPlatform, actor: RoleActor): Promise<boolean> {
  const me = await t.http.get('/api/me').set(actor.auth);
  if (me.status === 200) return false;
  const fresh = await login(t, actor.email, actor.password);
  actor.token = fresh.token;
  actor.auth = fresh.auth;
  return true;
}

/** An HS256 token claiming every role, signed with a key that is not the platform's. */
export function forgedToken(sub: string): string {
  return signJwt({ alg: 'HS256', typ: 'JWT' }, { sub, roles: [...ROLES], courtId: null, agencyId: null, ver: 0 }, randomUUID());
}

/** An unsigned token (`alg: none`) claiming every role. */
export function unsignedToken(sub: string): string {
  const b64 = (o: unknown): string => Buffer.from(JSON.stringify(o)).toString('base64url');
  const now = Math.floor(Date.now() / 1000);
  return `${b64({ alg: 'none', typ: 'JWT' })}.${b64({ sub, roles: [...ROLES], courtId: null, agencyId: null, ver: 0, iat: now, exp: now + 3600 })}.`;
}

function signJwt(header: Record<string, unknown>, claims: Record<string, unknown>, key: string): string {
  const b64 = (o: unknown): string => Buffer.from(JSON.stringify(o)).toString('base64url');
  const now = Math.floor(Date.now() / 1000);
  const input = `${b64(header)}.${b64({ ...claims, iat: now, exp: now + 3600 })}`;
  return `${input}.${createHmac('sha256', key).update(input).digest('base64url')}`;
}

// ---------------------------------------------------------------- database fingerprint

export interface TableState {
  rows: number;
  hash: string;
}

/** Row count (and a content hash, to also see updates) of every base table of the public schema. */
export async function tableSnapshot(t: TestPlatform): Promise<Map<string, TableState>> {
  const { rows: tables } = await t.db.query<{ table_name: string }>(
    `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY table_name`,
  );
  if (tables.length === 0) throw new Error('no tables in the public schema');
  const sql = tables
    .map(({ table_name }) => {
      const ident = `"${table_name.replace(/"/g, '""')}"`;
      const literal = `'${table_name.replace(/'/g, "''")}'`;
      return `SELECT ${literal} AS t, count(*)::int AS n, md5(coalesce(string_agg(x::text, '|' ORDER BY x::text), '')) AS h FROM public.${ident} x`;
    })
    .join(' UNION ALL ');
  const { rows } = await t.db.query<{ t: string; n: number; h: string }>(sql);
  return new Map(rows.map((r) => [r.t, { rows: r.n, hash: r.h }]));
}

export interface TableChange {
  table: string;
  before: number;
  after: number;
  contentChanged: boolean;
}

export function diffSnapshots(before: Map<string, TableState>, after: Map<string, TableState>): TableChange[] {
  const names = new Set([...before.keys(), ...after.keys()]);
  const out: TableChange[] = [];
  for (const table of names) {
    const b = before.get(table);
    const a = after.get(table);
    if (b?.rows !== a?.rows || b?.hash !== a?.hash) out.push({ table, before: b?.rows ?? -1, after: a?.rows ?? -1, contentChanged: b?.hash !== a?.hash });
  }
  return out;
}

// ---------------------------------------------------------------- printing

export function table(rows: string[][]): string {
  if (rows.length === 0) return '';
  const widths = rows[0].map((_, i) => Math.min(80, Math.max(...rows.map((r) => (r[i] ?? '').length))));
  return rows.map((r) => r.map((c, i) => (c.length > 80 ? `${c.slice(0, 77)}...` : c).padEnd(widths[i])).join(' │ ')).join('\n');
}
