// The till this window drives: the core's queue, session and order actions (till-core.svelte.ts), and
// here the payment screen's actions — cash, card and pay by bank, attempts waiting for their provider,
// split bills and what each method costs — and the recent orders with their refunds.

import { runExpecting } from './api';
import type {
  Command,
  PaymentView,
  ProviderTender,
  RefundLineInput,
  SimOutcomeInput,
  SplitInput,
  TipInput,
} from './bindings';
import type { Wording } from './errors';
import { formatMoney } from './money';
import { newAttempt } from './pay/attempts';
import { TillCore, type OrderCommand } from './till-core.svelte';

export type { Screen, ShownError } from './till-core.svelte';

/** What a card or pay-by-bank payment asks of the provider. */
export interface PayRequest {
  readonly tender: ProviderTender;
  /** Less than what is due, for a part payment; left out, everything due. */
  readonly amount?: number;
  readonly tip: TipInput;
  readonly part?: number;
  readonly simulate?: SimOutcomeInput;
}

/** What a refund gives back: an amount, or lines and quantities. */
export type RefundRequest =
  | { readonly amount: number; readonly reason: string }
  | { readonly lines: RefundLineInput[]; readonly reason: string };

const PAYMENT_WORDING: Wording = {
  nothing_to_do: 'Nothing is due on this order.',
  storage: 'The payment couldn’t be saved, so it did not happen. Please try again.',
};

class Till extends TillCore {
  // --- Payment ---------------------------------------------------------------------------------

  showPayment(): void {
    if (!this.order) return;
    this.attempt = null;
    this.cashTaken = null;
    this.screen = 'pay';
  }

  /**
   * Takes cash (on one part of a split bill with `part`). With `tip`, that much of it is kept as a tip
   * ("keep the change"). When it settles the balance the order completes and `completed` holds it;
   * otherwise `cashTaken` holds the payment, for its change.
   */
  takeCash(tendered: number, options: { tip?: number; part?: number } = {}): Promise<boolean> {
    const { tip, part } = options;
    return this.perform(
      'tender',
      async () => {
        const before = this.order;
        if (!before) return false;
        const after = await runExpecting(
          {
            cmd: 'take_cash',
            order: before.id,
            tendered,
            ...(tip !== undefined && tip > 0 ? { tip } : {}),
            ...(part !== undefined ? { part } : {}),
          },
          'order',
        );
        this.show(after);
        this.attempt = null;
        this.cashTaken = after.state === 'completed' ? null : (newAttempt(before, after) ?? null);
        return true;
      },
      { ...PAYMENT_WORDING, payment_rule: 'Enter the amount the guest handed over.' },
    ).then((ok) => ok === true);
  }

  /**
   * Takes a card or pay-by-bank payment through the provider. A decline is an answer, not an error: the
   * attempt comes back `failed` with a note, and `attempt` holds it so the screen can offer another try.
   */
  pay(request: PayRequest): Promise<PaymentView | null> {
    return this.perform(
      'tender',
      async () => {
        const before = this.order;
        if (!before) return null;
        const after = await runExpecting(
          {
            cmd: 'pay',
            order: before.id,
            tender: request.tender,
            tip: request.tip,
            ...(request.amount !== undefined ? { amount: request.amount } : {}),
            ...(request.part !== undefined ? { part: request.part } : {}),
            ...(request.simulate !== undefined ? { simulate: request.simulate } : {}),
          },
          'order',
        );
        this.show(after);
        this.cashTaken = null;
        this.attempt = newAttempt(before, after) ?? null;
        return this.attempt;
      },
      {
        ...PAYMENT_WORDING,
        payment_rule:
          'That payment isn’t allowed: it is more than is due, or a payment is still in progress.',
      },
    );
  }

  /** Asks the provider again about a pending attempt. */
  checkPayment(id: string): Promise<boolean> {
    return this.attemptCommand(`check-${id}`, (order) => ({
      cmd: 'check_payment',
      order: order.id,
      payment: id,
    }));
  }

  /** Gives up on a pending attempt (at the provider too). */
  cancelPayment(id: string): Promise<boolean> {
    return this.attemptCommand(`cancel-${id}`, (order) => ({
      cmd: 'cancel_payment',
      order: order.id,
      payment: id,
    }));
  }

  private attemptCommand(key: string, build: OrderCommand): Promise<boolean> {
    return this.onOrder(key, build, {
      payment_rule: 'The provider didn’t answer: the payment is still pending. Try again in a moment.',
    }).then((ok) => {
      const shown = this.order ?? this.completed;
      const id = this.attempt?.id;
      if (ok && shown && id) this.attempt = shown.payments.find((p) => p.id === id) ?? null;
      return ok;
    });
  }

  /** Forgets the outcome shown for the last attempt (the cashier chose another tender). */
  dismissAttempt(): void {
    this.attempt = null;
    this.cashTaken = null;
  }

  /** Splits the bill, or clears the split with null. */
  split(split: SplitInput | null): Promise<boolean> {
    return this.onOrder('split', (order) => ({ cmd: 'split_bill', order: order.id, split }), {
      nothing_to_do: 'Nothing is due on this order, so there is nothing to split.',
      payment_rule: 'A payment is still in progress: check it or cancel it first.',
    }).then((ok) => {
      if (ok) this.dismissAttempt();
      return ok;
    });
  }

  /** What each payment method would cost the restaurant on `amount` (a background refresh). */
  async loadFees(amount: number): Promise<void> {
    await this.perform(
      'fees',
      async () => {
        this.fees = await runExpecting({ cmd: 'fee_quote', amount }, 'fee_quote');
      },
      {},
      true,
    );
  }

  /** Completes an order with nothing due (for example fully discounted). */
  complete(): Promise<boolean> {
    return this.onOrder('complete', (order) => ({ cmd: 'complete', order: order.id }));
  }

  /** After the change is handed over: back to an empty order screen. */
  nextOrder(): void {
    this.completed = null;
    this.attempt = null;
    this.cashTaken = null;
    this.screen = 'order';
  }

  // --- Recent orders and refunds ---------------------------------------------------------------

  async showRecent(): Promise<void> {
    this.screen = 'recent';
    await this.refreshRecent();
  }

  async refreshRecent(): Promise<void> {
    await this.perform('recent', async () => {
      this.recent = (await runExpecting({ cmd: 'recent_orders', limit: 30 }, 'orders')).orders;
      const shown = this.detail;
      if (shown) this.detail = this.recent.find((o) => o.id === shown.id) ?? shown;
    });
  }

  /** Shows a recent order in detail, fresh from the core. */
  async openRecent(id: string): Promise<void> {
    await this.perform(`recent-${id}`, async () => {
      this.detail = await runExpecting({ cmd: 'show_order', order: id }, 'order');
    });
  }

  closeRecent(): void {
    this.detail = null;
  }

  /** Refunds part or all of a payment of the order in detail; a cashier is asked for a manager's PIN. */
  refund(payment: PaymentView, request: RefundRequest): Promise<boolean> {
    const order = this.detail;
    if (!order) return Promise.resolve(false);
    const what =
      'amount' in request
        ? `a refund of ${formatMoney(request.amount, order.currency)} to ${tenderName(payment.tender)}`
        : `a refund of ${request.lines
            .map(
              (l) => `${l.quantity} × ${order.lines.find((x) => x.no === l.line)?.name ?? `line ${l.line}`}`,
            )
            .join(', ')} to ${tenderName(payment.tender)}`;
    return this.perform(
      'refund',
      async () => {
        const command: Command = {
          cmd: 'refund',
          order: order.id,
          payment: payment.id,
          reason: request.reason,
          ...('amount' in request ? { amount: request.amount } : { lines: request.lines }),
        };
        const after = await this.runOrder(command, what);
        this.detail = after;
        this.recent = this.recent.map((o) => (o.id === after.id ? after : o));
        return true;
      },
      {
        refund_rule: 'That’s more than is left to refund on this payment.',
        invalid_input: 'Choose what to refund: an amount, or items that haven’t been refunded yet.',
      },
    ).then((ok) => ok === true);
  }
}

/** How a tender is named on screen. */
export function tenderName(tender: string): string {
  return tender === 'pay_by_bank' ? 'pay by bank' : tender;
}

/** The one till this window drives. */
export const till = new Till();
