import { fireEvent, screen } from '@testing-library/react';
import type { MeView } from '@fapai/contracts';
import { setSession } from '../api/session';
import { mockRoutes, renderWithApp } from '../test/render';
import AccountPage from './AccountPage';

const me: MeView = { id: 'u1', email: 'b@test', displayName: 'B', roles: ['bidder'], courtId: null, agencyId: null, identityVerified: false, realName: null, idNumberMasked: null, phoneMasked: null };

beforeEach(() => setSession({ token: 't', userId: me.id, expiresAt: Date.now() + 600_000 }));
afterEach(() => setSession(null));

async function submitIdentity() {
  fireEvent.change(await screen.findByLabelText('真实姓名'), { target: { value: '赵六' } });
  fireEvent.change(screen.getByLabelText('居民身份证号码'), { target: { value: '110101199003077777' } });
  fireEvent.change(screen.getByLabelText('手机号码'), { target: { value: '13700137000' } });
  fireEvent.click(screen.getByTestId('identity-submit'));
}

describe('identity verification refusals', () => {
  it('re-words a refusal already shown when the language changes', async () => {
    mockRoutes({
      'GET /api/me': { status: 200, body: me },
      'GET /api/me/enrolments': { status: 200, body: [] },
      'POST /api/me/identity': { status: 400, body: { statusCode: 400, code: 'RESIDENT_ID_INVALID', message: 'checksum' } },
    });
    const view = renderWithApp(<AccountPage />);
    await submitIdentity();
    expect(await screen.findByTestId('identity-error')).toHaveTextContent('身份证号码格式不正确');
    view.setLang('en');
    expect(screen.getByTestId('identity-error')).toHaveTextContent('This is not a valid resident ID format');
  });

  it('says a lost connection without speaking of bids', async () => {
    mockRoutes({ 'GET /api/me': { status: 200, body: me }, 'GET /api/me/enrolments': { status: 200, body: [] }, 'POST /api/me/identity': 'network' });
    const view = renderWithApp(<AccountPage />);
    await submitIdentity();
    expect(await screen.findByTestId('identity-error')).toHaveTextContent('网络连接失败，请检查网络后重试。');
    view.setLang('en');
    expect(screen.getByTestId('identity-error')).toHaveTextContent('Could not reach the server; check your connection and try again.');
    expect(screen.getByTestId('identity-error')).not.toHaveTextContent(/bid/i);
  });
});
