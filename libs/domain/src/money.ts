/**
 * Money (金额) is an integer number of fen (分, 1/100 yuan). Plain `number` holds every amount up to
 * Number.MAX_SAFE_INTEGER fen (≈ 90 万亿 yuan) exactly; every function here refuses anything else rather
 * than rounding silently.
 */

/** Basis points in a whole: 10 000 bp = 100 %. */
export const BP_WHOLE = 10_000;

export type Rounding = 'floor' | 'ceil';

/** True for a safe, non-negative integer: a valid amount of fen. */
export function isFen(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

/**
 * Throws a RangeError naming `field` unless `value` is a safe non-negative integer. For programming errors
 * and edge validation; rule checks return violations instead.
 */
export function assertFen(value: unknown, field: string): asserts value is number {
  if (!isFen(value)) {
    throw new RangeError(`${field} must be a non-negative safe integer of fen, got ${String(value)}`);
  }
}

/**
 * `amount × bp / 10 000`, rounded in the stated direction, exactly. The caller picks the direction that
 * keeps a rule on the safe side: a floor (70 % of the reference price, 5 % minimum deposit) rounds up, a
 * ceiling (20 % maximum deposit) rounds down.
 *
 * Computed as `q·bp + r·bp / 10 000` with `amount = q·10 000 + r`, so no intermediate leaves the safe range
 * as long as the result does not.
 */
export function percentOfBp(amount: number, bp: number, rounding: Rounding): number {
  assertFen(amount, 'amount');
  if (!Number.isSafeInteger(bp) || bp < 0) throw new RangeError(`bp must be a non-negative integer, got ${bp}`);
  const r = amount % BP_WHOLE;
  const q = (amount - r) / BP_WHOLE;
  const rest = r * bp; // < 10 000 · bp: exact
  const restRemainder = rest % BP_WHOLE;
  let restQuotient = (rest - restRemainder) / BP_WHOLE;
  if (rounding === 'ceil' && restRemainder > 0) restQuotient += 1;
  const result = q * bp + restQuotient;
  if (!Number.isSafeInteger(result)) throw new RangeError(`${amount} × ${bp} bp overflows safe integers`);
  return result;
}

/** `amount × bp / 10 000` rounded down (toward zero). */
export function percentOfBpFloor(amount: number, bp: number): number {
  return percentOfBp(amount, bp, 'floor');
}

/** `amount × bp / 10 000` rounded up. */
export function percentOfBpCeil(amount: number, bp: number): number {
  return percentOfBp(amount, bp, 'ceil');
}

/**
 * "¥1,234.56": yuan with thousands separators and always two decimals. A negative safe integer (a
 * difference, a refund) gets a leading minus: "-¥0.05".
 */
export function formatYuan(fen: number): string {
  if (!Number.isSafeInteger(fen)) throw new RangeError(`fen must be a safe integer, got ${fen}`);
  const sign = fen < 0 ? '-' : '';
  const abs = Math.abs(fen);
  const cents = abs % 100;
  const yuan = (abs - cents) / 100;
  const grouped = String(yuan).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return `${sign}¥${grouped}.${String(cents).padStart(2, '0')}`;
}

const DIGITS = ['零', '壹', '贰', '叁', '肆', '伍', '陆', '柒', '捌', '玖'] as const;
const SMALL_UNITS = ['', '拾', '佰', '仟'] as const;

function digit(d: number): string {
  return DIGITS[d] as string;
}

/** 1 ≤ n ≤ 9 999: one group of four digits, with one 零 for each run of inner zeros. */
function capitalGroup(n: number): string {
  let out = '';
  let zeroPending = false;
  for (let pos = 3; pos >= 0; pos--) {
    const d = Math.floor(n / 10 ** pos) % 10;
    if (d === 0) {
      if (out !== '') zeroPending = true;
      continue;
    }
    if (zeroPending) out += '零';
    zeroPending = false;
    out += digit(d) + SMALL_UNITS[pos];
  }
  return out;
}

/** n ≥ 1, integer yuan: groups of 万 and, recursively, 亿 (so 10¹² reads 壹万亿). */
function capitalInteger(n: number): string {
  if (n >= 1e8) {
    const low = n % 1e8;
    const high = (n - low) / 1e8;
    const head = capitalInteger(high) + '亿';
    if (low === 0) return head;
    // Zeros at the end of the 亿 part or the start of the rest form one run: one 零.
    return head + (high % 10 === 0 || low < 1e7 ? '零' : '') + capitalInteger(low);
  }
  if (n >= 1e4) {
    const low = n % 1e4;
    const high = (n - low) / 1e4;
    const head = capitalGroup(high) + '万';
    if (low === 0) return head;
    return head + (high % 10 === 0 || low < 1000 ? '零' : '') + capitalGroup(low);
  }
  return capitalGroup(n);
}

/**
 * Chinese capital numerals (大写金额) as written on cheques and court documents, following the writing rules
 * of the PBOC 支付结算办法 (附件《正确填写票据和结算凭证的基本规定》):
 * - "拾" always carries its digit: 10 yuan is 壹拾元整;
 * - every run of zeros between two non-zero digits is written as exactly one 零 (壹万零伍元整,
 *   壹亿零壹万元整), also when the run ends a 万 group (壹拾万零柒仟元) or sits at 元 before a non-zero 角
 *   (壹仟陆佰捌拾元零叁角贰分). The rules allow the 零 to be left out in those last two positions; we always
 *   write it, so that the rule is one sentence and the reading (十万零七千) is the spoken one;
 * - 角 zero and 分 non-zero: 零 after 元 (叁佰贰拾伍元零肆分);
 * - 整 after 元 when there are no 角/分; no 整 after 角 (allowed by the rules) or 分 (forbidden);
 * - zero: 零元整; below one yuan: 伍角, 伍分, 叁角贰分.
 */
export function toChineseCapital(fen: number): string {
  assertFen(fen, 'fen');
  const fenDigit = fen % 10;
  const jiao = ((fen - fenDigit) / 10) % 10;
  const yuan = (fen - fenDigit - jiao * 10) / 100;
  if (fen === 0) return '零元整';
  let out = '';
  if (yuan > 0) out = capitalInteger(yuan) + '元';
  if (jiao === 0 && fenDigit === 0) return out + '整';
  if (jiao > 0) {
    if (yuan > 0 && yuan % 10 === 0) out += '零';
    out += digit(jiao) + '角';
  }
  if (fenDigit > 0) {
    if (jiao === 0 && yuan > 0) out += '零';
    out += digit(fenDigit) + '分';
  }
  return out;
}
