/**
 * The rules a 400 VALIDATION_FAILED names at each field (`details.fields[].rules`: rule name → the API's
 * English sentence), in the reader's language, for the forms that place them next to their fields. The
 * rule *name* is what is stable; its number (a length, a minimum) is read from the sentence, which the API
 * words with the same figure. A money field's figures are fen and are shown in yuan, as the form takes them.
 * A rule with no words here keeps the API's sentence: better English than nothing.
 */
import type { Translate } from './i18n';
import { formatYuan } from '../format/money';
import type { MessageKey } from './messages';

/** A field's broken rules as the API sent them. */
export interface FieldRules {
  field: string;
  rules: Record<string, string>;
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

/** Rules whose sentence carries the figure the words need. */
const WITH_FIGURE = new Set(['minLength', 'maxLength', 'min', 'max', 'arrayMaxSize', 'arrayMinSize']);

/** One broken rule in the reader's language (`money`: the field is fen, shown in yuan). */
export function ruleText(t: Translate, rule: string, sentence: string, options: { money?: boolean } = {}): string {
  const key = WORDED[rule];
  if (!key) return sentence;
  if (!WITH_FIGURE.has(rule)) return t(key);
  const figure = /-?\d+(?:\.\d+)?/.exec(sentence.replace(/(\d),(\d)/g, '$1$2'))?.[0];
  // A safe-integer cap (money fields: "… must be a safe integer") is no figure a person types against.
  if (rule === 'max' && (figure === undefined || Number(figure) >= Number.MAX_SAFE_INTEGER)) return t('rule.tooLarge');
  if (figure === undefined) return sentence;
  const n = Number(figure);
  return t(key, { n: options.money && (rule === 'min' || rule === 'max') ? formatYuan(n) : n });
}

/** Each field's broken rules in the reader's language, in the API's order. */
export function fieldRulesText(t: Translate, fields: readonly FieldRules[], moneyFields: ReadonlySet<string> = new Set()): { field: string; errors: string[] }[] {
  return fields.map((f) => ({ field: f.field, errors: Object.entries(f.rules).map(([rule, sentence]) => ruleText(t, rule, sentence, { money: moneyFields.has(f.field) })) }));
}
