import { describe, expect, it } from 'vitest';
import { order, part } from '../testing/fixtures';
import { percentOf, tipBase, tipPreview } from './tips';

describe('percentOf', () => {
  it.each([
    [1565, 1000, 157], // 156.5 rounds half up
    [1565, 500, 78], // 78.25 rounds down
    [1000, 1250, 125],
    [333, 1500, 50], // 49.95
    [0, 2000, 0],
    [1, 5000, 1], // 0.5 rounds up
    [1, 4999, 0],
    [4163, 10000, 4163],
  ])('%i × %i bp = %i', (base, rate, tip) => {
    expect(percentOf(base, rate)).toBe(tip);
  });

  it('stays exact far beyond what a float holds', () => {
    // 9,007,199,254,740,991 × 20 % = 1,801,439,850,948,198.2 → …198; a float product would be off.
    expect(percentOf(Number.MAX_SAFE_INTEGER, 2000)).toBe(1801439850948198);
  });

  it('refuses fractions and negatives', () => {
    expect(() => percentOf(10.5, 1000)).toThrow(RangeError);
    expect(() => percentOf(-1, 1000)).toThrow(RangeError);
    expect(() => percentOf(100, 12.5)).toThrow(RangeError);
  });
});

describe('tipBase', () => {
  const o = order({
    totals: { ...order().totals, subtotal: 5000, after_discounts: 4500, service_charge: 563, total: 5063 },
  });

  it('is the bill after discounts, never the service charge', () => {
    expect(tipBase(o, null, 'after_discounts', 5063)).toBe(4500);
    expect(tipBase(o, null, 'before_discounts', 5063)).toBe(5000);
  });

  it('takes the share of the base a part payment covers, rounded half up', () => {
    // 4500 × 1000 / 5063 = 888.8 → 889; the rest, 4063: 4500 × 4063 / 5063 = 3611.2 → 3611.
    expect(tipBase(o, null, 'after_discounts', 1000)).toBe(889);
    expect(tipBase(o, null, 'after_discounts', 4063)).toBe(3611);
    // 3583 of food in a bill of 3583… paid 1000 of it: 3185 × 1000 / 3583 = 888.92 → 889, as the core.
    const c = order({ totals: { ...order().totals, after_discounts: 3185, total: 3583 } });
    expect(tipBase(c, null, 'after_discounts', 1000)).toBe(889);
  });

  it('is the part’s own food and drink when a part is paid', () => {
    const p = part(2, { gross: 1700, discount: 135, service_charge: 196, total: 1761 });
    expect(tipBase(o, p, 'after_discounts', 1761)).toBe(1565);
    expect(tipBase(o, p, 'before_discounts', 1761)).toBe(1700);
    // Half the part: 1565 × 880 / 1761 = 782.06 → 782.
    expect(tipBase(o, p, 'after_discounts', 880)).toBe(782);
  });
});

describe('tipPreview', () => {
  it('previews each kind of choice', () => {
    expect(tipPreview({ type: 'none' }, 1565)).toBe(0);
    expect(tipPreview({ type: 'percent', rate_bp: 1000 }, 1565)).toBe(157);
    expect(tipPreview({ type: 'amount', amount: 250 }, 1565)).toBe(250);
  });
});
