/**
 * Refusal codes in plain words (zh / en). An unknown code is named by its code, never by the server's
 * message: that is English, and an English sentence in the Chinese UI is what users could not read.
 */
import type { Translate } from '../i18n/i18n';
import { zh, type MessageKey } from '../i18n/messages';
import { ApiError, NetworkError } from '../api/client';

/**
 * A 400 VALIDATION_FAILED names the fields at fault (`details.fields`): say which, so the user knows what to
 * fix (the rule texts themselves are the server's English).
 */
function invalidFieldsText(t: Translate, error: ApiError): string | null {
  const fields = (error.details as { fields?: { field?: unknown }[] } | undefined)?.fields;
  if (error.code !== 'VALIDATION_FAILED' || !Array.isArray(fields)) return null;
  const names = [...new Set(fields.map((f) => f.field).filter((f): f is string => typeof f === 'string' && f !== ''))];
  return names.length > 0 ? t('refusal.VALIDATION_FAILED_FIELDS', { fields: names.join(t('common.listSeparator')) }) : null;
}

export function refusalText(t: Translate, error: unknown): string {
  if (error instanceof NetworkError) return t('refusal.NETWORK');
  if (error instanceof ApiError) {
    const key = `refusal.${error.code}`;
    const fields = invalidFieldsText(t, error);
    if (fields) return fields;
    if (key in zh) return t(key as MessageKey);
    if (error.status === 429) return t('refusal.RATE_LIMITED');
    return t('refusal.UNKNOWN', { code: error.code });
  }
  return t('refusal.UNKNOWN', { code: error instanceof Error ? error.name : String(error) });
}

/** Any API error as one line for forms: the code's words when we have them, else a line naming the code. */
export function errorText(t: Translate, error: unknown): string {
  if (error instanceof ApiError) {
    const key = `refusal.${error.code}`;
    const fields = invalidFieldsText(t, error);
    if (fields) return fields;
    if (key in zh) return t(key as MessageKey);
    if (error.status === 429) return t('refusal.RATE_LIMITED');
    return t('refusal.OTHER', { code: error.code });
  }
  if (error instanceof NetworkError) return t('refusal.NETWORK');
  return error instanceof Error ? error.message : String(error);
}
