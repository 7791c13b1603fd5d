// A question the screen keeps asking the core as the cashier or guest types — what a custom tip adds,
// what cash handed over gives back — so the screen shows the core's figure and never works one out.
// Asks are debounced (typing "1", "0", "0" asks once), only the answer to the latest question is kept,
// and until it comes `value` is null, for the screen to show a neutral placeholder.

export class Quote<Q, A> {
  /** The answer to the latest question, or null while it is awaited (or there is none). */
  value = $state.raw<A | null>(null);
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
    this.waiting = question !== null;
    if (question === null) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.ask(question).then((answer) => {
        if (mine !== this.asked) return;
        this.value = answer;
        this.waiting = false;
      });
    }, this.delayMs);
  }

  /** Stops asking (the screen closed). */
  dispose(): void {
    this.cancelTimer();
    this.asked++;
  }

  private cancelTimer(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
  }
}
