import { translate, type Lang, type MessageKey } from './messages';
import { fieldRulesText, ruleText, type FieldRules } from './field-rules';

const t = (lang: Lang) => (key: MessageKey, vars?: Record<string, string | number>) => translate(lang, key, vars);

/** The rule names and sentences are those of the API's validation (class-validator and our decorators). */
describe('the API’s broken rules at a field, in the reader’s language', () => {
  it.each([
    ['isDefined', 'title is required', undefined, '必填。', 'Required.'],
    ['minLength', 'title must be longer than or equal to 2 characters', 2, '至少 2 个字符。', 'At least 2 characters.'],
    ['maxLength', 'address must be shorter than or equal to 200 characters', 200, '最多 200 个字符。', 'At most 200 characters.'],
    ['max', 'balanceDueDays must not be greater than 90', 90, '不能大于 90。', 'Must be at most 90.'],
    ['isInt', 'balanceDueDays must be an integer number', undefined, '请填写整数。', 'Enter a whole number.'],
    ['isIso8601', 'startsAt must be an ISO 8601 date-time', undefined, '请填写有效的日期和时间。', 'Enter a valid date and time.'],
    ['arrayMaxSize', 'notices must contain no more than 50 elements', 50, '最多 50 项。', 'At most 50 items.'],
    ['whitelistValidation', 'property x should not exist', undefined, '不接受此项。', 'This is not accepted.'],
  ])('%s', (rule, sentence, limit, zhText, enText) => {
    expect(ruleText(t('zh'), rule, sentence, { limit })).toBe(zhText);
    expect(ruleText(t('en'), rule, sentence, { limit })).toBe(enText);
  });

  it('takes the figure from `limits`, never from the sentence', () => {
    // A sentence that names another number (or none) does not change the words.
    expect(ruleText(t('en'), 'maxLength', 'caseNumber (for example 2026) is too long', { limit: 64 })).toBe('At most 64 characters.');
    expect(ruleText(t('zh'), 'min', 'too small', { limit: 3 })).toBe('不能小于 3。');
  });

  it('a money field’s figure (fen) is shown in yuan, as the form takes it; a safe-integer cap is "too large"', () => {
    expect(ruleText(t('zh'), 'min', 'startingPrice must be at least 1 fen', { limit: 1, money: true })).toBe('不能小于 ¥0.01。');
    expect(ruleText(t('en'), 'min', 'minPrice must be at least 100,000', { limit: 100_000, money: true })).toBe('Must be at least ¥1,000.00.');
    expect(ruleText(t('zh'), 'max', 'deposit must be a safe integer', { limit: Number.MAX_SAFE_INTEGER, money: true })).toBe('数值过大。');
  });

  it('a rule without words, or without its figure, keeps the API’s sentence', () => {
    expect(ruleText(t('zh'), 'matches', 'phone must be a mainland mobile number')).toBe('phone must be a mainland mobile number');
    expect(ruleText(t('zh'), 'minLength', 'title must be longer than or equal to 2 characters')).toBe('title must be longer than or equal to 2 characters');
  });

  it('words every rule of every field, in the API’s order', () => {
    const fields: FieldRules[] = [
      { field: 'title', rules: { minLength: 'title must be longer than or equal to 2 characters', isString: 'title must be a string' }, limits: { minLength: 2 } },
      { field: 'deposit', rules: { min: 'deposit must be at least 1 fen' }, limits: { min: 1 } },
    ];
    expect(fieldRulesText(t('zh'), fields, new Set(['deposit']))).toEqual([
      { field: 'title', errors: ['至少 2 个字符。', '请填写文字。'] },
      { field: 'deposit', errors: ['不能小于 ¥0.01。'] },
    ]);
  });
});
