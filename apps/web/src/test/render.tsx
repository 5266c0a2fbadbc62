/** Renders a component with the app's providers (language, antd, query cache, session, live region). */
import type { ReactElement } from 'react';
import { render, type RenderResult } from '@testing-library/react';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { MemoryRouter } from 'react-router-dom';
import { AnnouncerProvider } from '../app/Announcer';
import { AuthProvider } from '../auth/auth';
import { I18nProvider } from '../i18n/i18n';
import type { Lang } from '../i18n/messages';

export function renderWithApp(ui: ReactElement, options: { lang?: Lang } = {}): RenderResult {
  const client = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  return render(
    <QueryClientProvider client={client}>
      <I18nProvider lang={options.lang ?? 'zh'}>
        <AuthProvider>
          <AnnouncerProvider>
            <MemoryRouter>{ui}</MemoryRouter>
          </AnnouncerProvider>
        </AuthProvider>
      </I18nProvider>
    </QueryClientProvider>,
  );
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
