/** Renders a component with the app's providers (language, antd, query cache, session, live region). */
import type { ReactElement } from 'react';
import { act, render, type RenderResult } from '@testing-library/react';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { MemoryRouter } from 'react-router-dom';
import { AnnouncerProvider } from '../app/Announcer';
import { AuthProvider } from '../auth/auth';
import { I18nProvider, useI18n } from '../i18n/i18n';
import type { Lang } from '../i18n/messages';

/** Hands the test the language switch of the header, so a test can switch language mid-screen. */
function LanguageHandle({ handle }: { handle: { setLang?: (lang: Lang) => void } }) {
  handle.setLang = useI18n().setLang;
  return null;
}

export function renderWithApp(ui: ReactElement, options: { lang?: Lang } = {}): RenderResult & { setLang(lang: Lang): void } {
  const client = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  const handle: { setLang?: (lang: Lang) => void } = {};
  const result = render(
    <QueryClientProvider client={client}>
      <I18nProvider lang={options.lang ?? 'zh'}>
        <LanguageHandle handle={handle} />
        <AuthProvider>
          <AnnouncerProvider>
            <MemoryRouter>{ui}</MemoryRouter>
          </AnnouncerProvider>
        </AuthProvider>
      </I18nProvider>
    </QueryClientProvider>,
  );
  return { ...result, setLang: (lang: Lang) => act(() => handle.setLang!(lang)) };
}

/** A fetch stand-in answering each call with the next queued response. */
export function mockFetch(...responses: { status: number; body: unknown }[]) {
  const calls: { url: string; init: RequestInit | undefined }[] = [];
  const queue = [...responses];
  globalThis.fetch = ((url: string, init?: RequestInit) => {
    calls.push({ url, init });
    const next = queue.shift() ?? { status: 500, body: { statusCode: 500, code: 'NO_MOCK', message: 'no mock response' } };
    return Promise.resolve({ status: next.status, ok: next.status < 400, statusText: '', text: () => Promise.resolve(JSON.stringify(next.body)) } as Response);
  }) as typeof fetch;
  return calls;
}

/**
 * A fetch stand-in answering by route ("METHOD /api/path", query string ignored), for screens whose calls
 * come in no fixed order (queries and a form's submit). `'network'` rejects like an unreachable server.
 */
export function mockRoutes(routes: Record<string, { status: number; body: unknown } | 'network'>) {
  const calls: { url: string; init: RequestInit | undefined }[] = [];
  globalThis.fetch = ((url: string, init?: RequestInit) => {
    calls.push({ url, init });
    const route = `${init?.method ?? 'GET'} ${url.split('?')[0]}`;
    const answer = routes[route] ?? { status: 500, body: { statusCode: 500, code: 'NO_MOCK', message: `no mock for ${route}` } };
    if (answer === 'network') return Promise.reject(new TypeError('Failed to fetch'));
    return Promise.resolve({ status: answer.status, ok: answer.status < 400, statusText: '', text: () => Promise.resolve(JSON.stringify(answer.body)) } as Response);
  }) as typeof fetch;
  return calls;
}
