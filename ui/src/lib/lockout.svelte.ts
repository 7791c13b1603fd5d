// PIN lockout as the till shows it. After too many wrong PINs the core refuses every PIN with
// `locked_out` and says how many seconds are left (`retry_after`); the login screen and the manager
// approval overlay count that down live ("try again in 0:53"), keep PIN entry disabled meanwhile, and open
// it again at zero. One countdown serves both screens: PINs typed without a name are counted for the till
// as a whole, wherever they were typed.

/** Whole seconds left until `until` (ms since the epoch), never below zero; a part second counts as one. */
export function secondsLeft(until: number, now: number): number {
  return Math.max(0, Math.ceil((until - now) / 1000));
}

/** A wait as a clock reads it: 53 → "0:53", 125 → "2:05", 900 → "15:00". */
export function formatCountdown(seconds: number): string {
  const whole = Math.max(0, Math.ceil(seconds));
  const minutes = Math.floor(whole / 60);
  return `${minutes}:${String(whole % 60).padStart(2, '0')}`;
}

/** How often the countdown looks at the clock: often enough that the seconds never lag visibly. */
const TICK_MS = 250;

export class Countdown {
  /** Seconds left; 0 when PIN entry is open. */
  left = $state(0);
  private until = 0;
  private timer: ReturnType<typeof setInterval> | null = null;

  constructor(private readonly now: () => number = Date.now) {}

  /** Is PIN entry locked now? */
  get active(): boolean {
    return this.left > 0;
  }

  /** The core said PIN entry is locked for `seconds`: count down from there. */
  start(seconds: number): void {
    this.until = this.now() + Math.max(0, seconds) * 1000;
    this.tick();
    if (this.left > 0 && this.timer === null) this.timer = setInterval(() => this.tick(), TICK_MS);
  }

  /** Forgets the lockout (a PIN was accepted). */
  stop(): void {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
    this.left = 0;
  }

  private tick(): void {
    const left = secondsLeft(this.until, this.now());
    if (left === 0) this.stop();
    else this.left = left;
  }
}
