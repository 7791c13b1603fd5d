// The order being built and the open orders: opening, adding (a takeaway is opened first when no order
// is open), changing and removing lines, discounts, service charge, order type, kitchen, park, resume and
// cancel. Commands a cashier may need a manager for go through the PIN overlay (approval.svelte.ts).

import { runExpecting, toTillError } from '../api';
import { sendOrderCommand, type ApprovalPrompt } from '../approval.svelte';
import type {
  Command,
  DiscountInput,
  DiscountQuoteView,
  LineQuoteView,
  OrderKindInput,
  OrderView,
} from '../bindings';
import { friendlyMessage, type Wording } from '../errors';
import type { AddLine, LineQuote } from '../selection';
import type { Navigation } from './navigation.svelte';
import type { CommandQueue } from './queue.svelte';
import type { SessionStore } from './session.svelte';

/** What a scan of an unknown barcode says. */
const SCAN_NOT_FOUND = (barcode: string) => `No product has the barcode ${barcode}.`;

/** Why another till's order cannot be resumed here. */
export const REMOTE_ORDER = 'That order is on another till: it can only be changed or paid there.';

/** A command on the displayed order, built when its turn comes so it sees the latest order. */
export type OrderCommand = (order: OrderView) => Command | null;

/** How a change of order type went: done, refused until a reason is given, or failed (the error shows). */
export type OrderTypeResult = 'done' | 'reason' | 'failed';

export class OrderStore {
  /** The order being built (the core's current order). */
  order = $state.raw<OrderView | null>(null);
  /** The order just paid in full, for the change-due screen. */
  completed = $state.raw<OrderView | null>(null);
  openOrders = $state.raw<OrderView[]>([]);

  constructor(
    private readonly queue: CommandQueue,
    private readonly nav: Navigation,
    private readonly session: SessionStore,
    private readonly approval: ApprovalPrompt,
  ) {}

  get currency(): string {
    return this.order?.currency ?? this.session.currency;
  }

  /** Shows an order the core answered with, and moves on when it left the current order. */
  show(view: OrderView): void {
    if (view.state === 'completed') {
      this.completed = view;
      this.order = null;
    } else if (view.state === 'cancelled' || view.parked) {
      this.order = null;
    } else {
      this.order = view;
    }
  }

  /** Someone logged in: their current order (if any) on the order screen. */
  async pickUp(current: string | null): Promise<void> {
    this.nav.screen = 'order';
    this.completed = null;
    this.order = current ? await runExpecting({ cmd: 'show_order', order: current }, 'order') : null;
  }

  /** The till was locked: nothing of this session stays on screen. */
  reset(): void {
    this.order = null;
    this.completed = null;
    this.openOrders = [];
  }

  /**
   * Runs a command on the displayed order; false when there is none or it failed. A command that may
   * need a manager opens the PIN overlay when the core says so, and is sent again with the PIN.
   */
  async onOrder(key: string, build: OrderCommand, wording: Wording = {}): Promise<boolean> {
    const result = await this.queue.perform(
      key,
      async () => {
        const order = this.order;
        const command = order ? build(order) : null;
        if (!order || !command) return false;
        this.show(await sendOrderCommand(this.approval, command, order));
        return true;
      },
      wording,
    );
    return result === true;
  }

  async newOrder(kind: OrderKindInput, key = 'new-order'): Promise<boolean> {
    const ok = await this.queue.perform(key, async () => {
      this.show(await runExpecting({ cmd: 'open_order', kind }, 'order'));
      this.completed = null;
      this.nav.screen = 'order';
      return true;
    });
    return ok === true;
  }

  /** The order to add to: the displayed one, or — when none is open — a new takeaway, so selling is one tap. */
  private async orderToAddTo(): Promise<OrderView> {
    if (!this.order) {
      this.show(await runExpecting({ cmd: 'open_order', kind: { type: 'takeaway' } }, 'order'));
      this.completed = null;
    }
    const order = this.order as OrderView | null;
    if (!order) throw toTillError({ code: 'not_found', message: 'no order to add to' });
    return order;
  }

  /** Adds to the displayed order, opening a takeaway first when none is open. */
  private addToOrder(key: string, command: AddLine, wording: Wording): Promise<boolean> {
    return this.queue
      .perform(
        key,
        async () => {
          const order = await this.orderToAddTo();
          this.show(await runExpecting({ ...command, order: order.id }, 'order'));
          return true;
        },
        wording,
      )
      .then((ok) => ok === true);
  }

  /** Adds a product (with its options). */
  addLine(command: AddLine, key: string): Promise<boolean> {
    return this.addToOrder(key, command, { not_found: 'That product isn’t on the menu.' });
  }

  /** Adds whatever a barcode scanner read. */
  scan(barcode: string): Promise<boolean> {
    const menu = this.session.menu;
    const known = menu?.products.find((p) => p.barcode === barcode);
    if (!this.order && menu && (!known || !known.available)) {
      // Nothing would be added, so no order is opened for it; the message is the one the core would give.
      const code = known ? 'product_unavailable' : 'not_found';
      const detail = known ? `${known.name} is unavailable` : `no product with barcode ${barcode}`;
      this.queue.show({
        code,
        text: friendlyMessage(code, detail, { not_found: SCAN_NOT_FOUND(barcode) }),
        detail,
      });
      return Promise.resolve(false);
    }
    return this.addToOrder('scan', { cmd: 'add_line', barcode }, { not_found: SCAN_NOT_FOUND(barcode) });
  }

  /** Changes a line's quantity by one; at 1, "−" removes the line. Reads the line when its turn comes. */
  stepQuantity(no: number, step: 1 | -1): Promise<boolean> {
    return this.onOrder(`line-${no}-${step > 0 ? 'plus' : 'minus'}`, (order) => {
      const line = order.lines.find((l) => l.no === no);
      if (!line) return null;
      const quantity = line.quantity + step;
      return quantity < 1
        ? { cmd: 'remove_line', order: order.id, line: no }
        : { cmd: 'change_line', order: order.id, line: no, quantity };
    });
  }

  removeLine(no: number): Promise<boolean> {
    return this.onOrder(`line-${no}-remove`, (order) => ({ cmd: 'remove_line', order: order.id, line: no }));
  }

  voidLine(no: number, reason: string): Promise<boolean> {
    return this.onOrder('void', (order) => ({ cmd: 'void_line', order: order.id, line: no, reason }));
  }

  /** Sets a line's kitchen note; an empty note clears it. */
  setNote(no: number, note: string): Promise<boolean> {
    const text = note.trim();
    return this.onOrder('note', (order) =>
      text
        ? { cmd: 'change_line', order: order.id, line: no, note: text }
        : { cmd: 'change_line', order: order.id, line: no, clear: ['note'] },
    );
  }

  setLineDiscount(no: number, discount: DiscountInput | null): Promise<boolean> {
    return this.onOrder('discount', (order) => ({
      cmd: 'set_line_discount',
      order: order.id,
      line: no,
      discount,
    }));
  }

  setOrderDiscount(discount: DiscountInput | null): Promise<boolean> {
    return this.onOrder('discount', (order) => ({ cmd: 'set_order_discount', order: order.id, discount }));
  }

  /**
   * What a line would cost as the options dialog stands (`line_quote`): asked in turn behind every tap,
   * with no spinner or message; a refusal (a required choice missing) rejects with the core's words.
   */
  lineQuote(command: LineQuote): Promise<LineQuoteView> {
    return this.queue.inquire(() => runExpecting(command, 'line_quote'));
  }

  /**
   * What a discount on a line (`line`) or on the order (null) would take off, of what, and whether it
   * needs a manager (`discount_quote`), asked of the order displayed when its turn comes. A refusal (more
   * than it applies to) rejects with the core's words; nothing changes either way.
   */
  discountQuote(line: number | null, discount: DiscountInput): Promise<DiscountQuoteView> {
    return this.queue.inquire(() => {
      const order = this.order;
      if (!order) throw toTillError({ code: 'not_found', message: 'no order is open' });
      return runExpecting(
        { cmd: 'discount_quote', order: order.id, ...(line !== null ? { line } : {}), discount },
        'discount_quote',
      );
    });
  }

  setServiceCharge(enabled: boolean, reason?: string): Promise<boolean> {
    return this.onOrder('service-charge', (order) => ({
      cmd: 'set_service_charge',
      order: order.id,
      enabled,
      ...(reason ? { reason } : {}),
    }));
  }

  /**
   * Switches between dine-in and takeaway, or moves table. A switch that stops the service charge needs
   * a reason: without one, the core's `reason_required` comes back as 'reason' (no message), for the
   * screen to ask for one and call again with it; then a cashier is asked for a manager's PIN.
   */
  async setOrderType(kind: OrderKindInput, reason?: string): Promise<OrderTypeResult> {
    const result = await this.queue.perform('order-type', async (): Promise<OrderTypeResult> => {
      const order = this.order;
      if (!order) return 'failed';
      const command: Command = {
        cmd: 'set_order_type',
        order: order.id,
        kind,
        ...(reason ? { reason } : {}),
      };
      try {
        this.show(await sendOrderCommand(this.approval, command, order));
        return 'done';
      } catch (e) {
        if (!reason && toTillError(e).code === 'reason_required') return 'reason';
        throw e;
      }
    });
    return result ?? 'failed';
  }

  send(): Promise<boolean> {
    return this.onOrder('send', (order) => ({ cmd: 'send_to_kitchen', order: order.id }), {
      nothing_to_do: 'Everything on this order has already been sent.',
      order_empty: 'Add something before sending to the kitchen.',
    });
  }

  park(): Promise<boolean> {
    return this.onOrder('park', (order) => ({ cmd: 'park', order: order.id }));
  }

  /** Cancels the order; one with lines the kitchen has seen needs a manager's PIN from a cashier. */
  cancel(reason: string): Promise<boolean> {
    return this.onOrder('cancel', (order) => ({ cmd: 'cancel', order: order.id, reason }), {
      payment_rule: 'This order has payments, so it can’t be cancelled.',
    });
  }

  /** Shows the open orders list (the core saves orders being built when it is asked). */
  async showOpenOrders(): Promise<void> {
    this.nav.screen = 'orders';
    await this.refreshOpenOrders();
  }

  async refreshOpenOrders(): Promise<void> {
    await this.queue.perform('open-orders', async () => {
      this.openOrders = (await runExpecting({ cmd: 'open_orders' }, 'orders')).orders;
    });
  }

  /**
   * Reads the open orders again because another till changed some (the sync applied the cloud's
   * changes): in the background, so the message on screen stays and the Refresh button does not spin.
   */
  async reloadOpenOrders(): Promise<void> {
    await this.queue.perform(
      'open-orders-live',
      async () => {
        this.openOrders = (await runExpecting({ cmd: 'open_orders' }, 'orders')).orders;
      },
      {},
      'background',
    );
  }

  /**
   * Makes an open order current. Another till's order (`remote`) is changed on that till, never here:
   * it is refused before the core is asked.
   */
  async resume(id: string): Promise<boolean> {
    if (this.openOrders.some((o) => o.id === id && o.remote)) {
      this.queue.show({ code: 'remote_order', text: REMOTE_ORDER, detail: REMOTE_ORDER });
      return false;
    }
    const ok = await this.queue.perform(`resume-${id}`, async () => {
      this.show(await runExpecting({ cmd: 'resume', order: id }, 'order'));
      this.completed = null;
      this.nav.screen = 'order';
      return true;
    });
    return ok === true;
  }

  showOrder(): void {
    this.nav.screen = 'order';
  }
}
