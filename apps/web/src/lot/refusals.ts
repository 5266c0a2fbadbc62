/** Refusal codes in plain words (zh / en); an unknown code shows the server's message. */
import type { Translate } from '../i18n/i18n';
import { zh, type MessageKey } from '../i18n/messages';
import { ApiError, NetworkError } from '../api/client';

export function refusalText(t: Translate, error: unknown): string {
  if (error instanceof NetworkError) return t('refusal.NETWORK');
  if (error instanceof ApiError) {
    const key = `refusal.${error.code}`;
    if (key in zh) return t(key as MessageKey);
    if (error.status === 429) return t('refusal.RATE_LIMITED');
    return t('refusal.UNKNOWN', { message: error.message });
  }
  return t('refusal.UNKNOWN', { message: error instanceof Error ? error.message : String(error) });
}

/** Any API error as one line for forms: the code's words when we have them, else the server's message. */
export function errorText(t: Translate, error: unknown): string {
  if (error instanceof ApiError) {
    const key = `refusal.${error.code}`;
    return key in zh ? t(key as MessageKey) : error.message;
  }
  if (error instanceof NetworkError) return t('refusal.NETWORK');
  return error instanceof Error ? error.message : String(error);
}
