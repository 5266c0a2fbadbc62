/**
 * The clerk's valuation forms as pure functions: what the clerk typed (yuan, Beijing wall times, lines of
 * text, a duration with its unit) → the request bodies of the valuation routes (fen, ISO instants, ms).
 * A field that cannot be mapped is named with 'required' or 'invalid', so the form shows it in place.
 */
import { yuanToFen } from '../../format/money';
import { beijingInputToIso } from '../../format/time';

export type FieldError = 'required' | 'invalid';
export type Values = Record<string, string | boolean | string[] | undefined>;
export type Mapped<T> = { ok: true; body: T } | { ok: false; errors: Record<string, FieldError> };

const str = (v: Values, k: string): string => (typeof v[k] === 'string' ? (v[k] as string).trim() : '');
const bool = (v: Values, k: string): boolean => v[k] === true;
const list = (v: Values, k: string): string[] => (Array.isArray(v[k]) ? (v[k] as string[]) : []);
const lines = (v: Values, k: string): string[] =>
  str(v, k)
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter(Boolean);

class Builder<T extends Record<string, unknown>> {
  readonly errors: Record<string, FieldError> = {};
  readonly body: Record<string, unknown> = {};
  constructor(private readonly v: Values) {}
  text(k: string, { required = true, min = 1, as = k }: { required?: boolean; min?: number; as?: string } = {}): this {
    const s = str(this.v, k);
    if (!s) {
      if (required) this.errors[k] = 'required';
    } else if (s.length < min) this.errors[k] = 'invalid';
    else this.body[as] = s;
    return this;
  }
  fen(k: string, { required = true, min = 1, as = k }: { required?: boolean; min?: number; as?: string } = {}): this {
    const s = str(this.v, k);
    if (!s) {
      if (required) this.errors[k] = 'required';
      return this;
    }
    const fen = yuanToFen(s);
    if (fen === null || fen < min) this.errors[k] = 'invalid';
    else this.body[as] = fen;
    return this;
  }
  instant(k: string, { required = true, as = k }: { required?: boolean; as?: string } = {}): this {
    const s = str(this.v, k);
    if (!s) {
      if (required) this.errors[k] = 'required';
      return this;
    }
    const iso = beijingInputToIso(s);
    if (!iso) this.errors[k] = 'invalid';
    else this.body[as] = iso;
    return this;
  }
  choice<C extends string>(k: string, options: readonly C[], { required = true, as = k }: { required?: boolean; as?: string } = {}): this {
    const s = str(this.v, k);
    if (!s) {
      if (required) this.errors[k] = 'required';
    } else if (!(options as readonly string[]).includes(s)) this.errors[k] = 'invalid';
    else this.body[as] = s;
    return this;
  }
  set(key: string, value: unknown): this {
    this.body[key] = value;
    return this;
  }
  fail(k: string, e: FieldError): this {
    this.errors[k] = e;
    return this;
  }
  done(): Mapped<T> {
    return Object.keys(this.errors).length > 0 ? { ok: false, errors: this.errors } : { ok: true, body: this.body as T };
  }
}

export const build = <T extends Record<string, unknown>>(v: Values) => new Builder<T>(v);

export interface CreateValuationBody extends Record<string, unknown> {
  caseId: string;
  property: {
    description: string;
    title: string;
    encumbrances: string[];
    occupancy: string;
    unpaidTaxes: number;
    defects: string[];
    hasGovernmentPrice: boolean;
    needsOnSiteSurvey: boolean;
    appraisalRequiredByLaw: boolean;
  };
  seizedAt?: string;
}

/** POST /api/valuations: the facts of RPR Art. 3 (unpaid taxes in yuan → fen; empty means none). */
export function toCreateValuationBody(v: Values): Mapped<CreateValuationBody> {
  const b = build<Record<string, unknown>>(v).text('caseId').text('description', { min: 2 }).text('title').instant('seizedAt', { required: false });
  const taxesText = str(v, 'unpaidTaxes');
  const unpaidTaxes = taxesText ? yuanToFen(taxesText) : 0;
  if (unpaidTaxes === null) b.fail('unpaidTaxes', 'invalid');
  const m = b.done();
  if (!m.ok) return m;
  return {
    ok: true,
    body: {
      caseId: m.body.caseId as string,
      property: {
        description: m.body.description as string,
        title: m.body.title as string,
        encumbrances: lines(v, 'encumbrances'),
        occupancy: str(v, 'occupancy'),
        unpaidTaxes: unpaidTaxes!,
        defects: lines(v, 'defects'),
        hasGovernmentPrice: bool(v, 'hasGovernmentPrice'),
        needsOnSiteSurvey: bool(v, 'needsOnSiteSurvey'),
        appraisalRequiredByLaw: bool(v, 'appraisalRequiredByLaw'),
      },
      ...(m.body.seizedAt ? { seizedAt: m.body.seizedAt as string } : {}),
    },
  };
}

export const DURATION_UNITS = { day: 86_400_000, hour: 3_600_000, second: 1000 } as const;
export type DurationUnit = keyof typeof DURATION_UNITS;

/** A whole positive number of days, hours or seconds → ms (RPR Art. 19 ¶2 extensions). */
export function durationMs(amount: string, unit: string): number | null {
  const n = amount.trim();
  if (!/^\d{1,6}$/.test(n) || Number(n) < 1 || !(unit in DURATION_UNITS)) return null;
  return Number(n) * DURATION_UNITS[unit as DurationUnit];
}

/** POST /api/valuations/:id/appraisal/extensions. */
export function toExtensionBody(v: Values, agencyId: string): Mapped<{ agencyId: string; extendByMs: number; requestedAt?: string }> {
  const b = build<{ agencyId: string; extendByMs: number; requestedAt?: string }>(v).set('agencyId', agencyId).instant('requestedAt', { required: false });
  if (!str(v, 'extendBy')) b.fail('extendBy', 'required');
  else {
    const ms = durationMs(str(v, 'extendBy'), str(v, 'unit') || 'day');
    if (ms === null) b.fail('extendBy', 'invalid');
    else b.set('extendByMs', ms);
  }
  return b.done();
}

/** POST /api/valuations/:id/appraisal/agreement: the agencies in order, no blanks in between, no repeats. */
export function toAgreementBody(v: Values, slots: number): Mapped<{ agencyIds: string[] }> {
  const ids: string[] = [];
  const errors: Record<string, FieldError> = {};
  for (let i = 1; i <= slots; i++) {
    const id = str(v, `agency${i}`);
    if (!id) errors[`agency${i}`] = 'required';
    else if (ids.includes(id)) errors[`agency${i}`] = 'invalid';
    else ids.push(id);
  }
  return Object.keys(errors).length > 0 ? { ok: false, errors } : { ok: true, body: { agencyIds: ids } };
}

export { bool, list, str };
