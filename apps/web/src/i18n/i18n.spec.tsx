import { fireEvent, render, screen } from '@testing-library/react';
import { en, interpolate, translate, zh } from './messages';
import { I18nProvider, useI18n } from './i18n';

function Probe() {
  const { t, lang, setLang } = useI18n();
  return (
    <button onClick={() => setLang(lang === 'zh' ? 'en' : 'zh')}>{t('lot.result.sold', { code: 'ABC', price: '¥1.00' })}</button>
  );
}

describe('i18n', () => {
  it('has the same keys in both languages, none empty', () => {
    expect(Object.keys(en).sort()).toEqual(Object.keys(zh).sort());
    for (const [key, value] of Object.entries(en)) expect([key, value.trim().length > 0]).toEqual([key, true]);
  });

  it('uses the same placeholders in both languages', () => {
    const names = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
    for (const key of Object.keys(zh) as (keyof typeof zh)[]) expect([key, names(en[key])]).toEqual([key, names(zh[key])]);
  });

  it('fills placeholders and leaves unknown ones visible', () => {
    expect(interpolate('{a} and {b}', { a: 1 })).toBe('1 and {b}');
    expect(translate('zh', 'bid.minimum', { price: '¥10.00' })).toBe('最低可出价 ¥10.00');
  });

  it('defaults to Simplified Chinese and switches to English, remembering the choice', () => {
    localStorage.removeItem('fapai.lang');
    const { unmount } = render(
      <I18nProvider>
        <Probe />
      </I18nProvider>,
    );
    expect(document.documentElement.lang).toBe('zh-CN');
    expect(screen.getByRole('button')).toHaveTextContent('已成交：竞买号 ABC，成交价 ¥1.00');
    fireEvent.click(screen.getByRole('button'));
    expect(screen.getByRole('button')).toHaveTextContent('Sold to bidder ABC for ¥1.00');
    expect(document.documentElement.lang).toBe('en');
    unmount();
    render(
      <I18nProvider>
        <Probe />
      </I18nProvider>,
    );
    expect(screen.getByRole('button')).toHaveTextContent('Sold to bidder ABC');
  });
});
