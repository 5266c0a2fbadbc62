/**
 * The appraiser portal (评估机构工作台), a lazy chunk. The valuation API (reference price: inquiries,
 * appraisals, objections) is not served yet, so the queue is a placeholder behind `useValuationQueue`,
 * the one place to wire the routes when they land.
 */
import { Navigate } from 'react-router-dom';
import { Spin } from 'antd';
import { useAuth } from '../auth/auth';
import { useI18n } from '../i18n/i18n';

interface ValuationTask {
  id: string;
  method: string;
  dueAt: string;
}

/** No valuation route exists yet: an empty, explicitly unavailable queue. */
export function useValuationQueue(): { available: boolean; tasks: ValuationTask[] } {
  return { available: false, tasks: [] };
}

export default function AppraiserPortal() {
  const { t } = useI18n();
  const { session, me, loadingMe, hasRole } = useAuth();
  const queue = useValuationQueue();
  if (!session) return <Navigate to="/login?next=/appraiser" replace />;
  if (loadingMe || !me) return <Spin className="page-spin" />;
  if (!hasRole('appraiser')) return <p>{t('appraiser.notAppraiser')}</p>;
  return (
    <>
      <h1 className="page-title">{t('appraiser.title')}</h1>
      <section className="panel" aria-labelledby="queue-title">
        <h2 id="queue-title">{t('appraiser.queue')}</h2>
        {!queue.available && <p data-testid="valuation-unavailable">{t('appraiser.notYet')}</p>}
        {queue.available && queue.tasks.length === 0 && <p className="muted">{t('appraiser.empty')}</p>}
      </section>
    </>
  );
}
