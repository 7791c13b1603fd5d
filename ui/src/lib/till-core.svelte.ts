// The till's state, its command queue, and the session and order actions; the payment, split and refund
// actions build on it in till.svelte.ts, which is what screens import.
//
// Components read state from the till and call its actions; only the till talks to api.ts. That keeps
// three promises in one place: commands run one after another in the order they were tapped (a quick
// "+ + +" never races), every command shows progress while it runs, and a failed command only sets
// `error` — it never clears what the cashier typed (dialogs close only when their command succeeds).

import { runExpecting, toTillError } from './api';
import { ApprovalCancelled, ApprovalPrompt } from './approval.svelte';
import type {
  ApprovalInput,
  Command,
  DiscountInput,
  FeeQuoteView,
  MenuView,
  OrderKindInput,
  OrderView,
  PaymentView,
  StaffView,
} from './bindings';
import { friendlyMessage, shownError, type ShownError, type Wording } from './errors';
import { formatMoney } from './money';
import { formatRate } from './rates';
import type { AddLine } from './selection';

export type { ShownError } from './errors';

/** What a scan of an unknown barcode says. */
const SCAN_NOT_FOUND = (barcode: string) => `No product has the barcode ${barcode}.`;

/** The screens after login. */
export type Screen = 'order' | 'pay' | 'orders' | 'recent';

/** A command on the displayed order, built when its turn comes so it sees the latest order. */
export type OrderCommand = (order: OrderView) => Command | null;

/** Commands that take a manager's `approval`. */
type Approvable = Extract<
  Command,
  { cmd: 'void_line' | 'set_line_discount' | 'set_order_discount' | 'set_service_charge' | 'refund' }
>;

function isApprovable(command: Command): command is Approvable {
  return ['void_line', 'set_line_discount', 'set_order_discount', 'set_service_charge', 'refund'].includes(
    command.cmd,
  );
}

export class TillCore {
  /** Who is logged in; null shows the PIN screen. */
  staff = $state.raw<StaffView | null>(null);
  menu = $state.raw<MenuView | null>(null);
  /** The order being built (the core's current order). */
  order = $state.raw<OrderView | null>(null);
  /** The order just paid in full, for the change-due screen. */
  completed = $state.raw<OrderView | null>(null);
  openOrders = $state.raw<OrderView[]>([]);
  screen = $state<Screen>('order');
  error = $state.raw<ShownError | null>(null);
  /** False until the first menu and session answers arrive. */
  started = $state(false);
  /** The manager PIN overlay's request, when a command needs approval. */
  readonly approval = new ApprovalPrompt();
  /** The last card or pay-by-bank attempt made on the payment screen, to show how it went. */
  attempt = $state.raw<PaymentView | null>(null);
  /** The last cash payment that did not settle the order (a part paid with change). */
  cashTaken = $state.raw<PaymentView | null>(null);
  /** What each payment method would cost on the amount being paid. */
  fees = $state.raw<FeeQuoteView | null>(null);
  /** Completed and cancelled orders, newest first. */
  recent = $state.raw<OrderView[]>([]);
  /** The recent order shown in detail. */
  detail = $state.raw<OrderView | null>(null);

  /** Commands queued or running, by the key of the control that started them. */
  private running = $state<Record<string, number>>({});
  private tail: Promise<unknown> = Promise.resolve();

  /** Is any command queued or running? */
  get busy(): boolean {
    return Object.values(this.running).some((n) => n > 0);
  }

  /** Is a command started by this control queued or running? */
  isBusy(key: string): boolean {
    return (this.running[key] ?? 0) > 0;
  }

  get currency(): string {
    return this.order?.currency ?? this.menu?.currency ?? 'GBP';
  }

  /** Forgets the message on screen (the cashier dismissed it). */
  dismissError(): void {
    this.error = null;
  }

  /**
   * Queues work behind every command already tapped; marks `key` busy until it is done.
   * Resolves with the work's value, or null when it failed (the error is then on screen).
   */
  protected perform<T>(
    key: string,
    work: () => Promise<T>,
    wording: Wording = {},
    quiet = false,
  ): Promise<T | null> {
    // A new tap means the cashier has moved on from the last message (a background refresh is no tap).
    if (!quiet) this.error = null;
    this.running[key] = (this.running[key] ?? 0) + 1;
    const done = this.tail.then(work).then(
      (value) => value,
      (reason: unknown) => {
        // Cancelling the manager PIN overlay drops the command: nothing changed, nothing to say.
        if (reason instanceof ApprovalCancelled) return null;
        const e = toTillError(reason);
        this.error = shownError(e.code, e.message, wording);
        return null;
      },
    );
    this.tail = done;
    return done.finally(() => {
      this.running[key] = (this.running[key] ?? 1) - 1;
    });
  }

  /** Shows an order the core answered with, and moves on when it left the current order. */
  protected show(view: OrderView): void {
    if (view.state === 'completed') {
      this.completed = view;
      this.order = null;
    } else if (view.state === 'cancelled' || view.parked) {
      this.order = null;
    } else {
      this.order = view;
    }
  }

  /**
   * Runs a command on the displayed order; false when there is none or it failed. With `approval` (what
   * is being approved), a refusal for want of a manager opens the PIN overlay and the same command is
   * sent again with the PIN.
   */
  protected async onOrder(
    key: string,
    build: OrderCommand,
    wording: Wording = {},
    approval?: string,
  ): Promise<boolean> {
    const result = await this.perform(
      key,
      async () => {
        const order = this.order;
        const command = order ? build(order) : null;
        if (!command) return false;
        this.show(await this.runOrder(command, approval));
        return true;
      },
      wording,
    );
    return result === true;
  }

  /** Sends a command answered with an order, through the PIN overlay when it may need a manager. */
  protected runOrder(command: Command, approval?: string): Promise<OrderView> {
    if (approval === undefined || !isApprovable(command)) return runExpecting(command, 'order');
    return this.approval.run(
      (given?: ApprovalInput) => runExpecting(given ? { ...command, approval: given } : command, 'order'),
      approval,
    );
  }

  // --- Session ---------------------------------------------------------------------------------

  /** Loads the menu and picks up a session that is still open (e.g. after the window reloads). */
  async start(): Promise<void> {
    await this.perform('start', async () => {
      this.menu = await runExpecting({ cmd: 'menu' }, 'menu');
      const session = await runExpecting({ cmd: 'whoami' }, 'session');
      this.staff = session.staff;
      if (session.staff && session.current_order) {
        this.show(await runExpecting({ cmd: 'show_order', order: session.current_order }, 'order'));
      }
    });
    this.started = true;
  }

  async login(pin: string): Promise<boolean> {
    const ok = await this.perform(
      'login',
      async () => {
        const session = await runExpecting({ cmd: 'login', pin }, 'session');
        this.staff = session.staff;
        this.screen = 'order';
        this.completed = null;
        this.order = session.current_order
          ? await runExpecting({ cmd: 'show_order', order: session.current_order }, 'order')
          : null;
        this.menu ??= await runExpecting({ cmd: 'menu' }, 'menu');
        return true;
      },
      { wrong_pin: 'That PIN wasn’t recognised. Please try again.' },
    );
    return ok === true;
  }

  /** Locks the till; the core saves every order being built first. */
  async lock(): Promise<void> {
    await this.perform('lock', async () => {
      await runExpecting({ cmd: 'logout' }, 'session');
      this.staff = null;
      this.order = null;
      this.completed = null;
      this.openOrders = [];
      this.recent = [];
      this.detail = null;
      this.screen = 'order';
    });
  }

  // --- Orders ----------------------------------------------------------------------------------

  async newOrder(kind: OrderKindInput, key = 'new-order'): Promise<boolean> {
    const ok = await this.perform(key, async () => {
      this.show(await runExpecting({ cmd: 'open_order', kind }, 'order'));
      this.completed = null;
      this.screen = 'order';
      return true;
    });
    return ok === true;
  }

  /** Adds a product; with no order open, a takeaway order is opened first so selling is one tap. */
  async addLine(command: AddLine, key: string): Promise<boolean> {
    const ok = await this.perform(
      key,
      async () => {
        if (!this.order) {
          this.show(await runExpecting({ cmd: 'open_order', kind: { type: 'takeaway' } }, 'order'));
          this.completed = null;
        }
        const order = this.order as OrderView | null;
        if (!order) return false;
        this.show(await runExpecting({ ...command, order: order.id }, 'order'));
        return true;
      },
      { not_found: 'That product isn’t on the menu.' },
    );
    return ok === true;
  }

  /** Adds whatever a barcode scanner read. */
  scan(barcode: string): Promise<boolean> {
    const known = this.menu?.products.find((p) => p.barcode === barcode);
    if (!this.order && this.menu && (!known || !known.available)) {
      // Nothing would be added, so no order is opened for it; the message is the one the core would give.
      const code = known ? 'product_unavailable' : 'not_found';
      const detail = known ? `${known.name} is unavailable` : `no product with barcode ${barcode}`;
      this.error = {
        code,
        text: friendlyMessage(code, detail, { not_found: SCAN_NOT_FOUND(barcode) }),
        detail,
      };
      return Promise.resolve(false);
    }
    return this.perform(
      'scan',
      async () => {
        if (!this.order) {
          this.show(await runExpecting({ cmd: 'open_order', kind: { type: 'takeaway' } }, 'order'));
          this.completed = null;
        }
        const order = this.order as OrderView | null;
        if (!order) return false;
        this.show(await runExpecting({ cmd: 'add_line', order: order.id, barcode }, 'order'));
        return true;
      },
      { not_found: SCAN_NOT_FOUND(barcode) },
    ).then((ok) => ok === true);
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
    const name = this.order?.lines.find((l) => l.no === no)?.name ?? `line ${no}`;
    return this.onOrder(
      'void',
      (order) => ({ cmd: 'void_line', order: order.id, line: no, reason }),
      {},
      `void ${name}`,
    );
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
    return this.onOrder(
      'discount',
      (order) => ({ cmd: 'set_line_discount', order: order.id, line: no, discount }),
      {},
      this.discountWhat(discount),
    );
  }

  setOrderDiscount(discount: DiscountInput | null): Promise<boolean> {
    return this.onOrder(
      'discount',
      (order) => ({ cmd: 'set_order_discount', order: order.id, discount }),
      {},
      this.discountWhat(discount),
    );
  }

  private discountWhat(discount: DiscountInput | null): string {
    if (!discount) return 'removing a discount';
    return discount.type === 'percent'
      ? `a ${formatRate(discount.rate_bp)} discount`
      : `a ${formatMoney(discount.amount, this.currency)} discount`;
  }

  setServiceCharge(enabled: boolean, reason?: string): Promise<boolean> {
    return this.onOrder(
      'service-charge',
      (order) => ({
        cmd: 'set_service_charge',
        order: order.id,
        enabled,
        ...(reason ? { reason } : {}),
      }),
      {},
      'removing the service charge',
    );
  }

  setOrderType(kind: OrderKindInput): Promise<boolean> {
    return this.onOrder('order-type', (order) => ({ cmd: 'set_order_type', order: order.id, kind }));
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

  cancel(reason: string): Promise<boolean> {
    return this.onOrder('cancel', (order) => ({ cmd: 'cancel', order: order.id, reason }), {
      payment_rule: 'This order has payments, so it can’t be cancelled.',
    });
  }

  /** Shows the open orders list (the core saves orders being built when it is asked). */
  async showOpenOrders(): Promise<void> {
    this.screen = 'orders';
    await this.refreshOpenOrders();
  }

  async refreshOpenOrders(): Promise<void> {
    await this.perform('open-orders', async () => {
      this.openOrders = (await runExpecting({ cmd: 'open_orders' }, 'orders')).orders;
    });
  }

  async resume(id: string): Promise<boolean> {
    const ok = await this.perform(`resume-${id}`, async () => {
      this.show(await runExpecting({ cmd: 'resume', order: id }, 'order'));
      this.completed = null;
      this.screen = 'order';
      return true;
    });
    return ok === true;
  }

  showOrder(): void {
    this.screen = 'order';
  }
}
