/** The court console (法院工作台), a lazy chunk: only clerks download it. The valuation screens are lazy chunks of their own. */
import { lazy, Suspense } from 'react';
import { NavLink, Navigate, Route, Routes } from 'react-router-dom';
import { Spin } from 'antd';
import { useAuth } from '../auth/auth';
import { useI18n } from '../i18n/i18n';
import CasesPage from './CasesPage';
import CourtLotsPage from './CourtLotsPage';
import LotDraftPage from './LotDraftPage';
import MonitorPage from './MonitorPage';

const ValuationsPage = lazy(() => import('./valuation/ValuationsPage'));
const ValuationPage = lazy(() => import('./valuation/ValuationPage'));

export default function CourtConsole() {
  const { t } = useI18n();
  const { session, me, loadingMe, hasRole } = useAuth();
  if (!session) return <Navigate to="/login?next=/court" replace />;
  if (loadingMe || !me) return <Spin className="page-spin" />;
  if (!hasRole('court_clerk')) return <p>{t('court.notClerk')}</p>;
  return (
    <>
      <h1 className="page-title">{t('court.title')}</h1>
      <nav aria-label={t('court.title')} className="console-nav site-nav">
        <NavLink to="/court" end>
          {t('court.lots')}
        </NavLink>
        <NavLink to="/court/monitor">{t('court.monitor')}</NavLink>
        <NavLink to="/court/cases">{t('court.cases')}</NavLink>
        <NavLink to="/court/lots/new">{t('court.newLot')}</NavLink>
        <NavLink to="/court/valuations">{t('court.valuations')}</NavLink>
      </nav>
      <Suspense fallback={<Spin className="page-spin" />}>
        <Routes>
          <Route index element={<CourtLotsPage />} />
          <Route path="monitor" element={<MonitorPage />} />
          <Route path="cases" element={<CasesPage />} />
          <Route path="lots/new" element={<LotDraftPage />} />
          <Route path="lots/:id" element={<LotDraftPage />} />
          <Route path="valuations" element={<ValuationsPage />} />
          <Route path="valuations/:id" element={<ValuationPage />} />
        </Routes>
      </Suspense>
    </>
  );
}
