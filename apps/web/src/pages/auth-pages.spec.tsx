import { fireEvent, screen, waitFor } from '@testing-library/react';
import { mockRoutes, renderWithApp } from '../test/render';
import LoginPage from './LoginPage';
import RegisterPage from './RegisterPage';

describe('login and registration refusals', () => {
  it('re-words a refused login when the language changes', async () => {
    mockRoutes({ 'POST /api/auth/login': { status: 401, body: { statusCode: 401, code: 'INVALID_CREDENTIALS', message: 'invalid credentials' } } });
    const view = renderWithApp(<LoginPage />);
    fireEvent.change(screen.getByLabelText('电子邮箱'), { target: { value: 'a@test.local' } });
    fireEvent.change(screen.getByLabelText('密码'), { target: { value: 'wrong-password' } });
    fireEvent.click(screen.getByTestId('login-submit'));
    expect(await screen.findByRole('alert')).toHaveTextContent('电子邮箱或密码不正确。');
    view.setLang('en');
    expect(screen.getByRole('alert')).toHaveTextContent('The email or the password is wrong.');
  });

  it('re-words the form’s own checks already shown when the language changes, and leaves a field put right alone', async () => {
    const view = renderWithApp(<LoginPage />);
    fireEvent.click(screen.getByTestId('login-submit'));
    await waitFor(() => expect(screen.getAllByText('请填写此项')).toHaveLength(2));
    fireEvent.change(screen.getByLabelText('密码'), { target: { value: 'typed-now' } });
    await waitFor(() => expect(screen.getAllByText('请填写此项')).toHaveLength(1));
    view.setLang('en');
    await waitFor(() => expect(screen.getAllByText('Required')).toHaveLength(1));
    expect(screen.queryByText('请填写此项')).toBeNull();
  });

  it("sends the device token of this browser's last login to the account, and keeps the one the login returns", async () => {
    localStorage.setItem('fapai.devices', JSON.stringify({ 'a@test.local': 'd1.before' }));
    const calls = mockRoutes({
      'POST /api/auth/login': { status: 200, body: { accessToken: 'access', refreshToken: 'refresh', expiresIn: 900, deviceToken: 'd1.after', user: { id: 'u1', roles: ['bidder'] } } },
      'GET /api/me': { status: 200, body: { id: 'u1', email: 'a@test.local', displayName: 'A', roles: ['bidder'] } },
    });
    renderWithApp(<LoginPage />);
    fireEvent.change(screen.getByLabelText('电子邮箱'), { target: { value: 'A@test.local' } });
    fireEvent.change(screen.getByLabelText('密码'), { target: { value: 'right-password' } });
    fireEvent.click(screen.getByTestId('login-submit'));
    await waitFor(() => expect(JSON.parse(localStorage.getItem('fapai.devices') ?? '{}')).toEqual({ 'a@test.local': 'd1.after' }));
    const login = calls.find((c) => c.url.endsWith('/api/auth/login'));
    expect(JSON.parse(String(login?.init?.body))).toEqual({ email: 'A@test.local', password: 'right-password', deviceToken: 'd1.before' });
    localStorage.clear();
  });

  it('names the fields of a validation refusal, in the new language after a switch', async () => {
    mockRoutes({
      'POST /api/auth/register': {
        status: 400,
        body: { statusCode: 400, code: 'VALIDATION_FAILED', message: 'displayName too long', details: { fields: [{ field: 'displayName', rules: { maxLength: 'displayName must be shorter' } }] } },
      },
    });
    const view = renderWithApp(<RegisterPage />, { lang: 'en' });
    fireEvent.change(screen.getByLabelText('Email'), { target: { value: 'a@test.local' } });
    fireEvent.change(screen.getByLabelText('Display name'), { target: { value: 'A' } });
    fireEvent.change(screen.getByLabelText('Password'), { target: { value: 'long-enough-password' } });
    fireEvent.click(screen.getByTestId('register-submit'));
    expect(await screen.findByRole('alert')).toHaveTextContent('Some input is not valid; check: displayName');
    view.setLang('zh');
    expect(screen.getByRole('alert')).toHaveTextContent('以下输入有误，请检查后重试：displayName');
  });
});
