/**
 * Times are shown in China Standard Time whatever the device's zone: an auction's end is a legal fact in
 * Beijing time. Asia/Shanghai has had no daylight saving since 1991, so conversions of the clerk's
 * datetime-local inputs use a fixed +08:00.
 */
import type { Lang } from '../i18n/messages';

export const TIME_ZONE = 'Asia/Shanghai';
const OFFSET_MS = 8 * 3600_000;

const formatters = new Map<string, Intl.DateTimeFormat>();
function formatter(lang: Lang, withSeconds: boolean): Intl.DateTimeFormat {
  const key = `${lang}:${withSeconds}`;
  let f = formatters.get(key);
  if (!f) {
    f = new Intl.DateTimeFormat(lang === 'zh' ? 'zh-CN' : 'en-GB', {
      timeZone: TIME_ZONE,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      ...(withSeconds ? { second: '2-digit' } : {}),
      hourCycle: 'h23',
    });
    formatters.set(key, f);
  }
  return f;
}

/** "2026/11/27 16:05" (zh) or "27/11/2026, 16:05" (en), Beijing time; a dash for null. */
export function formatDateTime(iso: string | number | null | undefined, lang: Lang, withSeconds = false): string {
  if (iso === null || iso === undefined) return '—';
  const ms = typeof iso === 'number' ? iso : Date.parse(iso);
  if (!Number.isFinite(ms)) return '—';
  return formatter(lang, withSeconds).format(ms);
}

/** "HH:MM:SS" Beijing time, for the bid record. */
export function formatClock(iso: string, lang: Lang): string {
  return new Intl.DateTimeFormat(lang === 'zh' ? 'zh-CN' : 'en-GB', { timeZone: TIME_ZONE, hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' }).format(Date.parse(iso));
}

/** A datetime-local value ("2026-11-27T16:05") read as Beijing wall time → ISO UTC; null when empty/invalid. */
export function beijingInputToIso(value: string): string | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?$/.exec(value.trim());
  if (!m) return null;
  const [, y, mo, d, h, mi, s] = m;
  const utc = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s ?? 0)) - OFFSET_MS;
  return new Date(utc).toISOString();
}

/** ISO UTC → the datetime-local value in Beijing wall time, to seconds. */
export function isoToBeijingInput(iso: string | null | undefined): string {
  if (!iso) return '';
  const ms = Date.parse(iso);
  if (!Number.isFinite(ms)) return '';
  return new Date(ms + OFFSET_MS).toISOString().slice(0, 19);
}

/** "5 min", "3 s", "24 h" in the reader's language, for the rules text. */
export function describeDuration(ms: number, lang: Lang): string {
  const units: [number, string, string][] = [
    [86_400_000, '天', 'd'],
    [3_600_000, '小时', 'h'],
    [60_000, '分钟', 'min'],
    [1000, '秒', 's'],
  ];
  for (const [size, zhUnit, enUnit] of units) {
    if (ms >= size && ms % size === 0) return lang === 'zh' ? `${ms / size} ${zhUnit}` : `${ms / size} ${enUnit}`;
  }
  return `${ms} ms`;
}
