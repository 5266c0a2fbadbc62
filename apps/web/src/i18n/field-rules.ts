/**
 * The rules a 400 VALIDATION_FAILED names at each field (`details.fields[].rules`: rule name → the API's
 * English sentence), in the reader's language, for the forms that place them next to their fields. The
 * rule *name* is what is stable; its figure (a length, a minimum) comes as a number in `limits`, never read
 * from the sentence. A money field's figures are fen and are shown in yuan, as the form takes them.
 * A rule with no words here, or without its figure, keeps the API's sentence: better English than nothing.
 */
import type { Translate } from './i18n';
import { formatYuan } from '../format/money';
import type { MessageKey } from './messages';

/** A field's broken rules as the API sent them. */
export interface FieldRules {
  field: string;
  rules: Record<string, string>;
  /** The figure of each rule that has one. */
  limits?: Record<string, number>;
}

const WORDED: Record<string, MessageKey> = {
  isDefined: 'rule.required',
  isNotEmpty: 'rule.required',
  minLength: 'rule.minLength',
  maxLength: 'rule.maxLength',
  min: 'rule.min',
  max: 'rule.max',
  isInt: 'rule.isInt',
  isString: 'rule.isString',
  isBoolean: 'rule.isBoolean',
  isIn: 'rule.isIn',
  isEnum: 'rule.isIn',
  isUuid: 'rule.format',
  isEmail: 'rule.isEmail',
  isIso8601: 'rule.dateTime',
  isDateString: 'rule.dateTime',
  arrayMaxSize: 'rule.arrayMaxSize',
  arrayMinSize: 'rule.arrayMinSize',
  whitelistValidation: 'rule.unknownField',
};

/** Rules whose words need their figure. */
const WITH_FIGURE = new Set(['minLength', 'maxLength', 'min', 'max', 'arrayMaxSize', 'arrayMinSize']);

/** One broken rule in the reader's language (`limit`: the rule's figure; `money`: the field is fen, shown in yuan). */
export function ruleText(t: Translate, rule: string, sentence: string, options: { limit?: number; money?: boolean } = {}): string {
  const key = WORDED[rule];
  if (!key) return sentence;
  if (!WITH_FIGURE.has(rule)) return t(key);
  const n = options.limit;
  if (n === undefined || !Number.isFinite(n)) return sentence;
  // A safe-integer cap (money fields) is no figure a person types against.
  if (rule === 'max' && n >= Number.MAX_SAFE_INTEGER) return t('rule.tooLarge');
  return t(key, { n: options.money && (rule === 'min' || rule === 'max') ? formatYuan(n) : n });
}

/** Each field's broken rules in the reader's language, in the API's order. */
export function fieldRulesText(t: Translate, fields: readonly FieldRules[], moneyFields: ReadonlySet<string> = new Set()): { field: string; errors: string[] }[] {
  return fields.map((f) => ({
    field: f.field,
    errors: Object.entries(f.rules).map(([rule, sentence]) => ruleText(t, rule, sentence, { limit: f.limits?.[rule], money: moneyFields.has(f.field) })),
  }));
}
