// The payment screen's actions: cash, card and pay by bank, attempts waiting for their provider, split
// bills, what each method costs, and the core's quotes — what each tip button adds, and what cash handed
// over would give back — so the screen never works out money itself.

import { runExpecting, toTillError } from '../api';
import type {
  CashQuoteView,
  FeeQuoteView,
  PaymentPageView,
  PaymentView,
  ProviderTender,
  SimOutcomeInput,
  SplitInput,
  TipInput,
  TipOptionsView,
} from '../bindings';
import type { Wording } from '../errors';
import { newAttempt } from '../pay/attempts';
import type { Navigation } from './navigation.svelte';
import type { OrderCommand, OrderStore } from './orders.svelte';
import type { CommandQueue } from './queue.svelte';

/** What a card or pay-by-bank payment asks of the provider. */
export interface PayRequest {
  readonly tender: ProviderTender;
  /** Less than what is due, for a part payment; left out, everything due. */
  readonly amount?: number;
  readonly tip: TipInput;
  readonly part?: number;
  readonly simulate?: SimOutcomeInput;
}

/** What the tip prompt asks the core: the payment, the part it pays, and a custom choice being typed. */
export interface TipQuestion {
  readonly amount: number;
  readonly part?: number;
  readonly custom?: TipInput;
}

const PAYMENT_WORDING: Wording = {
  nothing_to_do: 'Nothing is due on this order.',
  storage: 'The payment couldn’t be saved, so it did not happen. Please try again.',
};

export class PaymentStore {
  /** The last card or pay-by-bank attempt made on the payment screen, to show how it went. */
  attempt = $state.raw<PaymentView | null>(null);
  /** The last cash payment that did not settle the order (a part paid with change). */
  cashTaken = $state.raw<PaymentView | null>(null);
  /** What each payment method would cost on the amount being paid. */
  fees = $state.raw<FeeQuoteView | null>(null);

  constructor(
    private readonly queue: CommandQueue,
    private readonly nav: Navigation,
    private readonly orders: OrderStore,
  ) {}

  showPayment(): void {
    if (!this.orders.order) return;
    this.dismissAttempt();
    this.nav.screen = 'pay';
  }

  /**
   * Takes cash (on one part of a split bill with `part`). With `tip`, that much of it is kept as a tip
   * ("keep the change"). When it settles the balance the order completes and `completed` holds it;
   * otherwise `cashTaken` holds the payment, for its change.
   */
  takeCash(tendered: number, options: { tip?: number; part?: number } = {}): Promise<boolean> {
    const { tip, part } = options;
    return this.queue
      .perform(
        'tender',
        async () => {
          const before = this.orders.order;
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
          this.orders.show(after);
          this.attempt = null;
          this.cashTaken = after.state === 'completed' ? null : (newAttempt(before, after) ?? null);
          return true;
        },
        { ...PAYMENT_WORDING, payment_rule: 'Enter the amount the guest handed over.' },
      )
      .then((ok) => ok === true);
  }

  /**
   * Takes a card or pay-by-bank payment through the provider. A decline is an answer, not an error: the
   * attempt comes back `failed` with a note, and `attempt` holds it so the screen can offer another try.
   */
  pay(request: PayRequest): Promise<PaymentView | null> {
    return this.queue.perform(
      'tender',
      async () => {
        const before = this.orders.order;
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
        this.orders.show(after);
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

  /**
   * The page a pay-by-bank customer pays on, with its QR code, asked afresh of the provider. Answers the
   * page, or why it cannot be shown (the attempt stopped waiting, or the provider did not answer): the QR
   * panel says so in place, with Check again beside it, and nothing else on the screen waits for it.
   */
  async page(id: string): Promise<PaymentPageView | { problem: string }> {
    const order = this.orders.order ?? this.orders.completed;
    if (!order) return { problem: 'No order is open.' };
    try {
      return await runExpecting({ cmd: 'payment_page', order: order.id, payment: id }, 'payment_page');
    } catch (reason) {
      return { problem: toTillError(reason).message };
    }
  }

  private attemptCommand(key: string, build: OrderCommand): Promise<boolean> {
    return this.orders
      .onOrder(key, build, {
        payment_rule: 'The provider didn’t answer: the payment is still pending. Try again in a moment.',
      })
      .then((ok) => {
        const shown = this.orders.order ?? this.orders.completed;
        const id = this.attempt?.id;
        if (ok && shown && id) this.attempt = shown.payments.find((p) => p.id === id) ?? null;
        return ok;
      });
  }

  /**
   * Reads the order again when the attempt shown is still waiting for its provider: the sync may
   * have recorded what the provider said (a pay-by-bank notice from the cloud), so the screen shows
   * it without the cashier tapping Check. Nothing waiting: nothing sent.
   */
  async reloadAttempt(): Promise<void> {
    const waiting = this.attempt;
    if (!waiting || (waiting.status !== 'pending' && waiting.status !== 'authorized')) return;
    await this.attemptCommand(`reload-${waiting.id}`, (order) => ({ cmd: 'show_order', order: order.id }));
  }

  /** Forgets the outcome shown for the last attempt (the cashier chose another tender). */
  dismissAttempt(): void {
    this.attempt = null;
    this.cashTaken = null;
  }

  /** Splits the bill, or clears the split with null. */
  split(split: SplitInput | null): Promise<boolean> {
    return this.orders
      .onOrder('split', (order) => ({ cmd: 'split_bill', order: order.id, split }), {
        nothing_to_do: 'Nothing is due on this order, so there is nothing to split.',
        payment_rule: 'A payment is still in progress: check it or cancel it first.',
      })
      .then((ok) => {
        if (ok) this.dismissAttempt();
        return ok;
      });
  }

  /** What each payment method would cost the restaurant on `amount` (a background refresh). */
  async loadFees(amount: number): Promise<void> {
    await this.queue.perform(
      'fees',
      async () => {
        this.fees = await runExpecting({ cmd: 'fee_quote', amount }, 'fee_quote');
      },
      {},
      'background',
    );
  }

  /** The tip prompt's buttons for a payment, and what a custom choice adds: the core works them out. */
  tipOptions(question: TipQuestion): Promise<TipOptionsView | null> {
    const order = this.orders.order;
    if (!order) return Promise.resolve(null);
    return this.queue.ask(() =>
      runExpecting(
        {
          cmd: 'tip_options',
          order: order.id,
          amount: question.amount,
          ...(question.part !== undefined ? { part: question.part } : {}),
          ...(question.custom !== undefined ? { custom: question.custom } : {}),
        },
        'tip_options',
      ),
    );
  }

  /** What cash handed over would settle and give back (with `tip` kept from it), exactly as take_cash will. */
  cashQuote(tendered: number, options: { tip?: number; part?: number } = {}): Promise<CashQuoteView | null> {
    const order = this.orders.order;
    if (!order || tendered <= 0) return Promise.resolve(null);
    return this.queue.ask(() =>
      runExpecting(
        {
          cmd: 'cash_quote',
          order: order.id,
          tendered,
          ...(options.tip !== undefined && options.tip > 0 ? { tip: options.tip } : {}),
          ...(options.part !== undefined ? { part: options.part } : {}),
        },
        'cash_quote',
      ),
    );
  }

  /** Completes an order with nothing due (for example fully discounted). */
  complete(): Promise<boolean> {
    return this.orders.onOrder('complete', (order) => ({ cmd: 'complete', order: order.id }));
  }

  /** After the change is handed over: back to an empty order screen. */
  nextOrder(): void {
    this.orders.completed = null;
    this.dismissAttempt();
    this.nav.screen = 'order';
  }
}
