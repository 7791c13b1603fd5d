// The one command queue every area of the till sends through, and the message on screen.
//
// Three promises live here: commands run one after another in the order they were tapped (a quick
// "+ + +" never races), every command shows progress while it runs (by the key of the control that
// started it), and a failed command only sets `error` — it never clears what the cashier typed (dialogs
// close only when their command succeeds).

import { toTillError } from '../api';
import { ApprovalCancelled } from '../approval.svelte';
import { shownError, type ShownError, type Wording } from '../errors';

/** How a piece of work treats the message on screen. */
export type Mode =
  /** A tap: clears the last message first, and shows its own failure. */
  | 'tap'
  /** A background refresh: leaves the last message, shows its own failure. */
  | 'background';

export class CommandQueue {
  /** The message for the last failed command, or null. */
  error = $state.raw<ShownError | null>(null);

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

  /** Forgets the message on screen (the cashier dismissed it, or moved on). */
  dismissError(): void {
    this.error = null;
  }

  /** Shows a message that no command gave (the till knows the answer without asking). */
  show(error: ShownError): void {
    this.error = error;
  }

  /**
   * Queues work behind every command already tapped; marks `key` busy until it is done.
   * Resolves with the work's value, or null when it failed (the error is then on screen).
   */
  perform<T>(
    key: string,
    work: () => Promise<T>,
    wording: Wording = {},
    mode: Mode = 'tap',
  ): Promise<T | null> {
    // A new tap means the cashier has moved on from the last message (a background refresh is no tap).
    if (mode === 'tap') this.error = null;
    this.running[key] = (this.running[key] ?? 0) + 1;
    const done = this.tail.then(work).then(
      (value) => value,
      (reason: unknown) => {
        // Cancelling the manager PIN overlay drops the command: nothing changed, nothing to say.
        if (reason instanceof ApprovalCancelled) return null;
        const e = toTillError(reason);
        this.error = shownError(e.code, e.message, wording, e.retryAfter);
        return null;
      },
    );
    this.tail = done;
    return done.finally(() => {
      this.running[key] = (this.running[key] ?? 1) - 1;
    });
  }

  /**
   * Asks the core something that changes nothing (a tip or cash quote), in turn behind every tap, without
   * a spinner or a message: the screen that asked shows a placeholder until the answer comes, and keeps
   * it when none does. Resolves with the answer, or null.
   */
  ask<T>(work: () => Promise<T>): Promise<T | null> {
    return this.inquire(work).catch(() => null);
  }

  /**
   * Like `ask`, but a refusal is the answer too: it rejects with the `TillError`, for the screen that
   * asked to show in the core's words (a line quote missing a required choice). Still no spinner, and
   * nothing in the message on screen.
   */
  inquire<T>(work: () => Promise<T>): Promise<T> {
    const done = this.tail.then(work);
    // The next command waits for this one, whatever its answer.
    this.tail = done.catch(() => null);
    return done.catch((reason: unknown) => {
      throw toTillError(reason);
    });
  }
}
