/**
 * Money on screen. Amounts stay integer fen everywhere; the formatting and the capital numerals come
 * from @fapai/domain so the page shows exactly what the API and the court documents say.
 */
import { formatYuan, toChineseCapital } from '@fapai/domain';

export { formatYuan, toChineseCapital };

/** "¥1,234.56", or a dash when the amount is not set yet (a draft, no bid). */
export function yuanOrDash(fen: number | null | undefined): string {
  return fen === null || fen === undefined ? '—' : formatYuan(fen);
}

/**
 * Parses what a clerk types in yuan ("12,345.6", "¥100") into fen without floating point, so 0.29 yuan
 * is 29 fen and never 28.999…. Null for anything that is not a non-negative amount with ≤ 2 decimals.
 */
export function yuanToFen(input: string): number | null {
  const cleaned = input.trim().replace(/^¥/, '').replace(/[,，\s]/g, '');
  const match = /^(\d+)(?:\.(\d{0,2}))?$/.exec(cleaned);
  if (!match) return null;
  const whole = Number(match[1]);
  const cents = Number((match[2] ?? '').padEnd(2, '0'));
  const fen = whole * 100 + cents;
  return Number.isSafeInteger(fen) ? fen : null;
}

/** Fen as a plain yuan string for an input field: 123456 → "1234.56", 100 → "1". */
export function fenToYuanInput(fen: number | null | undefined): string {
  if (fen === null || fen === undefined) return '';
  const cents = fen % 100;
  const yuan = (fen - cents) / 100;
  return cents === 0 ? String(yuan) : `${yuan}.${String(cents).padStart(2, '0')}`;
}
