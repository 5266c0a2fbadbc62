import { Alert, Button, Form, Input } from 'antd';
import { useState } from 'react';
import { Link, useNavigate, useSearchParams } from 'react-router-dom';
import { endpoints } from '../api/endpoints';
import { useI18n } from '../i18n/i18n';
import { refusalText, type Refusal } from '../i18n/refusal';
import { RuleErrorsInLanguage } from '../i18n/field-errors';

interface Values {
  email: string;
  password: string;
  displayName: string;
}

export default function RegisterPage() {
  const { t } = useI18n();
  const navigate = useNavigate();
  const [params] = useSearchParams();
  // The error itself, rendered at each render, so a language switch re-words it.
  const [error, setError] = useState<Refusal | null>(null);
  const [pending, setPending] = useState(false);
  const onFinish = async (v: Values) => {
    setPending(true);
    setError(null);
    try {
      await endpoints.register({ email: v.email.trim(), password: v.password, displayName: v.displayName.trim() });
      const next = params.get('next');
      void navigate(`/login?registered=1${next ? `&next=${encodeURIComponent(next)}` : ''}`);
    } catch (e) {
      setError({ error: e });
    } finally {
      setPending(false);
    }
  };
  return (
    <div className="panel" style={{ maxWidth: 420, margin: '24px auto' }}>
      <h1 className="page-title">{t('auth.registerTitle')}</h1>
      {error && <Alert type="error" showIcon title={refusalText(t, error)} style={{ marginBottom: 16 }} role="alert" />}
      <Form layout="vertical" onFinish={(v: Values) => void onFinish(v)} requiredMark={false}>
        <RuleErrorsInLanguage />
        <Form.Item label={t('auth.email')} name="email" rules={[{ required: true, message: t('auth.required') }, { type: 'email', message: t('auth.email') }]}>
          <Input type="email" autoComplete="email" />
        </Form.Item>
        <Form.Item label={t('auth.displayName')} name="displayName" rules={[{ required: true, message: t('auth.required') }]}>
          <Input autoComplete="nickname" />
        </Form.Item>
        <Form.Item label={t('auth.password')} name="password" extra={t('auth.passwordHint')} rules={[{ required: true, min: 10, message: t('auth.passwordHint') }]}>
          <Input.Password autoComplete="new-password" />
        </Form.Item>
        <Button type="primary" htmlType="submit" block loading={pending} data-testid="register-submit">
          {t('auth.register')}
        </Button>
      </Form>
      <p style={{ marginTop: 16 }}>
        <Link to="/login">{t('auth.haveAccount')}</Link>
      </p>
    </div>
  );
}
