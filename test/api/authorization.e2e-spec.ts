/**
 * Authorization matrix, end to end: the declared policy of every route comes from the Nest metadata
 * (`@Roles(...)` / `@Public()`); every operation of the OpenAPI document (and any route the document leaves
 * out) is then called as each role, as nobody and with forged tokens, and the answers are compared with the
 * policy. Protected route: nobody → 401, a role outside the list → 403. A role in the list, or anyone on a
 * public route: never 401/403 (the empty body and the random ids give 400/404 instead).
 * Nothing is hard-coded per route: new modules are covered as soon as they are mounted.
 */
import { startTestPlatform, type TestPlatform } from '../support/platform.js';
import {
  ROLES,
  createRoleActors,
  ensureFreshToken,
  fetchOpenApi,
  fillPath,
  forgedToken,
  isStreaming,
  operations,
  opKey,
  rolesAllowed,
  routePolicies,
  table,
  unsignedToken,
  type HttpMethod,
  type Role,
  type RoleActors,
  type RoutePolicy,
} from '../support/api-surface.js';

/** Routes not called, with the reason. */
const SKIPPED = new Map<string, string>([
  ['POST /api/payments/stripe/webhook', 'Stripe webhook: public by design, authenticated by its signature, excluded from OpenAPI'],
]);

type Caller = Role | 'nobody' | 'forged-token' | 'unsigned-token';
const CALLERS: Caller[] = [...ROLES, 'nobody', 'forged-token', 'unsigned-token'];

let t: TestPlatform;
let actors: RoleActors;

beforeAll(async () => {
  t = await startTestPlatform();
  actors = await createRoleActors(t);
}, 60_000);
afterAll(async () => {
  await t?.stop();
});

interface Target {
  method: HttpMethod;
  path: string;
  key: string;
  documented: boolean;
}

/** What the policy promises a caller. A role's account may hold more roles (a party login also bids): like the guard, any of them counts. */
function expectation(policy: RoutePolicy | undefined, caller: Caller): { ok: (status: number) => boolean; text: string } {
  const allowed = rolesAllowed(policy?.access);
  if (allowed === 'none') return { ok: (s) => s === 403, text: '403 (no policy: fails closed)' };
  if (allowed === 'public') return { ok: (s) => s !== 401 && s !== 403, text: 'not 401/403 (public)' };
  if (!isRole(caller)) return { ok: (s) => s === 401, text: '401' };
  if (actors[caller].roles.some((r) => allowed.includes(r))) return { ok: (s) => s !== 401 && s !== 403, text: `not 401/403 (allowed: ${allowed.join(',')})` };
  return { ok: (s) => s === 403, text: `403 (allowed: ${allowed.join(',')})` };
}

const isRole = (caller: Caller): caller is Role => (ROLES as readonly string[]).includes(caller);

describe('authorization matrix', () => {
  it('every operation answers every caller exactly as its declared policy says', async () => {
    const doc = await fetchOpenApi(t);
    const policies = routePolicies(t);
    const documented = operations(doc).filter((op) => !isStreaming(op.spec));
    const targets: Target[] = documented.map((op) => ({ method: op.method, path: op.path, key: op.key, documented: true }));
    // Routes the document leaves out are still reachable: call them too.
    const inDoc = new Set(targets.map((x) => x.key));
    for (const p of policies.values()) if (!inDoc.has(p.key)) targets.push({ method: p.method, path: p.path, key: p.key, documented: false });

    const mismatches: string[][] = [];
    const noPolicy: string[] = [];
    const refreshed: string[] = [];
    let checked = 0;
    let calls = 0;
    for (const target of targets.sort((a, b) => a.key.localeCompare(b.key))) {
      if (SKIPPED.has(target.key)) continue;
      const policy = policies.get(target.key);
      if (!policy) noPolicy.push(target.key);
      checked += 1;
      const url = fillPath(target.path);
      for (const caller of CALLERS) {
        const req = t.http[target.method](url).set('Content-Type', 'application/json');
        if (caller === 'forged-token') req.set('Authorization', `Bearer ${forgedToken(actors.admin.id)}`);
        else if (caller === 'unsigned-token') req.set('Authorization', `Bearer ${unsignedToken(actors.admin.id)}`);
        else if (isRole(caller)) req.set(actors[caller].auth);
        const res = target.method === 'get' || target.method === 'delete' ? await req : await req.send({});
        calls += 1;
        const want = expectation(policy, caller);
        if (!want.ok(res.status)) {
          const body = res.body as { code?: string; message?: string } | undefined;
          mismatches.push([target.key + (target.documented ? '' : ' (undocumented)'), caller, want.text, String(res.status), `${body?.code ?? ''} ${body?.message ?? ''}`.trim()]);
        }
        // An allowed call may end the session (logout, password change): log in again before going on.
        if (isRole(caller) && target.method !== 'get' && res.status < 300) {
          if (await ensureFreshToken(t, actors[caller])) refreshed.push(`${target.key} as ${caller}`);
        }
      }
    }

    const undocumented = targets.filter((x) => !x.documented && !SKIPPED.has(x.key)).map((x) => x.key);
    console.log(
      [
        `authorization matrix: ${checked} operations × ${CALLERS.length} callers = ${calls} calls; ${mismatches.length} mismatches`,
        `callers: ${CALLERS.map((c) => (isRole(c) ? `${c}=[${actors[c].roles.join(',')}]` : c)).join(' ')}`,
        undocumented.length ? `routes missing from the OpenAPI document (called anyway): ${undocumented.join(', ')}` : '',
        refreshed.length ? `sessions ended by an allowed call and renewed: ${refreshed.join('; ')}` : '',
        mismatches.length ? table([['operation', 'caller', 'expected', 'got', 'answer'], ...mismatches]) : '',
      ]
        .filter(Boolean)
        .join('\n'),
    );
    expect(noPolicy).toEqual([]);
    expect(checked).toBeGreaterThan(40);
    expect(mismatches).toEqual([]);
  }, 120_000);

  it('reads the policy from the metadata: at least one public route and one route per role', () => {
    const policies = [...routePolicies(t).values()];
    expect(policies.some((p) => p.access?.public === true)).toBe(true);
    for (const role of ROLES) expect(policies.some((p) => p.access && !p.access.public && p.access.roles.includes(role))).toBe(true);
    expect(routePolicies(t).get(opKey('get', '/api/audit/verify'))?.access).toEqual({ public: false, roles: ['admin'] });
  });
});
