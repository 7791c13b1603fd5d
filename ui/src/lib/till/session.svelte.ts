// Who is logged in, the menu, and PIN lockout: starting the till, logging in and locking it.

import { runExpecting, toTillError } from '../api';
import type { MenuView, SessionView, StaffView } from '../bindings';
import { Countdown } from '../lockout.svelte';
import type { CommandQueue } from './queue.svelte';

/** What the rest of the till does when someone logs in or the till is locked. */
export interface SessionHooks {
  /** Someone is logged in (or their session was picked up): show their current order, if any. */
  enter(currentOrder: string | null): Promise<void>;
  /** The till was locked: forget everything that was on screen. */
  leave(): void;
}

/** How long to count down when the core gave no `retry_after` (its first lockout is a minute). */
const DEFAULT_LOCKOUT_S = 60;

export class SessionStore {
  /** Who is logged in; null shows the PIN screen. */
  staff = $state.raw<StaffView | null>(null);
  menu = $state.raw<MenuView | null>(null);
  /** False until the first menu and session answers arrive. */
  started = $state(false);
  /** Counts down while PIN entry is locked (here and on the manager approval overlay). */
  readonly lockout = new Countdown();

  constructor(
    private readonly queue: CommandQueue,
    private readonly hooks: SessionHooks,
  ) {}

  /** The currency the till shows when no order says otherwise. */
  get currency(): string {
    return this.menu?.currency ?? 'GBP';
  }

  /** Loads the menu and picks up a session that is still open (e.g. after the window reloads). */
  async start(): Promise<void> {
    await this.queue.perform('start', async () => {
      this.menu = await runExpecting({ cmd: 'menu' }, 'menu');
      const session = await runExpecting({ cmd: 'whoami' }, 'session');
      this.staff = session.staff;
      this.followLockout(session);
      if (session.staff && session.current_order) await this.hooks.enter(session.current_order);
    });
    this.started = true;
  }

  /**
   * Logs in with a PIN. Too many wrong PINs lock PIN entry: the core's `retry_after` starts the
   * countdown the login screen shows instead of a message.
   */
  async login(pin: string): Promise<boolean> {
    if (this.lockout.active) return false;
    const ok = await this.queue.perform(
      'login',
      async () => {
        let session;
        try {
          session = await runExpecting({ cmd: 'login', pin }, 'session');
        } catch (reason) {
          const e = toTillError(reason);
          if (e.code !== 'locked_out') throw e;
          this.lockout.start(e.retryAfter ?? DEFAULT_LOCKOUT_S);
          return false;
        }
        this.lockout.stop();
        this.staff = session.staff;
        await this.hooks.enter(session.current_order);
        this.menu ??= await runExpecting({ cmd: 'menu' }, 'menu');
        return true;
      },
      { wrong_pin: 'That PIN wasn’t recognised. Please try again.' },
    );
    return ok === true;
  }

  /**
   * The lockout the core reports with the session (`pin_locked_for`, for PINs typed without a name), so
   * the login screen counts down as soon as it appears — after a restart or a logout — and not only after
   * the next refused PIN. No lockout stops any countdown.
   */
  private followLockout(session: SessionView): void {
    if (session.pin_locked_for !== null && session.pin_locked_for > 0)
      this.lockout.start(session.pin_locked_for);
    else this.lockout.stop();
  }

  /** Locks the till; the core saves every order being built first. */
  async lock(): Promise<void> {
    await this.queue.perform('lock', async () => {
      const session = await runExpecting({ cmd: 'logout' }, 'session');
      this.staff = null;
      this.followLockout(session);
      this.hooks.leave();
    });
  }
}
