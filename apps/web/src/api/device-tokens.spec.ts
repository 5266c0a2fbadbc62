import { deviceTokenFor, rememberDeviceToken } from './device-tokens';

beforeEach(() => localStorage.clear());

describe('device tokens of this browser', () => {
  it('keeps one token per account e-mail, whatever its case and spaces, and replaces it on the next login', () => {
    expect(deviceTokenFor('a@x.cn')).toBeUndefined();
    rememberDeviceToken(' A@X.cn ', 'd1.first');
    expect(deviceTokenFor('a@x.cn')).toBe('d1.first');
    rememberDeviceToken('a@x.cn', 'd1.second');
    expect(deviceTokenFor('A@x.CN')).toBe('d1.second');
    rememberDeviceToken('a@x.cn', undefined); // a response without one changes nothing
    expect(deviceTokenFor('a@x.cn')).toBe('d1.second');
  });

  it('remembers the five most recent accounts only, and survives a corrupt entry', () => {
    for (let i = 1; i <= 6; i++) rememberDeviceToken(`u${i}@x.cn`, `d1.${i}`);
    expect(deviceTokenFor('u1@x.cn')).toBeUndefined();
    expect(deviceTokenFor('u6@x.cn')).toBe('d1.6');
    expect(deviceTokenFor('u2@x.cn')).toBe('d1.2');
    localStorage.setItem('fapai.devices', 'not json');
    expect(deviceTokenFor('u6@x.cn')).toBeUndefined();
    rememberDeviceToken('u7@x.cn', 'd1.7');
    expect(deviceTokenFor('u7@x.cn')).toBe('d1.7');
  });
});
