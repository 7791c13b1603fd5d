import { describe, expect, it } from 'vitest';
import type { PaymentStatus, RefundView } from '../bindings';
import { line, order } from '../testing/fixtures';
import { refundableQuantities, refundLines, refundedQuantities } from './refunds';

function refund(status: PaymentStatus, lines: [number, number][]): RefundView {
  return {
    id: `r-${status}`,
    payment: 'p1',
    tender: 'card',
    status,
    amount: 0,
    lines: lines.map(([l, quantity]) => ({ line: l, quantity, amount: 0 })),
    reason: 'cold',
    staff: 'sam',
    approved_by: 'priya',
    at: 0,
  };
}

describe('refundable quantities', () => {
  it('counts refunds that succeeded or are in progress, not failed ones', () => {
    const o = order({
      lines: [line(1, 3), line(2, 1), { ...line(3, 2), void: { reason: 'x', by: 'sam', at: 0 } }],
      refunds: [refund('succeeded', [[1, 1]]), refund('pending', [[1, 1]]), refund('failed', [[2, 1]])],
    });
    expect(refundedQuantities(o)).toEqual(new Map([[1, 2]]));
    expect(refundableQuantities(o)).toEqual(
      new Map([
        [1, 1],
        [2, 1],
      ]),
    );
  });
});

describe('refundLines', () => {
  it('keeps the lines chosen, in order', () => {
    expect(
      refundLines(
        new Map([
          [3, 1],
          [1, 0],
          [2, 2],
        ]),
      ),
    ).toEqual([
      { line: 2, quantity: 2 },
      { line: 3, quantity: 1 },
    ]);
  });
});
