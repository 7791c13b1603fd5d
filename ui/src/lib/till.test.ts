// The till's actions against a scripted core: which commands they send, in what order, and what the
// cashier sees when one fails.

import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { Command } from './bindings';
import { line, menu, order, payment } from './testing/fixtures';

/** Every command sent, and a queue of answers (a function gets the command and may throw). */
const sent: Command[] = [];
let answer: (command: Command) => unknown = () => {
  throw new Error('no answer scripted');
};

vi.mock('@tauri-apps/api/core', () => ({
  isTauri: () => true,
  invoke: async (_name: string, args: { command: Command }) => {
    sent.push(args.command);
    // Yield first, like real IPC, so ordering bugs would show.
    await new Promise((r) => setTimeout(r, Math.random() * 5));
    return answer(args.command);
  },
}));

const { till } = await import('./till.svelte');

beforeEach(() => {
  sent.length = 0;
  till.approval.cancel();
  till.detail = null;
  till.attempt = null;
  till.order = null;
  till.completed = null;
  till.error = null;
  till.menu = null;
});

describe('till actions', () => {
  it('opens a takeaway order before the first product when none is open', async () => {
    answer = (c) =>
      c.cmd === 'open_order'
        ? { type: 'order', ...order() }
        : { type: 'order', ...order({ lines: [line(1, 1)] }) };
    expect(await till.addLine({ cmd: 'add_line', product: 'chips' }, 'product-chips')).toBe(true);
    expect(sent).toEqual([
      { cmd: 'open_order', kind: { type: 'takeaway' } },
      { cmd: 'add_line', product: 'chips', order: 'o1' },
    ]);
    expect(till.order?.lines).toHaveLength(1);
  });

  it('runs quick taps in order, each seeing the quantity the last one left', async () => {
    let quantity = 1;
    till.order = order({ lines: [line(1, quantity)] });
    answer = (c) => {
      if (c.cmd === 'change_line' && c.quantity !== undefined) quantity = c.quantity;
      return { type: 'order', ...order({ lines: [line(1, quantity)] }) };
    };
    await Promise.all([till.stepQuantity(1, 1), till.stepQuantity(1, 1), till.stepQuantity(1, 1)]);
    expect(sent.map((c) => (c.cmd === 'change_line' ? c.quantity : null))).toEqual([2, 3, 4]);
    expect(till.order?.lines[0]?.quantity).toBe(4);
  });

  it('removes the line when "−" is tapped at quantity 1', async () => {
    till.order = order({ lines: [line(1, 1)] });
    answer = () => ({ type: 'order', ...order() });
    await till.stepQuantity(1, -1);
    expect(sent).toEqual([{ cmd: 'remove_line', order: 'o1', line: 1 }]);
  });

  it('shows a friendly message by code, keeps the order, and reports failure', async () => {
    const before = order({ lines: [line(1, 1, true)] });
    till.order = before;
    answer = () => {
      throw { code: 'line_locked', message: 'line 1 was sent to the kitchen: void it instead' };
    };
    expect(await till.stepQuantity(1, 1)).toBe(false);
    expect(till.error).toEqual({
      code: 'line_locked',
      text: 'That item has been sent to the kitchen: void it instead of changing it.',
      detail: 'line 1 was sent to the kitchen: void it instead',
    });
    expect(till.order).toBe(before);
    expect(till.busy).toBe(false);
  });

  it('moves a fully paid order to the change screen', async () => {
    till.order = order({ lines: [line(1, 1)] });
    const paid = order({
      state: 'completed',
      payments: [payment({ id: 'p', amount: 400, tendered: 500, change: 100 })],
    });
    answer = () => ({ type: 'order', ...paid });
    expect(await till.takeCash(500)).toBe(true);
    expect(sent).toEqual([{ cmd: 'take_cash', order: 'o1', tendered: 500 }]);
    expect(till.order).toBeNull();
    expect(till.completed).toEqual({ type: 'order', ...paid });
  });

  it('does not open an order for a barcode the menu does not know', async () => {
    till.menu = menu();
    expect(await till.scan('123456')).toBe(false);
    expect(sent).toEqual([]);
    expect(till.error?.code).toBe('not_found');
  });

  it('sends a scan to the core when an order is open', async () => {
    till.order = order();
    answer = () => ({ type: 'order', ...order({ lines: [line(1, 1)] }) });
    expect(await till.scan('5449000000996')).toBe(true);
    expect(sent).toEqual([{ cmd: 'add_line', order: 'o1', barcode: '5449000000996' }]);
  });
});

describe('manager approval in place', () => {
  const refused = (what: string) => {
    throw { code: 'approval_required', message: `${what} needs a manager's approval` };
  };

  it('asks for a PIN, keeps asking after a wrong one, and resends the same command with it', async () => {
    till.order = order({ lines: [line(1, 1, true)] });
    answer = (c) => {
      if (c.cmd !== 'void_line') throw new Error(`unexpected ${c.cmd}`);
      if (!c.approval) refused('voiding a line sent to the kitchen');
      if (c.approval?.pin !== '2468') throw { code: 'wrong_pin', message: 'wrong manager PIN' };
      return {
        type: 'order',
        ...order({ lines: [{ ...line(1, 1, true), void: { reason: 'cold', by: 'sam', at: 0 } }] }),
      };
    };
    const voiding = till.voidLine(1, 'cold');
    await vi.waitFor(() => expect(till.approval.ask?.checking).toBe(false));
    expect(till.approval.ask?.what).toBe('void Chips');
    expect(till.busy).toBe(true);

    till.approval.submit('1111');
    await vi.waitFor(() => expect(till.approval.ask?.error?.code).toBe('wrong_pin'));
    expect(till.approval.ask?.error?.text).toBe('That PIN wasn’t recognised. Please try again.');
    expect(till.approval.ask?.checking).toBe(false);

    till.approval.submit('2468');
    expect(await voiding).toBe(true);
    expect(till.approval.ask).toBeNull();
    expect(till.error).toBeNull();
    expect(till.order?.lines[0]?.void).not.toBeNull();
    expect(sent).toEqual([
      { cmd: 'void_line', order: 'o1', line: 1, reason: 'cold' },
      { cmd: 'void_line', order: 'o1', line: 1, reason: 'cold', approval: { pin: '1111' } },
      { cmd: 'void_line', order: 'o1', line: 1, reason: 'cold', approval: { pin: '2468' } },
    ]);
  });

  it('says so when the PIN is not a manager’s, and stays open', async () => {
    till.order = order({ lines: [line(1, 1)] });
    answer = (c) => {
      if (c.cmd === 'set_order_discount' && c.approval?.pin === '1357') {
        throw { code: 'approval_required', message: 'Sam Taylor cannot approve this' };
      }
      return refused('a discount this large');
    };
    const discounting = till.setOrderDiscount({ type: 'percent', rate_bp: 5000, reason: 'friend' });
    await vi.waitFor(() => expect(till.approval.ask?.what).toBe('a 50% discount'));
    till.approval.submit('1357');
    await vi.waitFor(() => expect(till.approval.ask?.error?.code).toBe('approval_required'));
    expect(till.approval.ask?.error?.text).toMatch(/manager/);
    till.approval.cancel();
    expect(await discounting).toBe(false);
  });

  it('drops the command on Cancel without a message, and lets the taps queued behind it run', async () => {
    const before = order({ lines: [line(1, 1, true)] });
    till.order = before;
    answer = (c) => {
      if (c.cmd === 'set_service_charge') return refused('removing the service charge');
      return { type: 'order', ...order({ lines: [line(1, 1, true)], parked: true }) };
    };
    const removing = till.setServiceCharge(false, 'guest asked');
    await vi.waitFor(() => expect(till.approval.ask).not.toBeNull());
    const parking = till.park();
    // The park waits behind the command that is asking for approval.
    await new Promise((r) => setTimeout(r, 20));
    expect(sent.map((c) => c.cmd)).toEqual(['set_service_charge']);
    till.approval.cancel();
    expect(await removing).toBe(false);
    expect(till.error).toBeNull();
    expect(await parking).toBe(true);
    expect(sent.map((c) => c.cmd)).toEqual(['set_service_charge', 'park']);
  });

  it('does not ask when the core needs no approval, and shows other failures as usual', async () => {
    till.order = order({ lines: [line(1, 1, true)] });
    answer = () => {
      throw { code: 'reason_required', message: 'a reason is required' };
    };
    expect(await till.voidLine(1, ' ')).toBe(false);
    expect(till.approval.ask).toBeNull();
    expect(till.error?.code).toBe('reason_required');
    expect(sent).toHaveLength(1);
  });

  it('refunds a recent order with a manager’s PIN and shows it partly refunded', async () => {
    const card = payment({ id: 'pay1', tender: 'card', amount: 1950, refundable: 1950 });
    till.detail = order({
      id: 'o9',
      state: 'completed',
      payment_state: 'paid',
      lines: [line(1, 1, true, 1550), line(2, 1, true)],
      payments: [card],
    });
    answer = (c) => {
      if (c.cmd !== 'refund') throw new Error(`unexpected ${c.cmd}`);
      if (!c.approval) refused('a refund');
      return {
        type: 'order',
        ...order({ id: 'o9', state: 'completed', payment_state: 'partly_refunded', refunded: 400 }),
      };
    };
    const refunding = till.refund(card, { lines: [{ line: 2, quantity: 1 }], reason: 'cold' });
    await vi.waitFor(() => expect(till.approval.ask?.what).toBe('a refund of 1 × Chips to card'));
    till.approval.submit('2468');
    expect(await refunding).toBe(true);
    expect(till.detail?.payment_state).toBe('partly_refunded');
    expect(sent[1]).toEqual({
      cmd: 'refund',
      order: 'o9',
      payment: 'pay1',
      reason: 'cold',
      lines: [{ line: 2, quantity: 1 }],
      approval: { pin: '2468' },
    });
  });
});

describe('payments', () => {
  it('keeps a declined attempt as the outcome to show, not as an error', async () => {
    till.order = order({ lines: [line(1, 1)] });
    const declined = payment({
      id: 'a1',
      tender: 'card',
      status: 'failed',
      amount: 400,
      note: 'declined: insufficient_funds',
    });
    answer = () => ({ type: 'order', ...order({ lines: [line(1, 1)], payments: [declined] }) });
    const attempt = await till.pay({ tender: 'card', tip: { type: 'none' }, simulate: 'insufficient_funds' });
    expect(attempt?.status).toBe('failed');
    expect(till.attempt?.id).toBe('a1');
    expect(till.error).toBeNull();
    expect(sent).toEqual([
      { cmd: 'pay', order: 'o1', tender: 'card', tip: { type: 'none' }, simulate: 'insufficient_funds' },
    ]);
  });

  it('pays one part of a split bill, with the tip and a change kept as a tip', async () => {
    till.order = order({ lines: [line(1, 1)] });
    answer = (c) => ({
      type: 'order',
      ...order({
        lines: [line(1, 1)],
        payments: [payment({ id: c.cmd === 'take_cash' ? 'cash1' : 'card1', amount: 200, tip: 50 })],
      }),
    });
    await till.takeCash(300, { tip: 100, part: 1 });
    expect(till.cashTaken?.id).toBe('cash1');
    till.order = order({ lines: [line(1, 1)] });
    await till.pay({ tender: 'pay_by_bank', tip: { type: 'percent', rate_bp: 1000 }, part: 2, amount: 150 });
    expect(sent).toEqual([
      { cmd: 'take_cash', order: 'o1', tendered: 300, tip: 100, part: 1 },
      {
        cmd: 'pay',
        order: 'o1',
        tender: 'pay_by_bank',
        tip: { type: 'percent', rate_bp: 1000 },
        amount: 150,
        part: 2,
      },
    ]);
  });
});
