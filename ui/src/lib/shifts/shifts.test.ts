import { describe, expect, it } from 'vitest';
import {
  cleanCount,
  countTotal,
  DENOMINATIONS,
  denominationName,
  hoursOfDay,
  MAX_PIECES,
  overShort,
  setPieces,
} from './shifts';

describe('a drawer count', () => {
  it('names notes in pounds and coins in pence', () => {
    expect(DENOMINATIONS.map(denominationName)).toEqual([
      '£50',
      '£20',
      '£10',
      '£5',
      '£2',
      '£1',
      '50p',
      '20p',
      '10p',
      '5p',
      '2p',
      '1p',
    ]);
  });

  it('adds up to the penny and leaves zeros out', () => {
    const count = { '5000': 2, '2000': 1, '100': 14, '1': 3, '20': 0 };
    expect(countTotal(count)).toBe(13_403);
    expect(cleanCount(count)).toEqual({ '5000': 2, '2000': 1, '100': 14, '1': 3 });
    expect(countTotal({})).toBe(0);
  });

  it('takes whole numbers only, up to the most the core accepts', () => {
    let count = setPieces({}, 500, '4');
    expect(count).toEqual({ '500': 4 });
    for (const bad of ['-1', '1.5', 'x', '1e3', String(MAX_PIECES + 1)]) {
      expect(setPieces(count, 500, bad)).toBe(count);
    }
    count = setPieces(count, 500, '');
    expect(count).toEqual({ '500': 0 });
  });

  it('says over, short or exact', () => {
    expect(overShort(12_390, 12_400)).toEqual({ amount: -10, word: 'short' });
    expect(overShort(12_405, 12_400)).toEqual({ amount: 5, word: 'over' });
    expect(overShort(100, 100)).toEqual({ amount: 0, word: 'exact' });
  });

  it('lays sales out over the 24 hours', () => {
    const hours = hoursOfDay([
      { hour: 19, orders: 2, total: 3_195 },
      { hour: 0, orders: 1, total: 400 },
    ]);
    expect(hours).toHaveLength(24);
    expect(hours[19]).toBe(3_195);
    expect(hours[0]).toBe(400);
    expect(hours.reduce((a, b) => a + b, 0)).toBe(3_595);
  });
});

describe('pounds typed', () => {
  it('read as whole pence', async () => {
    const { parsePounds } = await import('./shifts');
    expect(parsePounds('12')).toBe(1200);
    expect(parsePounds('12.5')).toBe(1250);
    expect(parsePounds(' £12.05 ')).toBe(1205);
    for (const bad of ['', '0', '0.00', '-1', '1.234', 'abc', '1,000', '123456']) {
      expect(parsePounds(bad)).toBeNull();
    }
  });
});

describe('shift times typed', () => {
  it('go to and from the datetime-local form', async () => {
    const { fromLocalInput, toLocalInput } = await import('./shifts');
    const ms = new Date(2026, 10, 28, 9, 5).getTime();
    expect(toLocalInput(ms)).toBe('2026-11-28T09:05');
    expect(fromLocalInput('2026-11-28T09:05')).toBe(ms);
    for (const bad of ['', '2026-11-28', '28/11/2026 09:05', '2026-13-40T99:99']) {
      expect(fromLocalInput(bad)).toBeNull();
    }
  });
});
