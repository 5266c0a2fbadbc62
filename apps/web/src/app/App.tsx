/**
 * The app shell: providers (query cache, language, antd locale and theme, session, live region), the
 * header with navigation, and the routes. The court console and the appraiser portal are lazy chunks, so
 * a bidder's first visit never downloads them.
 */
import { lazy, Suspense, useEffect, useMemo, useRef, useState } from 'react';
import { BrowserRouter, Route, Routes, useLocation } from 'react-router-dom';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { App as AntApp, ConfigProvider, Spin } from 'antd';
import zhCN from 'antd/locale/zh_CN';
import enUS from 'antd/locale/en_US';
import { ApiError } from '../api/client';
import { endpoints } from '../api/endpoints';
import { serverClock } from '../live/clock';
import { AuthProvider } from '../auth/auth';
import { I18nProvider, useI18n } from '../i18n/i18n';
import { AnnouncerProvider } from './Announcer';
import { Header } from './Header';
import { appTheme } from './theme';

const CataloguePage = lazy(() => import('../pages/CataloguePage'));
const LotPage = lazy(() => import('../pages/LotPage'));
const LoginPage = lazy(() => import('../pages/LoginPage'));
const RegisterPage = lazy(() => import('../pages/RegisterPage'));
const AccountPage = lazy(() => import('../account/AccountPage'));
const CourtConsole = lazy(() => import('../court/CourtConsole'));
const AppraiserPortal = lazy(() => import('../appraiser/AppraiserPortal'));
const NotFoundPage = lazy(() => import('../pages/NotFoundPage'));

function makeQueryClient(): QueryClient {
  return new QueryClient({
    defaultOptions: {
      queries: {
        // 4xx answers are facts (not found, forbidden), not glitches: do not retry them.
        retry: (count, error) => !(error instanceof ApiError && error.status < 500) && count < 2,
        refetchOnWindowFocus: false,
      },
    },
  });
}

function usePrefersReducedMotion(): boolean {
  const query = '(prefers-reduced-motion: reduce)';
  const [reduced, setReduced] = useState(() => typeof matchMedia === 'function' && matchMedia(query).matches);
  useEffect(() => {
    if (typeof matchMedia !== 'function') return;
    const mq = matchMedia(query);
    const onChange = () => setReduced(mq.matches);
    mq.addEventListener('change', onChange);
    return () => mq.removeEventListener('change', onChange);
  }, []);
  return reduced;
}

/** After navigation, move focus to the main region so keyboard and screen reader users start there. */
function FocusOnNavigate() {
  const { pathname } = useLocation();
  const first = useRef(true);
  useEffect(() => {
    if (first.current) {
      first.current = false;
      return;
    }
    document.getElementById('main')?.focus();
  }, [pathname]);
  return null;
}

/**
 * One GET /api/time at start-up, so catalogue countdowns run on the server clock even before (or
 * without) a socket; the socket's `time.sync` refines it later.
 */
function useInitialClockSync() {
  useEffect(() => {
    if (serverClock.synced) return;
    const done = serverClock.probe();
    endpoints.time().then(
      (res) => done(res.now),
      () => undefined,
    );
  }, []);
}

function Themed() {
  useInitialClockSync();
  const { lang } = useI18n();
  const reduced = usePrefersReducedMotion();
  const theme = useMemo(() => appTheme(reduced), [reduced]);
  // button.autoInsertSpace off: antd would show 取 消 for 取消, and the accessible name must be the visible word.
  return (
    <ConfigProvider locale={lang === 'zh' ? zhCN : enUS} theme={theme} button={{ autoInsertSpace: false }}>
      <AntApp>
        <AuthProvider>
          <AnnouncerProvider>
            <BrowserRouter>
              <FocusOnNavigate />
              <Header />
              <main id="main" tabIndex={-1} className="main">
                <Suspense fallback={<Spin aria-label="loading" className="page-spin" />}>
                  <Routes>
                    <Route path="/" element={<CataloguePage />} />
                    <Route path="/lots/:id" element={<LotPage />} />
                    <Route path="/login" element={<LoginPage />} />
                    <Route path="/register" element={<RegisterPage />} />
                    <Route path="/account" element={<AccountPage />} />
                    <Route path="/court/*" element={<CourtConsole />} />
                    <Route path="/appraiser/*" element={<AppraiserPortal />} />
                    <Route path="*" element={<NotFoundPage />} />
                  </Routes>
                </Suspense>
              </main>
            </BrowserRouter>
          </AnnouncerProvider>
        </AuthProvider>
      </AntApp>
    </ConfigProvider>
  );
}

export function App() {
  const [client] = useState(makeQueryClient);
  return (
    <QueryClientProvider client={client}>
      <I18nProvider>
        <Themed />
      </I18nProvider>
    </QueryClientProvider>
  );
}
