/**
 * Publication refusals (409 PUBLICATION_REFUSED) and validation errors (400 VALIDATION_FAILED) name the
 * field they concern (`startingPrice`, `disclosures.taxesAndFees`, `notices[0]`). These helpers turn such
 * names into antd form paths so each refusal is shown next to its field.
 */
import type { PublicationViolationView } from '@fapai/contracts';
import { fieldRulesText, type FieldRules } from '../i18n/field-rules';
import type { Translate } from '../i18n/i18n';

export type FieldPath = (string | number)[];

/** "disclosures.taxesAndFees" → ['disclosures', 'taxesAndFees']; "notices[0].at" → ['notices', 0, 'at']. */
export function parseFieldName(field: string): FieldPath {
  const path: FieldPath = [];
  for (const part of field.split('.')) {
    const m = /^([^[\]]*)((?:\[\d+\])*)$/.exec(part);
    if (!m) return [field];
    if (m[1]) path.push(m[1]);
    for (const idx of m[2].matchAll(/\[(\d+)\]/g)) path.push(Number(idx[1]));
  }
  return path;
}

/** The form's fields a violation can point at; anything else is listed under "other problems". */
export const FORM_FIELDS = new Set([
  'caseId',
  'propertyType',
  'title',
  'description',
  'province',
  'city',
  'address',
  'knownDefects',
  'encumbrances',
  'occupancy',
  'taxBurden',
  'referencePrice',
  'referencePriceBasis',
  'startingPrice',
  'increment',
  'deposit',
  'announceAt',
  'startsAt',
  'endsAt',
  'balanceDueDays',
  'disclosures',
  'notices',
  'priorityHolders',
]);

/**
 * The form path where a violation is shown, or null. A whole notice (`notices[1]`) is shown at its time,
 * the part of a notice a clerk fixes; a whole priority holder at its name.
 */
export function violationFieldPath(field: string): FieldPath | null {
  const path = parseFieldName(field);
  const head = path[0];
  if (typeof head !== 'string' || !FORM_FIELDS.has(head)) return null;
  if (head === 'notices' && path.length === 2 && typeof path[1] === 'number') return [...path, 'at'];
  if (head === 'priorityHolders' && path.length === 2 && typeof path[1] === 'number') return [...path, 'name'];
  if (head === 'notices' && path.length === 1) return null; // "no notices at all": listed in the summary
  return path;
}

export interface PlacedViolation {
  violation: PublicationViolationView;
  path: FieldPath | null;
}

export function placeViolations(violations: readonly PublicationViolationView[]): PlacedViolation[] {
  return violations.map((violation) => ({ violation, path: violationFieldPath(violation.field) }));
}

/** Groups messages per form path (several violations can concern one field). */
export function errorsByPath(placed: readonly PlacedViolation[], describe: (v: PublicationViolationView) => string): { name: FieldPath; errors: string[] }[] {
  const map = new Map<string, { name: FieldPath; errors: string[] }>();
  for (const { violation, path } of placed) {
    if (!path) continue;
    const key = JSON.stringify(path);
    const entry = map.get(key) ?? { name: path, errors: [] };
    entry.errors.push(describe(violation));
    map.set(key, entry);
  }
  return [...map.values()];
}

/** A 400's broken rules (`details.fields`), worded, at their form paths (`money`: fields in fen). */
export function rulesByPath(t: Translate, fields: readonly FieldRules[], money: ReadonlySet<string>): { name: FieldPath; errors: string[] }[] {
  return fieldRulesText(t, fields, money).map((f) => ({ name: parseFieldName(f.field), errors: f.errors }));
}
