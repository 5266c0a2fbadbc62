/**
 * Refusals kept as data and worded at render time. A screen stores what was refused — a message of our own
 * (a check made in the browser) or the error a request threw — never the sentence: the sentence is made
 * from it at each render, so a language switch re-words a refusal already on screen. This is the one way
 * every form words its refusals (the bid panel included).
 *
 * Refusal codes get plain words (zh / en). An unknown code is named by its code, never by the server's
 * message: that is English, and an English sentence in the Chinese UI is what users could not read.
 */
import type { Translate } from './i18n';
import { zh, type MessageKey } from './messages';
import { ApiError, NetworkError } from '../api/client';

export type MessageVars = Record<string, string | number>;

/** A message of our dictionary as data: its key and the values of its placeholders. */
export interface Message {
  key: MessageKey;
  vars?: MessageVars;
}

/** What a screen keeps when something is refused: its own check (a message) or the error a request threw. */
export type Refusal = Message | { error: unknown };

/**
 * Where the refusal is shown. A bid's words tell the bidder whether the bid may have arrived and to look at
 * the bid record (a retry reuses the Idempotency-Key, so it never bids twice); every other form's words
 * are neutral.
 */
export type RefusalScope = 'form' | 'bid';

export interface RefusalOptions {
  scope?: RefusalScope;
  /**
   * Add the article and the failed condition the API names (`details.article`, `details.condition`): the
   * clerk's and the appraiser's acts, where the statutory ground is what tells them what to do next.
   */
  grounds?: boolean;
}

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

function codeText(t: Translate, error: unknown, scope: RefusalScope): string {
  if (error instanceof NetworkError) return t(scope === 'bid' ? 'refusal.BID_NETWORK' : 'refusal.NETWORK');
  const unknown = scope === 'bid' ? 'refusal.UNKNOWN' : 'refusal.OTHER';
  if (error instanceof ApiError) {
    const fields = invalidFieldsText(t, error);
    if (fields) return fields;
    // A locked account says how long: the lock is 15 minutes from the fifth failure, not "a while".
    const retryAfter = (error.details as { retryAfterSeconds?: unknown } | undefined)?.retryAfterSeconds;
    if (error.code === 'ACCOUNT_LOCKED' && typeof retryAfter === 'number' && retryAfter > 0) return t('refusal.ACCOUNT_LOCKED_FOR', { minutes: Math.ceil(retryAfter / 60) });
    const key = `refusal.${error.code}`;
    if (key in zh) return t(key as MessageKey);
    if (error.status === 429) return t('refusal.RATE_LIMITED');
    return t(unknown, { code: error.code });
  }
  // Not an answer of the API (a bug of ours): named by its kind, its message is English and means nothing to users.
  return t(unknown, { code: error instanceof Error ? error.name : String(error) });
}

function groundsOf(t: Translate, error: unknown): string[] {
  if (!(error instanceof ApiError) || !error.details) return [];
  const d = error.details as Record<string, unknown>;
  const parts: string[] = [];
  if (typeof d.article === 'string') parts.push(t('appraiser.refusalArticle', { article: d.article }));
  if (typeof d.condition === 'string') parts.push(t('appraiser.refusalCondition', { condition: d.condition.replace(/_/g, ' ') }));
  return parts;
}

/** Any error a request threw, as one line in the reader's language. */
export function errorText(t: Translate, error: unknown, options: RefusalOptions = {}): string {
  const text = codeText(t, error, options.scope ?? 'form');
  return options.grounds ? [text, ...groundsOf(t, error)].join(t('common.comma')) : text;
}

/** A refusal kept as data, in the reader's language (call it while rendering). */
export function refusalText(t: Translate, refusal: Refusal, options: RefusalOptions = {}): string {
  return 'key' in refusal ? t(refusal.key, refusal.vars) : errorText(t, refusal.error, options);
}

/** The part of Stripe.js's `StripeError` (`confirmPayment`, `handleNextAction`) that says what happened. */
export interface StripeErrorData {
  type?: string;
  code?: string;
  message?: string;
}

/**
 * An error of Stripe.js, kept as data like the API's and worded at render. A declined card gets our words,
 * in the reader's language of the moment. Any other error keeps Stripe's own message: Stripe words it in the
 * Elements locale (the reader's language when it happened) and names nothing we could word better; without
 * a message, our fallback.
 */
export function stripeErrorText(t: Translate, error: StripeErrorData, words: { declined: MessageKey; fallback: MessageKey }): string {
  if (error.code === 'card_declined') return t(words.declined);
  return error.message || t(words.fallback);
}
