import { fenToYuanInput, yuanOrDash, yuanToFen } from './money';
import { beijingInputToIso, formatDateTime, isoToBeijingInput } from './time';

describe('money input', () => {
  it('parses yuan to fen exactly', () => {
    expect(yuanToFen('0.29')).toBe(29);
    expect(yuanToFen('12,345.6')).toBe(1_234_560);
    expect(yuanToFen('¥100')).toBe(10_000);
    expect(yuanToFen('1.234')).toBeNull();
    expect(yuanToFen('-1')).toBeNull();
    expect(yuanToFen('')).toBeNull();
  });
  it('prints fen for inputs and display', () => {
    expect(fenToYuanInput(123_456)).toBe('1234.56');
    expect(fenToYuanInput(100)).toBe('1');
    expect(fenToYuanInput(105)).toBe('1.05');
    expect(yuanOrDash(null)).toBe('—');
    expect(yuanOrDash(24_500_000)).toBe('¥245,000.00');
  });
});

describe('Beijing time', () => {
  it('reads datetime-local as Asia/Shanghai wall time', () => {
    expect(beijingInputToIso('2026-11-27T16:05')).toBe('2026-11-27T08:05:00.000Z');
    expect(isoToBeijingInput('2026-11-27T08:05:00.000Z')).toBe('2026-11-27T16:05:00');
    expect(beijingInputToIso('nonsense')).toBeNull();
  });
  it('formats in Asia/Shanghai whatever the device zone', () => {
    expect(formatDateTime('2026-11-27T16:30:00.000Z', 'zh')).toContain('2026/11/28 00:30');
    expect(formatDateTime(null, 'en')).toBe('—');
  });
});
