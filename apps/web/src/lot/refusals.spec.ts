import { ApiError } from '../api/client';
import { translate, type Lang, type MessageKey } from '../i18n/messages';
import { errorText, refusalText } from './refusals';

const t = (lang: Lang) => (key: MessageKey, vars?: Record<string, string | number>) => translate(lang, key, vars);
const api = (code: string, status = 409) => new ApiError({ statusCode: status, code, message: 'an English server message' });

describe('refusals in words', () => {
  it.each([
    ['INVALID_CREDENTIALS', 401, '电子邮箱或密码不正确。', 'The email or the password is wrong.'],
    ['EMAIL_TAKEN', 409, '该电子邮箱已注册，请直接登录。', 'An account with this email already exists; log in instead.'],
    ['ACCOUNT_LOCKED', 429, '登录失败次数过多，账户已暂时锁定，请稍后再试。', 'Too many failed logins: the account is locked for a while. Try again later.'],
    ['IDEMPOTENCY_KEY_REUSED', 409, '这次提交与之前的一次重复但内容不同，请刷新页面后重新出价。', 'This submission repeats an earlier one with different content; reload the page and bid again.'],
    ['LOT_NOT_FOUND', 404, '找不到这件拍品。', 'This lot does not exist.'],
  ])('%s has its own words in both languages', (code, status, zhText, enText) => {
    expect(errorText(t('zh'), api(code, status))).toBe(zhText);
    expect(errorText(t('en'), api(code, status))).toBe(enText);
    expect(refusalText(t('zh'), api(code, status))).toBe(zhText);
  });

  it('never shows the English server message for an unknown code', () => {
    expect(errorText(t('zh'), api('SOMETHING_NEW'))).toBe('操作未成功（错误代码 SOMETHING_NEW），请稍后再试。');
    expect(refusalText(t('zh'), api('SOMETHING_NEW'))).not.toContain('English');
    expect(errorText(t('zh'), api('SOMETHING_NEW', 429))).toBe('操作太频繁，请稍后再试。');
  });

  it('a validation refusal names the fields at fault, once each', () => {
    const invalid = new ApiError({
      statusCode: 400,
      code: 'VALIDATION_FAILED',
      message: 'password is required; displayName is required',
      details: { fields: [{ field: 'password', rules: { isDefined: 'password is required' } }, { field: 'displayName', rules: { isDefined: 'x' } }, { field: 'password', rules: { a: 'b' } }] },
    });
    expect(errorText(t('zh'), invalid)).toBe('以下输入有误，请检查后重试：password、displayName');
    expect(refusalText(t('en'), invalid)).toBe('Some input is not valid; check: password, displayName');
    expect(errorText(t('zh'), new ApiError({ statusCode: 400, code: 'VALIDATION_FAILED', message: 'm' }))).toBe('输入有误，请检查后重试。');
  });
});
