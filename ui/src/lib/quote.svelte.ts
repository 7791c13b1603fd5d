// A question the screen keeps asking the core as the cashier or guest types — what a custom tip adds,
// what cash handed over gives back, what a line or a discount comes to — so the screen shows the core's
// figure and never works one out. Asks are debounced (typing "1", "0", "0" asks once), only the answer
// to the latest question is kept, and until it comes `value` is null, for the screen to show a neutral
// placeholder. An ask that rejects is a refusal: `refused` then holds why, in the core's words.

import { toTillError, type TillError } from './api';

export class Quote<Q, A> {
  /** The answer to the latest question, or null while it is awaited (or there is none). */
  value = $state.raw<A | null>(null);
  /** Why the core refused the latest question, or null (answered, awaited, or none asked). */
  refused = $state.raw<TillError | null>(null);
  /** A question is waiting for its answer. */
  waiting = $state(false);
  private timer: ReturnType<typeof setTimeout> | null = null;
  private asked = 0;

  constructor(
    private readonly ask: (question: Q) => Promise<A | null>,
    private readonly delayMs = 200,
  ) {}

  /** Asks `question` (after the delay, unless another comes first); null asks nothing and clears. */
  request(question: Q | null): void {
    this.cancelTimer();
    const mine = ++this.asked;
    this.value = null;
    this.refused = null;
    this.waiting = question !== null;
    if (question === null) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.ask(question).then(
        (answer) => this.settle(mine, answer, null),
        (reason: unknown) => this.settle(mine, null, toTillError(reason)),
      );
    }, this.delayMs);
  }

  /** Stops asking (the screen closed). */
  dispose(): void {
    this.cancelTimer();
    this.asked++;
  }

  private settle(mine: number, answer: A | null, refused: TillError | null): void {
    if (mine !== this.asked) return;
    this.value = answer;
    this.refused = refused;
    this.waiting = false;
  }

  private cancelTimer(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
  }
}
