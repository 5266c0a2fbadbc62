import { Button } from 'antd';
import { Link, NavLink, useNavigate } from 'react-router-dom';
import { useAuth } from '../auth/auth';
import { useI18n } from '../i18n/i18n';

export function Header() {
  const { t, lang, setLang } = useI18n();
  const { session, me, hasRole, logout } = useAuth();
  const navigate = useNavigate();
  return (
    <>
      <a className="skip-link" href="#main">
        {t('app.skip')}
      </a>
      <header className="site-header">
        <Link to="/" className="brand">
          {t('app.name')}
        </Link>
        <nav aria-label={t('nav.main')} className="site-nav">
          <NavLink to="/" end>
            {t('nav.catalogue')}
          </NavLink>
          {hasRole('bidder') && <NavLink to="/account">{t('nav.account')}</NavLink>}
          {hasRole('court_clerk') && <NavLink to="/court">{t('nav.court')}</NavLink>}
          {hasRole('appraiser') && <NavLink to="/appraiser">{t('nav.appraiser')}</NavLink>}
        </nav>
        <div className="site-tools">
          <Button size="small" onClick={() => setLang(lang === 'zh' ? 'en' : 'zh')} lang={lang === 'zh' ? 'en' : 'zh-CN'}>
            {t('nav.language')}
          </Button>
          {session ? (
            <>
              <span className="who" data-testid="who">
                {me?.displayName ?? ''}
              </span>
              <Button
                size="small"
                onClick={() => {
                  // Leave the page first: a page that needs a session would otherwise redirect to the login.
                  void navigate('/');
                  void logout();
                }}
              >
                {t('nav.logout')}
              </Button>
            </>
          ) : (
            <>
              <Link to="/login">{t('nav.login')}</Link>
              <Link to="/register">{t('nav.register')}</Link>
            </>
          )}
        </div>
      </header>
    </>
  );
}
