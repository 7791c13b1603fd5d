// Manager approval in place. When the core refuses a command with `approval_required` (a cashier voiding
// a line, giving a large discount, removing the service charge, cancelling what the kitchen has seen,
// refunding…), the PIN overlay opens over the current screen without logging the cashier out; the same
// command is sent again with `approval: {pin}`. A wrong PIN shows its sentence and keeps the overlay open;
// too many lock PIN entry (`locked_out`): the overlay counts down and keeps the command waiting. Cancel
// drops the command and changes nothing. The retry runs inside the command queue, so taps made meanwhile
// wait their turn.

import { runExpecting, toTillError } from './api';
import { approvalWhat, isApprovable } from './approval-text';
import type { ApprovalInput, Command, OrderView } from './bindings';
import { shownError, type ShownError, type Wording } from './errors';
import { Countdown } from './lockout.svelte';

/** What the overlay shows while it waits for a manager's PIN. */
export interface ApprovalAsk {
  /** What needs approving, in a few words: "void Chips", "a refund of £4.00". */
  readonly what: string;
  /** Why the last PIN was not accepted. */
  readonly error: ShownError | null;
  /** A PIN has been entered and is being checked. */
  readonly checking: boolean;
}

/** The cashier cancelled the PIN overlay: the command is dropped and no error is shown. */
export class ApprovalCancelled extends Error {
  override readonly name = 'ApprovalCancelled';
}

/** The overlay's own wording: it is a manager's PIN that is asked for. */
const WORDING: Wording = {
  wrong_pin: 'That PIN wasn’t recognised. Please try again.',
  approval_required: 'That PIN isn’t a manager’s. A manager needs to enter their own PIN.',
  not_permitted: 'That person’s role can’t approve this. Someone whose role can must enter their PIN.',
};

/** Answers on the overlay that leave it open for another PIN. */
const TRY_AGAIN = new Set(['wrong_pin', 'approval_required', 'not_permitted', 'locked_out']);

export class ApprovalPrompt {
  /** The request on screen, or null when the overlay is closed. */
  ask = $state.raw<ApprovalAsk | null>(null);
  private answer: ((pin: string | null) => void) | null = null;

  /** `lockout` counts down while PIN entry is locked (shared with the login screen). */
  constructor(readonly lockout: Countdown = new Countdown()) {}

  /** The overlay's PIN: the command is sent again with it. */
  submit(pin: string): void {
    const answer = this.answer;
    if (!answer || !this.ask || this.ask.checking || this.lockout.active) return;
    this.answer = null;
    this.ask = { ...this.ask, checking: true };
    answer(pin);
  }

  /** The overlay's Cancel: the command is dropped. */
  cancel(): void {
    const answer = this.answer;
    if (!answer) return;
    this.answer = null;
    this.ask = null;
    answer(null);
  }

  /**
   * Sends a command with `send`; if the core says it needs a manager, asks for a PIN and sends it again
   * with `{pin}` until it is accepted, fails for another reason (thrown), or the cashier cancels
   * (`ApprovalCancelled` is thrown). While PIN entry is locked the overlay stays open, counting down.
   */
  async run<T>(send: (approval?: ApprovalInput) => Promise<T>, what: string): Promise<T> {
    try {
      return await send();
    } catch (reason) {
      // Someone else must approve: nobody yet, or the one logged in may not (their role's permissions).
      const code = toTillError(reason).code;
      if (code !== 'approval_required' && code !== 'not_permitted') throw reason;
    }
    let error: ShownError | null = null;
    try {
      for (;;) {
        const pin = await this.request(what, error);
        if (pin === null) throw new ApprovalCancelled('approval cancelled');
        try {
          const done = await send({ pin });
          this.lockout.stop();
          return done;
        } catch (reason) {
          const e = toTillError(reason);
          if (!TRY_AGAIN.has(e.code)) throw e;
          if (e.code === 'locked_out') this.lockout.start(e.retryAfter ?? 60);
          error = shownError(e.code, e.message, WORDING, e.retryAfter);
        }
      }
    } finally {
      this.answer = null;
      this.ask = null;
    }
  }

  /**
   * Sends a command that may need someone else's approval (`run`): again with `{pin}` in its `approval`
   * field when asked. `expect` sends it and checks the kind of answer.
   */
  send<T>(command: Command, what: string, expect: (c: Command) => Promise<T>): Promise<T> {
    return this.run(
      (given?: ApprovalInput) => expect(given ? ({ ...command, approval: given } as Command) : command),
      what,
    );
  }

  private request(what: string, error: ShownError | null): Promise<string | null> {
    this.ask = { what, error, checking: false };
    return new Promise((resolve) => (this.answer = resolve));
  }
}

/**
 * Sends a command answered with an order. One that may need a manager goes through the PIN overlay
 * (`prompt`), saying what is being approved of `order`; any other is simply sent.
 */
export function sendOrderCommand(
  prompt: ApprovalPrompt,
  command: Command,
  order: OrderView | null,
): Promise<OrderView> {
  if (!isApprovable(command)) return runExpecting(command, 'order');
  return prompt.send(command, approvalWhat(command, order), (c) => runExpecting(c, 'order'));
}
