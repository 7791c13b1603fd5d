import { describe, expect, it } from 'vitest';
import { customTip } from './tips';

describe('customTip', () => {
  it('turns whole percent into basis points, up to 100 %', () => {
    expect(customTip('percent', 15)).toEqual({ type: 'percent', rate_bp: 1500 });
    expect(customTip('percent', 100)).toEqual({ type: 'percent', rate_bp: 10000 });
    expect(customTip('percent', 101)).toBeNull();
  });

  it('takes an amount in pence as it is', () => {
    expect(customTip('amount', 100)).toEqual({ type: 'amount', amount: 100 });
  });

  it('makes no choice of nothing', () => {
    expect(customTip('percent', 0)).toBeNull();
    expect(customTip('amount', 0)).toBeNull();
    expect(customTip('amount', 1.5)).toBeNull();
  });
});
