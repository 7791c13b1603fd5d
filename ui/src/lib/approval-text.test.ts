import { describe, expect, it } from 'vitest';
import type { Command } from './bindings';
import { approvalWhat, isApprovable } from './approval-text';
import { line, order, payment } from './testing/fixtures';

const o = order({
  number: 12,
  lines: [line(1, 2), { ...line(2, 1), name: 'Soup of the day' }],
  payments: [payment({ id: 'pay1', tender: 'pay_by_bank' })],
});

describe('approvalWhat', () => {
  it.each([
    [{ cmd: 'void_line', line: 2, reason: 'cold' }, 'void Soup of the day'],
    [{ cmd: 'remove_line', line: 1 }, 'remove Chips'],
    [{ cmd: 'change_line', line: 1, quantity: 1 }, 'Chips down to 1'],
    [{ cmd: 'change_line', line: 1, quantity: 3 }, 'Chips up to 3'],
    [{ cmd: 'change_line', line: 1, note: 'no salt' }, 'changing Chips'],
    [
      { cmd: 'set_order_discount', discount: { type: 'percent', rate_bp: 5000, reason: 'friend' } },
      'a 50% discount',
    ],
    [
      { cmd: 'set_line_discount', line: 1, discount: { type: 'fixed', amount: 250, reason: 'x' } },
      'a £2.50 discount',
    ],
    [{ cmd: 'set_order_discount', discount: null }, 'removing a discount'],
    [{ cmd: 'set_service_charge', enabled: false, reason: 'slow' }, 'removing the service charge'],
    [
      { cmd: 'set_order_type', kind: { type: 'takeaway' }, reason: 'leaving' },
      'switching to takeaway (no service charge)',
    ],
    [{ cmd: 'cancel', reason: 'guest left' }, 'cancelling order 12'],
    [{ cmd: 'override_price', line: 1, unit_price: 300, reason: 'regular' }, '£3.00 for Chips'],
    [
      { cmd: 'refund', order: 'o1', payment: 'pay1', lines: [{ line: 1, quantity: 1 }], reason: 'x' },
      'a refund of 1 × Chips to pay by bank',
    ],
    [
      { cmd: 'refund', order: 'o1', payment: 'pay1', amount: 400, reason: 'x' },
      'a refund of £4.00 to pay by bank',
    ],
  ] satisfies [Command, string][])('%j reads "%s"', (command, what) => {
    expect(isApprovable(command)).toBe(true);
    if (isApprovable(command)) expect(approvalWhat(command, o)).toBe(what);
  });

  it('knows which commands may need a manager', () => {
    expect(isApprovable({ cmd: 'add_line', product: 'chips' })).toBe(false);
    expect(isApprovable({ cmd: 'park' })).toBe(false);
    expect(isApprovable({ cmd: 'cancel', reason: 'x' })).toBe(true);
  });
});
