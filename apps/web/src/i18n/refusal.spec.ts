import { ApiError, NetworkError } from '../api/client';
import { translate, type Lang, type MessageKey } from './messages';
import { errorText, refusalText, stripeErrorText } from './refusal';

const t = (lang: Lang) => (key: MessageKey, vars?: Record<string, string | number>) => translate(lang, key, vars);
const api = (code: string, status = 409, details?: Record<string, unknown>) => new ApiError({ statusCode: status, code, message: 'an English server message', details });

describe('refusals in words', () => {
  it.each([
    ['INVALID_CREDENTIALS', 401, '电子邮箱或密码不正确。', 'The email or the password is wrong.'],
    ['EMAIL_TAKEN', 409, '该电子邮箱已注册，请直接登录。', 'An account with this email already exists; log in instead.'],
    ['ACCOUNT_LOCKED', 429, '登录失败次数过多，账户已暂时锁定，请稍后再试。', 'Too many failed logins: the account is locked for a while. Try again later.'],
    ['IDEMPOTENCY_KEY_REUSED', 409, '这次提交与之前的一次重复但内容不同，请刷新页面后重新出价。', 'This submission repeats an earlier one with different content; reload the page and bid again.'],
    ['LOT_NOT_FOUND', 404, '找不到这件拍品。', 'This lot does not exist.'],
  ])('%s has its own words in both languages, in every scope', (code, status, zhText, enText) => {
    expect(errorText(t('zh'), api(code, status))).toBe(zhText);
    expect(errorText(t('en'), api(code, status))).toBe(enText);
    expect(errorText(t('zh'), api(code, status), { scope: 'bid' })).toBe(zhText);
    expect(refusalText(t('en'), { error: api(code, status) })).toBe(enText);
  });

  it('a locked account is told how many minutes are left (rounded up), in the reader’s language', () => {
    const locked = api('ACCOUNT_LOCKED', 429, { retryAfterSeconds: 61 });
    expect(errorText(t('zh'), locked)).toBe('登录失败次数过多，账户已暂时锁定，请 2 分钟后再试。已登录的设备不受影响。');
    expect(errorText(t('en'), locked)).toBe('Too many failed logins: the account is locked. Try again in 2 min. Devices already logged in are not affected.');
  });

  it('never shows the English server message for an unknown code; a bid is told to check the record', () => {
    expect(errorText(t('zh'), api('SOMETHING_NEW'))).toBe('操作未成功（错误代码 SOMETHING_NEW），请稍后再试。');
    expect(errorText(t('zh'), api('SOMETHING_NEW'), { scope: 'bid' })).toBe('出价未被接受（错误代码 SOMETHING_NEW），请查看竞价记录后再试。');
    expect(errorText(t('zh'), api('SOMETHING_NEW', 429))).toBe('操作太频繁，请稍后再试。');
    // A bug of ours (not an answer of the API) is named by its kind, not by its English message.
    expect(errorText(t('en'), new TypeError('x is undefined'))).toBe('Not done (error code TypeError); try again later.');
  });

  it('words a lost connection neutrally on forms, and tells a bidder the bid may not have arrived', () => {
    const lost = new NetworkError(new TypeError('Failed to fetch'));
    expect(errorText(t('zh'), lost)).toBe('网络连接失败，请检查网络后重试。');
    expect(errorText(t('en'), lost)).toBe('Could not reach the server; check your connection and try again.');
    expect(errorText(t('zh'), lost)).not.toContain('出价');
    expect(errorText(t('en'), lost)).not.toMatch(/bid/i);
    expect(errorText(t('zh'), lost, { scope: 'bid' })).toBe('网络异常，出价可能未送达；请查看竞价记录后再试。');
    expect(errorText(t('en'), lost, { scope: 'bid' })).toBe('Network problem: the bid may not have arrived. Check the bid record, then try again.');
  });

  it('a validation refusal names the fields at fault, once each', () => {
    const invalid = new ApiError({
      statusCode: 400,
      code: 'VALIDATION_FAILED',
      message: 'password is required; displayName is required',
      details: { fields: [{ field: 'password', rules: { isDefined: 'password is required' } }, { field: 'displayName', rules: { isDefined: 'x' } }, { field: 'password', rules: { a: 'b' } }] },
    });
    expect(errorText(t('zh'), invalid)).toBe('以下输入有误，请检查后重试：password、displayName');
    expect(errorText(t('en'), invalid, { scope: 'bid' })).toBe('Some input is not valid; check: password, displayName');
    expect(errorText(t('zh'), new ApiError({ statusCode: 400, code: 'VALIDATION_FAILED', message: 'm' }))).toBe('输入有误，请检查后重试。');
  });

  it('adds the article and the failed condition only when asked', () => {
    const refused = api('RULING_BEFORE_FULL_PAYMENT', 409, { article: 'OJA Art. 30', condition: 'balance_paid_in_full' });
    expect(errorText(t('zh'), refused)).toBe('尾款未缴清，不能作出成交裁定');
    expect(errorText(t('en'), refused, { grounds: true })).toBe('The balance is not fully paid: no ruling yet, Rule: OJA Art. 30, condition not met: balance paid in full');
  });

  it('words a message of our own like any refusal, with its placeholders', () => {
    expect(refusalText(t('zh'), { key: 'court.publishRefused', vars: { n: 2 } })).toBe(translate('zh', 'court.publishRefused', { n: 2 }));
    expect(refusalText(t('en'), { key: 'appraiser.fieldRequired' }, { grounds: true })).toBe(translate('en', 'appraiser.fieldRequired'));
  });
});

const deposit = { declined: 'refusal.DEPOSIT_DECLINED', fallback: 'enrol.failed' } as const;

describe('Stripe errors in words', () => {
  it('words a declined card in the reader language of the moment', () => {
    const declined = { type: 'card_error', code: 'card_declined', message: 'Your card was declined.' };
    expect(stripeErrorText(t('zh'), declined, deposit)).toBe('银行卡被拒付，保证金未缴纳成功，请换一张卡重试。');
    expect(stripeErrorText(t('en'), declined, deposit)).toBe('The card was declined; the deposit is not paid. Try another card.');
  });

  it("keeps Stripe's own message for anything else, and falls back to ours without one", () => {
    expect(stripeErrorText(t('en'), { type: 'card_error', code: 'incorrect_cvc', message: "Your card's security code is incorrect." }, deposit)).toBe("Your card's security code is incorrect.");
    expect(stripeErrorText(t('zh'), { type: 'api_error' }, deposit)).toBe('保证金支付未成功，请换一张卡重试');
  });
});
