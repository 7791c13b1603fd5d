// The till's actions against a scripted core: which commands they send, in what order, and what the
// cashier sees when one fails.

import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { Command, DiscountInput } from './bindings';
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
  till.session.lockout.stop();
  till.recent.detail = null;
  till.payments.attempt = null;
  till.orders.order = null;
  till.orders.completed = null;
  till.queue.error = null;
  till.session.menu = null;
});

describe('till actions', () => {
  it('opens a takeaway order before the first product when none is open', async () => {
    answer = (c) =>
      c.cmd === 'open_order'
        ? { type: 'order', ...order() }
        : { type: 'order', ...order({ lines: [line(1, 1)] }) };
    expect(await till.orders.addLine({ cmd: 'add_line', product: 'chips' }, 'product-chips')).toBe(true);
    expect(sent).toEqual([
      { cmd: 'open_order', kind: { type: 'takeaway' } },
      { cmd: 'add_line', product: 'chips', order: 'o1' },
    ]);
    expect(till.orders.order?.lines).toHaveLength(1);
  });

  it('runs quick taps in order, each seeing the quantity the last one left', async () => {
    let quantity = 1;
    till.orders.order = order({ lines: [line(1, quantity)] });
    answer = (c) => {
      if (c.cmd === 'change_line' && c.quantity !== undefined) quantity = c.quantity;
      return { type: 'order', ...order({ lines: [line(1, quantity)] }) };
    };
    await Promise.all([
      till.orders.stepQuantity(1, 1),
      till.orders.stepQuantity(1, 1),
      till.orders.stepQuantity(1, 1),
    ]);
    expect(sent.map((c) => (c.cmd === 'change_line' ? c.quantity : null))).toEqual([2, 3, 4]);
    expect(till.orders.order?.lines[0]?.quantity).toBe(4);
  });

  it('removes the line when "−" is tapped at quantity 1', async () => {
    till.orders.order = order({ lines: [line(1, 1)] });
    answer = () => ({ type: 'order', ...order() });
    await till.orders.stepQuantity(1, -1);
    expect(sent).toEqual([{ cmd: 'remove_line', order: 'o1', line: 1 }]);
  });

  it('shows a friendly message by code, keeps the order, and reports failure', async () => {
    const before = order({ lines: [line(1, 1, true)] });
    till.orders.order = before;
    answer = () => {
      throw { code: 'line_locked', message: 'line 1 was sent to the kitchen: void it instead' };
    };
    expect(await till.orders.stepQuantity(1, 1)).toBe(false);
    expect(till.queue.error).toEqual({
      code: 'line_locked',
      text: 'That item has been sent to the kitchen: void it instead of changing it.',
      detail: 'line 1 was sent to the kitchen: void it instead',
    });
    expect(till.orders.order).toBe(before);
    expect(till.queue.busy).toBe(false);
  });

  it('moves a fully paid order to the change screen', async () => {
    till.orders.order = order({ lines: [line(1, 1)] });
    const paid = order({
      state: 'completed',
      payments: [payment({ id: 'p', amount: 400, tendered: 500, change: 100 })],
    });
    answer = () => ({ type: 'order', ...paid });
    expect(await till.payments.takeCash(500)).toBe(true);
    expect(sent).toEqual([{ cmd: 'take_cash', order: 'o1', tendered: 500 }]);
    expect(till.orders.order).toBeNull();
    expect(till.orders.completed).toEqual({ type: 'order', ...paid });
  });

  it('does not open an order for a barcode the menu does not know', async () => {
    till.session.menu = menu();
    expect(await till.orders.scan('123456')).toBe(false);
    expect(sent).toEqual([]);
    expect(till.queue.error?.code).toBe('not_found');
  });

  it('sends a scan to the core when an order is open', async () => {
    till.orders.order = order();
    answer = () => ({ type: 'order', ...order({ lines: [line(1, 1)] }) });
    expect(await till.orders.scan('5449000000996')).toBe(true);
    expect(sent).toEqual([{ cmd: 'add_line', order: 'o1', barcode: '5449000000996' }]);
  });
});

describe('manager approval in place', () => {
  const refused = (what: string) => {
    throw { code: 'approval_required', message: `${what} needs a manager's approval` };
  };

  it('asks for a PIN, keeps asking after a wrong one, and resends the same command with it', async () => {
    till.orders.order = order({ lines: [line(1, 1, true)] });
    answer = (c) => {
      if (c.cmd !== 'void_line') throw new Error(`unexpected ${c.cmd}`);
      if (!c.approval) refused('voiding a line sent to the kitchen');
      if (c.approval?.pin !== '2468') throw { code: 'wrong_pin', message: 'wrong manager PIN' };
      return {
        type: 'order',
        ...order({ lines: [{ ...line(1, 1, true), void: { reason: 'cold', by: 'sam', at: 0 } }] }),
      };
    };
    const voiding = till.orders.voidLine(1, 'cold');
    await vi.waitFor(() => expect(till.approval.ask?.checking).toBe(false));
    expect(till.approval.ask?.what).toBe('void Chips');
    expect(till.queue.busy).toBe(true);

    till.approval.submit('1111');
    await vi.waitFor(() => expect(till.approval.ask?.error?.code).toBe('wrong_pin'));
    expect(till.approval.ask?.error?.text).toBe('That PIN wasn’t recognised. Please try again.');
    expect(till.approval.ask?.checking).toBe(false);

    till.approval.submit('2468');
    expect(await voiding).toBe(true);
    expect(till.approval.ask).toBeNull();
    expect(till.queue.error).toBeNull();
    expect(till.orders.order?.lines[0]?.void).not.toBeNull();
    expect(sent).toEqual([
      { cmd: 'void_line', order: 'o1', line: 1, reason: 'cold' },
      { cmd: 'void_line', order: 'o1', line: 1, reason: 'cold', approval: { pin: '1111' } },
      { cmd: 'void_line', order: 'o1', line: 1, reason: 'cold', approval: { pin: '2468' } },
    ]);
  });

  it('says so when the PIN is not a manager’s, and stays open', async () => {
    till.orders.order = order({ lines: [line(1, 1)] });
    answer = (c) => {
      if (c.cmd === 'set_order_discount' && c.approval?.pin === '1357') {
        throw { code: 'approval_required', message: 'Sam Taylor cannot approve this' };
      }
      return refused('a discount this large');
    };
    const discounting = till.orders.setOrderDiscount({ type: 'percent', rate_bp: 5000, reason: 'friend' });
    await vi.waitFor(() => expect(till.approval.ask?.what).toBe('a 50% discount'));
    till.approval.submit('1357');
    await vi.waitFor(() => expect(till.approval.ask?.error?.code).toBe('approval_required'));
    expect(till.approval.ask?.error?.text).toMatch(/manager/);
    till.approval.cancel();
    till.session.lockout.stop();
    expect(await discounting).toBe(false);
  });

  it('drops the command on Cancel without a message, and lets the taps queued behind it run', async () => {
    const before = order({ lines: [line(1, 1, true)] });
    till.orders.order = before;
    answer = (c) => {
      if (c.cmd === 'set_service_charge') return refused('removing the service charge');
      return { type: 'order', ...order({ lines: [line(1, 1, true)], parked: true }) };
    };
    const removing = till.orders.setServiceCharge(false, 'guest asked');
    await vi.waitFor(() => expect(till.approval.ask).not.toBeNull());
    const parking = till.orders.park();
    // The park waits behind the command that is asking for approval.
    await new Promise((r) => setTimeout(r, 20));
    expect(sent.map((c) => c.cmd)).toEqual(['set_service_charge']);
    till.approval.cancel();
    till.session.lockout.stop();
    expect(await removing).toBe(false);
    expect(till.queue.error).toBeNull();
    expect(await parking).toBe(true);
    expect(sent.map((c) => c.cmd)).toEqual(['set_service_charge', 'park']);
  });

  it('does not ask when the core needs no approval, and shows other failures as usual', async () => {
    till.orders.order = order({ lines: [line(1, 1, true)] });
    answer = () => {
      throw { code: 'reason_required', message: 'a reason is required' };
    };
    expect(await till.orders.voidLine(1, ' ')).toBe(false);
    expect(till.approval.ask).toBeNull();
    expect(till.queue.error?.code).toBe('reason_required');
    expect(sent).toHaveLength(1);
  });

  it('refunds a recent order with a manager’s PIN and shows it partly refunded', async () => {
    const card = payment({ id: 'pay1', tender: 'card', amount: 1950, refundable: 1950 });
    till.recent.detail = order({
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
    const refunding = till.recent.refund(card, { lines: [{ line: 2, quantity: 1 }], reason: 'cold' });
    await vi.waitFor(() => expect(till.approval.ask?.what).toBe('a refund of 1 × Chips to card'));
    till.approval.submit('2468');
    expect(await refunding).toBe(true);
    expect(till.recent.detail?.payment_state).toBe('partly_refunded');
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
    till.orders.order = order({ lines: [line(1, 1)] });
    const declined = payment({
      id: 'a1',
      tender: 'card',
      status: 'failed',
      amount: 400,
      note: 'declined: insufficient_funds',
    });
    answer = () => ({ type: 'order', ...order({ lines: [line(1, 1)], payments: [declined] }) });
    const attempt = await till.payments.pay({
      tender: 'card',
      tip: { type: 'none' },
      simulate: 'insufficient_funds',
    });
    expect(attempt?.status).toBe('failed');
    expect(till.payments.attempt?.id).toBe('a1');
    expect(till.queue.error).toBeNull();
    expect(sent).toEqual([
      { cmd: 'pay', order: 'o1', tender: 'card', tip: { type: 'none' }, simulate: 'insufficient_funds' },
    ]);
  });

  it('reads a waiting attempt again (the sync may have recorded it), and nothing else', async () => {
    const waiting = payment({ id: 'b1', tender: 'pay_by_bank', status: 'pending', amount: 400 });
    const paid = { ...waiting, status: 'succeeded' as const };
    till.orders.order = order({ lines: [line(1, 1)], payments: [waiting] });
    till.payments.attempt = waiting;
    answer = () => ({ type: 'order', ...order({ lines: [line(1, 1)], payments: [paid] }) });
    await till.payments.reloadAttempt();
    expect(sent).toEqual([{ cmd: 'show_order', order: 'o1' }]);
    expect(till.payments.attempt?.status).toBe('succeeded');
    // Settled already: nothing is asked.
    await till.payments.reloadAttempt();
    till.payments.attempt = null;
    await till.payments.reloadAttempt();
    expect(sent).toHaveLength(1);
  });

  it('pays one part of a split bill, with the tip and a change kept as a tip', async () => {
    till.orders.order = order({ lines: [line(1, 1)] });
    answer = (c) => ({
      type: 'order',
      ...order({
        lines: [line(1, 1)],
        payments: [payment({ id: c.cmd === 'take_cash' ? 'cash1' : 'card1', amount: 200, tip: 50 })],
      }),
    });
    await till.payments.takeCash(300, { tip: 100, part: 1 });
    expect(till.payments.cashTaken?.id).toBe('cash1');
    till.orders.order = order({ lines: [line(1, 1)] });
    await till.payments.pay({
      tender: 'pay_by_bank',
      tip: { type: 'percent', rate_bp: 1000 },
      part: 2,
      amount: 150,
    });
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

describe('PIN lockout', () => {
  it('counts down on the login screen instead of showing a message, and refuses PINs meanwhile', async () => {
    answer = () => {
      throw { code: 'locked_out', message: 'too many wrong PINs: try again in 53 s', retry_after: 53 };
    };
    expect(await till.session.login('0000')).toBe(false);
    expect(till.session.lockout.active).toBe(true);
    expect(till.session.lockout.left).toBe(53);
    expect(till.queue.error).toBeNull();
    expect(await till.session.login('1357')).toBe(false);
    expect(sent).toHaveLength(1);
  });

  it('keeps the command waiting on the approval overlay while locked, and Cancel still drops it', async () => {
    till.orders.order = order({ lines: [line(1, 1, true)] });
    answer = (c) => {
      if (c.cmd === 'void_line' && !c.approval)
        throw { code: 'approval_required', message: 'needs a manager' };
      throw { code: 'locked_out', message: 'too many wrong PINs', retry_after: 60 };
    };
    const voiding = till.orders.voidLine(1, 'cold');
    await vi.waitFor(() => expect(till.approval.ask).not.toBeNull());
    till.approval.submit('1111');
    await vi.waitFor(() => expect(till.approval.ask?.error?.code).toBe('locked_out'));
    expect(till.approval.ask?.error?.retryAfter).toBe(60);
    expect(till.approval.lockout.active).toBe(true);
    expect(till.approval.lockout).toBe(till.session.lockout);
    // A PIN typed while locked is not sent at all; the command is still waiting.
    till.approval.submit('2468');
    expect(till.approval.ask?.checking).toBe(false);
    expect(sent).toHaveLength(2);
    till.approval.cancel();
    expect(await voiding).toBe(false);
    expect(till.queue.error).toBeNull();
  });
  it('counts down at once when the till starts, or is locked, while PIN entry is locked', async () => {
    const session = (locked: number | null) => ({
      type: 'session',
      staff: null,
      current_order: null,
      pin_locked_for: locked,
    });
    answer = (c) => (c.cmd === 'menu' ? { type: 'menu', ...menu() } : session(42));
    await till.session.start();
    expect(sent.map((c) => c.cmd)).toEqual(['menu', 'whoami']);
    expect(till.session.lockout.left).toBe(42);
    expect(till.queue.error).toBeNull();

    till.session.lockout.stop();
    answer = () => session(30);
    await till.session.lock();
    expect(till.session.lockout.left).toBe(30);

    // No lockout any more: a countdown left from before stops.
    answer = () => session(null);
    await till.session.lock();
    expect(till.session.lockout.active).toBe(false);
  });
});

describe('approval for every command that may need it', () => {
  const refused = () => {
    throw { code: 'approval_required', message: 'needs a manager' };
  };

  it('asks for a manager when cutting a quantity under a fixed discount, and sends it again', async () => {
    till.orders.order = order({ lines: [line(1, 2)] });
    answer = (c) => {
      if (c.cmd === 'change_line' && !c.approval) refused();
      return { type: 'order', ...order({ lines: [line(1, 1)] }) };
    };
    const cutting = till.orders.stepQuantity(1, -1);
    await vi.waitFor(() => expect(till.approval.ask?.what).toBe('Chips down to 1'));
    till.approval.submit('2468');
    expect(await cutting).toBe(true);
    expect(sent[1]).toEqual({
      cmd: 'change_line',
      order: 'o1',
      line: 1,
      quantity: 1,
      approval: { pin: '2468' },
    });
  });

  it('asks for a manager when removing a line under an order discount', async () => {
    till.orders.order = order({ lines: [line(1, 1), line(2, 1)] });
    answer = (c) => {
      if (!('approval' in c) || !c.approval) refused();
      return { type: 'order', ...order({ lines: [line(1, 1)] }) };
    };
    const removing = till.orders.removeLine(2);
    await vi.waitFor(() => expect(till.approval.ask?.what).toBe('remove Chips'));
    till.approval.submit('2468');
    expect(await removing).toBe(true);
    expect(sent.map((c) => c.cmd)).toEqual(['remove_line', 'remove_line']);
  });

  it('cancels an order the kitchen has seen with a manager’s PIN', async () => {
    till.orders.order = order({ number: 7, lines: [line(1, 1, true)] });
    answer = (c) => {
      if (c.cmd === 'cancel' && !c.approval) refused();
      return { type: 'order', ...order({ state: 'cancelled' }) };
    };
    const cancelling = till.orders.cancel('guest left');
    await vi.waitFor(() => expect(till.approval.ask?.what).toBe('cancelling order 7'));
    till.approval.submit('2468');
    expect(await cancelling).toBe(true);
    expect(till.orders.order).toBeNull();
    expect(sent[1]).toEqual({ cmd: 'cancel', order: 'o1', reason: 'guest left', approval: { pin: '2468' } });
  });

  it('switching a dine-in order to takeaway asks for a reason, then a manager', async () => {
    till.orders.order = order({ kind: 'dine_in', table: '5', covers: 2 });
    answer = (c) => {
      if (c.cmd !== 'set_order_type') throw new Error(`unexpected ${c.cmd}`);
      if (!c.reason)
        throw { code: 'reason_required', message: 'a reason is needed to drop the service charge' };
      if (!c.approval) refused();
      return { type: 'order', ...order({ kind: 'takeaway' }) };
    };
    expect(await till.orders.setOrderType({ type: 'takeaway' })).toBe('reason');
    expect(till.queue.error).toBeNull();
    const switching = till.orders.setOrderType({ type: 'takeaway' }, 'guests leaving early');
    await vi.waitFor(() => expect(till.approval.ask?.what).toBe('switching to takeaway (no service charge)'));
    till.approval.submit('2468');
    expect(await switching).toBe('done');
    expect(till.orders.order?.kind).toBe('takeaway');
    expect(sent).toEqual([
      { cmd: 'set_order_type', order: 'o1', kind: { type: 'takeaway' } },
      { cmd: 'set_order_type', order: 'o1', kind: { type: 'takeaway' }, reason: 'guests leaving early' },
      {
        cmd: 'set_order_type',
        order: 'o1',
        kind: { type: 'takeaway' },
        reason: 'guests leaving early',
        approval: { pin: '2468' },
      },
    ]);
  });

  it('shows a refused reason as an error once a reason was given', async () => {
    till.orders.order = order({ kind: 'dine_in', table: '5', covers: 2 });
    answer = () => {
      throw { code: 'reason_required', message: 'reason too long' };
    };
    expect(await till.orders.setOrderType({ type: 'takeaway' }, 'x')).toBe('failed');
    expect(till.queue.error?.code).toBe('reason_required');
  });
});

describe('the core’s quotes', () => {
  it('asks the core what each tip adds, for the part and amount being paid', async () => {
    till.orders.order = order({ lines: [line(1, 1)] });
    const reply = {
      type: 'tip_options',
      enabled: true,
      custom: true,
      amount: 1761,
      base: 1565,
      presets: [{ rate_bp: 1000, tip: 157 }],
      custom_tip: 235,
    };
    answer = () => reply;
    const options = await till.payments.tipOptions({
      amount: 1761,
      part: 2,
      custom: { type: 'percent', rate_bp: 1500 },
    });
    expect(options).toEqual(reply);
    expect(sent).toEqual([
      { cmd: 'tip_options', order: 'o1', amount: 1761, part: 2, custom: { type: 'percent', rate_bp: 1500 } },
    ]);
    expect(till.queue.busy).toBe(false);
  });

  it('asks the core for the change, and shows no message when it cannot say', async () => {
    till.orders.order = order({ lines: [line(1, 1)] });
    answer = () => ({ type: 'cash_quote', due: 1761, amount: 1761, tip: 0, change: 239 });
    expect(await till.payments.cashQuote(2000, { part: 1 })).toMatchObject({ change: 239 });
    expect(sent).toEqual([{ cmd: 'cash_quote', order: 'o1', tendered: 2000, part: 1 }]);
    answer = () => {
      throw { code: 'invalid_input', message: 'at most £10,000.00 of cash' };
    };
    expect(await till.payments.cashQuote(2_000_000)).toBeNull();
    expect(till.queue.error).toBeNull();
    expect(await till.payments.cashQuote(0)).toBeNull();
    expect(sent).toHaveLength(2);
  });
});

describe('the options dialog’s and the discount dialog’s quotes', () => {
  const half: DiscountInput = { type: 'percent', rate_bp: 5000 };

  it('asks the core what a line would cost, and hands back its refusal without a message', async () => {
    answer = (c) => {
      if (c.cmd === 'line_quote' && !c.modifiers)
        throw { code: 'modifier_rule', message: 'Cooking: choose at least 1' };
      return {
        type: 'line_quote',
        product: 'sirloin',
        name: 'Sirloin',
        unit_price: 2850,
        quantity: 2,
        gross: 5700,
      };
    };
    await expect(till.orders.lineQuote({ cmd: 'line_quote', product: 'sirloin' })).rejects.toMatchObject({
      code: 'modifier_rule',
      message: 'Cooking: choose at least 1',
    });
    expect(till.queue.error).toBeNull();
    const asked = {
      cmd: 'line_quote',
      product: 'sirloin',
      modifiers: ['rare', 'peppercorn'],
      quantity: 2,
    } as const;
    await expect(till.orders.lineQuote({ ...asked, modifiers: [...asked.modifiers] })).resolves.toMatchObject(
      {
        unit_price: 2850,
        gross: 5700,
      },
    );
    expect(sent).toEqual([{ cmd: 'line_quote', product: 'sirloin' }, asked]);
    expect(till.queue.busy).toBe(false);
  });

  it('asks what a discount would take off, on a line or on the order displayed', async () => {
    till.orders.order = order({ lines: [line(1, 1)] });
    answer = () => ({ type: 'discount_quote', base: 400, amount: 200, needs_approval: true });
    expect(await till.orders.discountQuote(1, half)).toEqual({
      type: 'discount_quote',
      base: 400,
      amount: 200,
      needs_approval: true,
    });
    await till.orders.discountQuote(null, half);
    expect(sent).toEqual([
      { cmd: 'discount_quote', order: 'o1', line: 1, discount: half },
      { cmd: 'discount_quote', order: 'o1', discount: half },
    ]);
    answer = () => {
      throw { code: 'invalid_discount', message: 'the discount is larger than the amount it applies to' };
    };
    await expect(till.orders.discountQuote(null, { type: 'fixed', amount: 99_999 })).rejects.toMatchObject({
      code: 'invalid_discount',
    });
    expect(till.queue.error).toBeNull();
  });

  it('asks in turn behind the taps before it, and a refusal holds up nothing after it', async () => {
    till.orders.order = order({ lines: [line(1, 1)] });
    answer = (c) => {
      if (c.cmd === 'discount_quote') throw { code: 'invalid_discount', message: 'too much' };
      return { type: 'order', ...order({ lines: [line(1, 2)] }) };
    };
    const tapped = till.orders.stepQuantity(1, 1);
    const quoted = till.orders.discountQuote(1, half).catch((e: unknown) => e);
    const after = till.orders.stepQuantity(1, 1);
    expect(await tapped).toBe(true);
    expect(await quoted).toMatchObject({ code: 'invalid_discount' });
    expect(await after).toBe(true);
    expect(sent.map((c) => c.cmd)).toEqual(['change_line', 'discount_quote', 'change_line']);
  });

  it('refuses a discount quote when no order is open, without asking', async () => {
    await expect(till.orders.discountQuote(null, half)).rejects.toMatchObject({ code: 'not_found' });
    expect(sent).toEqual([]);
  });
});
