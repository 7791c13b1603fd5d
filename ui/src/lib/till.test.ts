// The till's actions against a scripted core: which commands they send, in what order, and what the
// cashier sees when one fails.

import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { Command, OrderView } from './bindings';

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

function order(overrides: Partial<OrderView> = {}): OrderView {
  return {
    id: 'o1',
    alias: null,
    number: 1,
    business_date: '2026-01-01',
    state: 'pending',
    kind: 'takeaway',
    table: null,
    covers: null,
    parked: false,
    currency: 'GBP',
    lines: [],
    discount: null,
    service_charge: { rate_bp: 1250, kind: 'discretionary', applies: false, removed_reason: null },
    totals: {
      subtotal: 0,
      line_discounts: 0,
      order_discount: 0,
      after_discounts: 0,
      service_charge: 0,
      vat: [],
      vat_total: 0,
      total: 0,
      paid: 0,
      balance: 0,
    },
    payments: [],
    opened_by: 'sam',
    opened_at: 0,
    updated_at: 0,
    version: 1,
    cancel_reason: null,
    saved: false,
    ...overrides,
  };
}

function line(no: number, quantity: number, sent = false): OrderView['lines'][number] {
  return {
    no,
    product: 'chips',
    sku: 'SD01',
    name: 'Chips',
    variant: null,
    modifiers: [],
    quantity,
    unit_price: 400,
    note: null,
    course: null,
    seat: null,
    vat_class: 'standard',
    station: 'kitchen',
    discount: null,
    sent,
    void: null,
    gross: 400 * quantity,
    line_discount: 0,
    order_discount: 0,
    net: 400 * quantity,
  };
}

beforeEach(() => {
  sent.length = 0;
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
      payments: [
        {
          id: 'p',
          tender: 'cash',
          status: 'succeeded',
          amount: 400,
          tendered: 500,
          change: 100,
          staff: 'sam',
          at: 0,
        },
      ],
    });
    answer = () => ({ type: 'order', ...paid });
    expect(await till.takeCash(500)).toBe(true);
    expect(sent).toEqual([{ cmd: 'take_cash', order: 'o1', tendered: 500 }]);
    expect(till.order).toBeNull();
    expect(till.completed).toEqual({ type: 'order', ...paid });
  });

  it('does not open an order for a barcode the menu does not know', async () => {
    till.menu = {
      restaurant: 'R',
      address: [],
      vat_number: '',
      currency: 'GBP',
      version: 1,
      categories: [],
      modifier_groups: [],
      products: [],
    };
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
