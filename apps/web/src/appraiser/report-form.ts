/**
 * The appraiser's forms as pure functions: what the appraiser typed (yuan, Beijing local times) → the
 * request bodies of the valuation routes (fen, ISO instants), and a refusal (409 / 422 with `code`,
 * `details.article`, `details.condition`; 400 with `details.fields`) → the form field it concerns.
 */
import type { CorrectionInput, ReportInput } from '../api/endpoints';
import { ApiError } from '../api/client';
import { yuanToFen } from '../format/money';
import { beijingInputToIso } from '../format/time';

export interface SampleValues {
  description: string;
  price: string;
  source: string;
}

export interface ReportValues {
  price: string;
  method: string;
  standards: string;
  validUntil: string;
  samples: SampleValues[];
}

export type ReportField = 'price' | 'method' | 'standards' | 'validUntil' | 'samples';

export type Mapped<T, F extends string> = { ok: true; body: T } | { ok: false; errors: Partial<Record<F, 'required' | 'invalid'>> };

export function toReportBody(v: ReportValues): Mapped<ReportInput, ReportField> {
  const errors: Partial<Record<ReportField, 'required' | 'invalid'>> = {};
  const price = v.price.trim() ? yuanToFen(v.price) : null;
  if (!v.price.trim()) errors.price = 'required';
  else if (price === null || price < 1) errors.price = 'invalid';
  const method = v.method.trim();
  if (!method) errors.method = 'required';
  const validUntil = v.validUntil.trim() ? beijingInputToIso(v.validUntil) : null;
  if (!v.validUntil.trim()) errors.validUntil = 'required';
  else if (!validUntil) errors.validUntil = 'invalid';
  const samples: NonNullable<ReportInput['samples']> = [];
  for (const s of v.samples) {
    const description = s.description.trim();
    if (!description && !s.price.trim() && !s.source.trim()) continue;
    if (!description) errors.samples = 'required';
    const samplePrice = s.price.trim() ? yuanToFen(s.price) : undefined;
    if (samplePrice === null) errors.samples = 'invalid';
    samples.push({ description, ...(samplePrice != null ? { price: samplePrice } : {}), ...(s.source.trim() ? { source: s.source.trim() } : {}) });
  }
  if (Object.keys(errors).length > 0) return { ok: false, errors };
  const standards = v.standards.trim();
  return { ok: true, body: { price: price!, method, samples, ...(standards ? { standards } : {}), validUntil: validUntil! } };
}

export interface CorrectionValues {
  price: string;
  validUntil: string;
  note: string;
}

export type CorrectionField = 'price' | 'validUntil' | 'note';

/** A correction may change the price and validity or only explain (all optional, but not all empty). */
export function toCorrectionBody(v: CorrectionValues): Mapped<CorrectionInput, CorrectionField> {
  const errors: Partial<Record<CorrectionField, 'required' | 'invalid'>> = {};
  const body: CorrectionInput = {};
  if (v.price.trim()) {
    const fen = yuanToFen(v.price);
    if (fen === null || fen < 1) errors.price = 'invalid';
    else body.price = fen;
  }
  if (v.validUntil.trim()) {
    const iso = beijingInputToIso(v.validUntil);
    if (!iso) errors.validUntil = 'invalid';
    else body.validUntil = iso;
  }
  if (v.note.trim()) body.note = v.note.trim();
  if (Object.keys(errors).length === 0 && body.price === undefined && body.validUntil === undefined && body.note === undefined) errors.note = 'required';
  return Object.keys(errors).length > 0 ? { ok: false, errors } : { ok: true, body };
}

export interface PlacedRefusal<F extends string> {
  /** The field the refusal concerns, or null when it concerns the whole act. */
  field: F | null;
  code: string;
  article: string | null;
  condition: string | null;
}

const VALIDITY_CODES = new Set(['VALIDITY_TOO_LONG', 'VALIDITY_INVALID', 'REFERENCE_PRICE_EXPIRED']);

/** Which field a refusal concerns: by the validation's field name, then by code, then by condition. */
export function placeRefusal<F extends string>(error: unknown, fields: readonly F[]): PlacedRefusal<F> | null {
  if (!(error instanceof ApiError)) return null;
  const details = (error.details ?? {}) as Record<string, unknown>;
  const article = typeof details.article === 'string' ? details.article : null;
  const condition = typeof details.condition === 'string' ? details.condition : null;
  const has = (f: string): F | null => ((fields as readonly string[]).includes(f) ? (f as F) : null);
  let field: F | null = null;
  const listed = Array.isArray(details.fields) ? (details.fields as { field?: unknown }[]) : [];
  for (const f of listed) {
    if (typeof f.field !== 'string') continue;
    field = has(f.field.split(/[.[]/)[0]);
    if (field) break;
  }
  if (!field && VALIDITY_CODES.has(error.code)) field = has('validUntil');
  if (!field && error.code === 'PRICE_INVALID') field = has('price');
  if (!field && condition) {
    if (/valid/.test(condition)) field = has('validUntil');
    else if (/sample/.test(condition)) field = has('samples');
    else if (/standard/.test(condition)) field = has('standards');
    else if (/method/.test(condition)) field = has('method');
    else if (/price/.test(condition)) field = has('price');
    else if (/note|explanation/.test(condition)) field = has('note');
  }
  return { field, code: error.code, article, condition };
}
