/** A value the API sends (a status, a kind) in words when the dictionary has `${prefix}${value}`, else as sent. */
import type { Translate } from './i18n';
import { zh, type MessageKey } from './messages';

export function knownText(t: Translate, prefix: string, value: string | null | undefined): string {
  if (value === null || value === undefined || value === '') return '—';
  const key = `${prefix}${value}`;
  return key in zh ? t(key as MessageKey) : value;
}
