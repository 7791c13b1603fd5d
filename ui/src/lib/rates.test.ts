import { describe, expect, it } from 'vitest';
import { formatRate } from './rates';

describe('formatRate', () => {
  it.each([
    [0, '0%'],
    [5, '0.05%'],
    [50, '0.5%'],
    [1000, '10%'],
    [1250, '12.5%'],
    [1275, '12.75%'],
    [2000, '20%'],
    [10000, '100%'],
    [-250, '-2.5%'],
  ])('formats %i bp as %s', (bp, want) => {
    expect(formatRate(bp)).toBe(want);
  });

  it('refuses fractional basis points', () => {
    expect(() => formatRate(12.5)).toThrow(RangeError);
  });
});
