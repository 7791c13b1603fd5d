import { describe, expect, it } from 'vitest';
import {
  EMPTY_ENTRY,
  entryToMinor,
  formatDelta,
  formatMoney,
  minorToEntry,
  presetEntry,
  pressEntry,
  pressKey,
  type KeypadKey,
} from './money';

describe('formatMoney', () => {
  // The same table as the Rust core's `formats_en_gb` test, so both sides stay in step.
  it.each([
    [0, '£0.00'],
    [5, '£0.05'],
    [99, '£0.99'],
    [100, '£1.00'],
    [123450, '£1,234.50'],
    [-300, '-£3.00'],
    [-1, '-£0.01'],
    [100_000, '£1,000.00'],
    [99_999, '£999.99'],
    [100_000_000, '£1,000,000.00'],
    [-123_456_789, '-£1,234,567.89'],
    [Number.MAX_SAFE_INTEGER, '£90,071,992,547,409.91'],
  ])('formats %i pence as %s', (minor, want) => {
    expect(formatMoney(minor)).toBe(want);
  });

  it('formats i64 extremes exactly as BigInt', () => {
    expect(formatMoney(-9223372036854775808n)).toBe('-£92,233,720,368,547,758.08');
    expect(formatMoney(9223372036854775807n)).toBe('£92,233,720,368,547,758.07');
  });

  it('formats euros and dollars', () => {
    expect(formatMoney(123450, 'EUR')).toBe('€1,234.50');
    expect(formatMoney(-1, 'EUR')).toBe('-€0.01');
    expect(formatMoney(100000, 'USD')).toBe('US$1,000.00');
  });

  it('refuses non-integers instead of rounding them', () => {
    expect(() => formatMoney(12.5)).toThrow(RangeError);
    expect(() => formatMoney(Number.NaN)).toThrow(RangeError);
    expect(() => formatMoney(2 ** 60)).toThrow(RangeError);
  });

  it('formats price deltas with a sign', () => {
    expect(formatDelta(150)).toBe('+£1.50');
    expect(formatDelta(-50)).toBe('-£0.50');
    expect(formatDelta(0)).toBe('');
  });
});

describe('the amount keypad', () => {
  const press = (...keys: KeypadKey[]) => keys.reduce((digits, key) => pressKey(digits, key), '');

  it('shifts digits in from the right like a cash register', () => {
    expect(entryToMinor(press('1', '2', '5', '0'))).toBe(1250);
    expect(formatMoney(entryToMinor(press('5')))).toBe('£0.05');
    expect(entryToMinor(press('2', '00'))).toBe(200);
  });

  it('ignores leading zeros', () => {
    expect(press('0', '0', '00')).toBe('');
    expect(press('0', '7')).toBe('7');
  });

  it('deletes and clears', () => {
    expect(press('1', '2', '3', 'back')).toBe('12');
    expect(press('back')).toBe('');
    expect(press('9', '9', 'clear')).toBe('');
  });

  it('stops at the digit limit instead of overflowing', () => {
    const full = press('9', '9', '9', '9', '9', '9', '9', '9');
    expect(entryToMinor(full)).toBe(99_999_999);
    expect(pressKey(full, '1')).toBe(full);
    expect(pressKey('9999999', '00')).toBe('9999999');
    expect(pressKey('12', '3', 2)).toBe('12');
  });

  it('reads the empty entry as zero and refuses anything but digits', () => {
    expect(entryToMinor('')).toBe(0);
    expect(() => entryToMinor('12.50')).toThrow(RangeError);
  });

  it('turns amounts back into entries', () => {
    expect(minorToEntry(2000)).toBe('2000');
    expect(minorToEntry(0)).toBe('');
    expect(entryToMinor(minorToEntry(4348))).toBe(4348);
    expect(() => minorToEntry(-1)).toThrow(RangeError);
    expect(() => minorToEntry(0.5)).toThrow(RangeError);
  });
});

describe('entries filled by a button', () => {
  it('replaces a preset amount with the next digit', () => {
    const after = pressEntry(presetEntry(2000), '5');
    expect(after).toEqual({ digits: '5', replaceNext: false });
    expect(pressEntry(after, '0').digits).toBe('50');
  });

  it('lets Backspace edit a preset amount', () => {
    expect(pressEntry(presetEntry(2000), 'back')).toEqual({ digits: '200', replaceNext: false });
  });

  it('extends an entry typed by hand', () => {
    const typed = ['1', '2'].reduce((e, k) => pressEntry(e, k as KeypadKey), EMPTY_ENTRY);
    expect(entryToMinor(typed.digits)).toBe(12);
  });

  it('keeps the digit limit', () => {
    expect(pressEntry({ digits: '12345', replaceNext: false }, '6', 5).digits).toBe('12345');
  });
});
