// Recent orders (completed and cancelled) and their refunds, which a cashier needs a manager's PIN for.

import { runExpecting } from '../api';
import { sendOrderCommand, type ApprovalPrompt } from '../approval.svelte';
import type { Command, OrderView, PaymentView, RefundLineInput } from '../bindings';
import type { Navigation } from './navigation.svelte';
import type { CommandQueue } from './queue.svelte';

/** What a refund gives back: an amount, or lines and quantities. */
export type RefundRequest =
  | { readonly amount: number; readonly reason: string }
  | { readonly lines: RefundLineInput[]; readonly reason: string };

export class RecentStore {
  /** Completed and cancelled orders, newest first. */
  recent = $state.raw<OrderView[]>([]);
  /** The recent order shown in detail. */
  detail = $state.raw<OrderView | null>(null);

  constructor(
    private readonly queue: CommandQueue,
    private readonly nav: Navigation,
    private readonly approval: ApprovalPrompt,
  ) {}

  /** The till was locked: nothing of this session stays on screen. */
  reset(): void {
    this.recent = [];
    this.detail = null;
  }

  async showRecent(): Promise<void> {
    this.nav.screen = 'recent';
    await this.refreshRecent();
  }

  async refreshRecent(): Promise<void> {
    await this.queue.perform('recent', async () => {
      this.recent = (await runExpecting({ cmd: 'recent_orders', limit: 30 }, 'orders')).orders;
      const shown = this.detail;
      if (shown) this.detail = this.recent.find((o) => o.id === shown.id) ?? shown;
    });
  }

  /** Shows a recent order in detail, fresh from the core. */
  async openRecent(id: string): Promise<void> {
    await this.queue.perform(`recent-${id}`, async () => {
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
    return this.queue
      .perform(
        'refund',
        async () => {
          const command: Command = {
            cmd: 'refund',
            order: order.id,
            payment: payment.id,
            reason: request.reason,
            ...('amount' in request ? { amount: request.amount } : { lines: request.lines }),
          };
          const after = await sendOrderCommand(this.approval, command, order);
          this.detail = after;
          this.recent = this.recent.map((o) => (o.id === after.id ? after : o));
          return true;
        },
        {
          refund_rule: 'That’s more than is left to refund on this payment.',
          invalid_input: 'Choose what to refund: an amount, or items that haven’t been refunded yet.',
        },
      )
      .then((ok) => ok === true);
  }
}
