import { Alert, Button, Form, Input } from 'antd';
import { useState } from 'react';
import { Link, useNavigate, useSearchParams } from 'react-router-dom';
import { useAuth } from '../auth/auth';
import { useI18n } from '../i18n/i18n';
import { refusalText, type Refusal } from '../i18n/refusal';
import { RuleErrorsInLanguage } from '../i18n/field-errors';

/** Only same-site paths are followed after login (no open redirect). */
function safeNext(next: string | null): string | null {
  return next && next.startsWith('/') && !next.startsWith('//') ? next : null;
}

export default function LoginPage() {
  const { t } = useI18n();
  const { login } = useAuth();
  const navigate = useNavigate();
  const [params] = useSearchParams();
  // The error itself, rendered at each render, so a language switch re-words it.
  const [error, setError] = useState<Refusal | null>(null);
  const [pending, setPending] = useState(false);
  const registered = params.get('registered') === '1';

  const onFinish = async (values: { email: string; password: string }) => {
    setPending(true);
    setError(null);
    try {
      const me = await login(values.email.trim(), values.password);
      const next = safeNext(params.get('next'));
      if (next) void navigate(next);
      else if (me.roles.includes('court_clerk')) void navigate('/court');
      else if (me.roles.includes('appraiser')) void navigate('/appraiser');
      else void navigate('/');
    } catch (e) {
      setError({ error: e });
    } finally {
      setPending(false);
    }
  };

  return (
    <div className="panel" style={{ maxWidth: 420, margin: '24px auto' }}>
      <h1 className="page-title">{t('auth.loginTitle')}</h1>
      {registered && <Alert type="success" showIcon title={t('auth.registered')} style={{ marginBottom: 16 }} />}
      {error && <Alert type="error" showIcon title={refusalText(t, error)} style={{ marginBottom: 16 }} role="alert" />}
      <Form layout="vertical" onFinish={(v: { email: string; password: string }) => void onFinish(v)} requiredMark={false}>
        <RuleErrorsInLanguage />
        <Form.Item label={t('auth.email')} name="email" rules={[{ required: true, message: t('auth.required') }]}>
          <Input type="email" autoComplete="username" />
        </Form.Item>
        <Form.Item label={t('auth.password')} name="password" rules={[{ required: true, message: t('auth.required') }]}>
          <Input.Password autoComplete="current-password" />
        </Form.Item>
        <Button type="primary" htmlType="submit" block loading={pending} data-testid="login-submit">
          {t('auth.login')}
        </Button>
      </Form>
      <p style={{ marginTop: 16 }}>
        <Link to={`/register${params.get('next') ? `?next=${encodeURIComponent(params.get('next')!)}` : ''}`}>{t('auth.noAccount')}</Link>
      </p>
    </div>
  );
}
