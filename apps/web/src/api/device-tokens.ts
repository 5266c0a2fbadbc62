/**
 * This browser's device tokens, one per account e-mail that signed in here (the API's
 * `accounts/device-token.ts`): sent with the next login to that account, so that a lock put on the account by
 * failed logins from elsewhere does not keep its owner out on a browser they have used before. Kept in
 * localStorage beyond logout (a device token is not a session: it still needs the password), the most recent
 * MAX_ACCOUNTS accounts only.
 */
const KEY = 'fapai.devices';
const MAX_ACCOUNTS = 5;

type Stored = Record<string, string>;

function read(): Stored {
  try {
    const value: unknown = JSON.parse(localStorage.getItem(KEY) ?? '{}');
    return value && typeof value === 'object' && !Array.isArray(value) ? (value as Stored) : {};
  } catch {
    return {};
  }
}

const accountOf = (email: string): string => email.trim().toLowerCase();

export function deviceTokenFor(email: string): string | undefined {
  const token = read()[accountOf(email)];
  return typeof token === 'string' ? token : undefined;
}

export function rememberDeviceToken(email: string, token: string | undefined): void {
  if (!token) return;
  const account = accountOf(email);
  // Most recent last; the oldest accounts beyond MAX_ACCOUNTS are forgotten.
  const entries = Object.entries(read()).filter(([a]) => a !== account);
  entries.push([account, token]);
  try {
    localStorage.setItem(KEY, JSON.stringify(Object.fromEntries(entries.slice(-MAX_ACCOUNTS))));
  } catch {
    // storage full or disabled: the login still works, only without the device's own failure budget
  }
}
