import { Link } from 'react-router-dom';
import { useI18n } from '../i18n/i18n';

export default function NotFoundPage() {
  const { t } = useI18n();
  return (
    <>
      <h1 className="page-title">{t('common.notFound')}</h1>
      <Link to="/">{t('common.home')}</Link>
    </>
  );
}
