// Who is logged in, the menu, and PIN lockout: starting the till, logging in and locking it.

import { runExpecting, toTillError } from '../api';
import type { Command, MenuView, Permission, SessionView, StaffView } from '../bindings';
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
  /** What the member logged in may do. */
  permissions = $state.raw<Permission[]>([]);
  /** When the member logged in clocked in to a shift they never clocked out of. */
  forgotten = $state<number | null>(null);
  /** What the last time clock punch did, for the login screen. */
  punched = $state.raw<{ text: string; seq: number } | null>(null);

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
      this.permissions = session.permissions;
      this.forgotten = session.forgotten_clock_out ?? null;
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
        this.permissions = session.permissions;
        this.forgotten = session.forgotten_clock_out ?? null;
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
      this.permissions = [];
      this.forgotten = null;
      this.followLockout(session);
      this.hooks.leave();
    });
  }

  /** Whether the member logged in may do this (their role's permissions). */
  may(permission: Permission): boolean {
    return this.permissions.includes(permission);
  }

  /**
   * A time clock punch with a PIN, logged in or not: clock in or out, start a break (paid or not) or end
   * one. Wrong PINs count towards the lockout like any other. True when it was recorded.
   */
  async punch(
    kind: 'clock_in' | 'clock_out' | 'start_break' | 'end_break',
    pin: string,
    paid = false,
  ): Promise<boolean> {
    if (this.lockout.active) return false;
    const command: Command = kind === 'start_break' ? { cmd: 'start_break', pin, paid } : { cmd: kind, pin };
    const ok = await this.queue.perform(
      `punch-${kind}`,
      async () => {
        let view;
        try {
          view = await runExpecting(command, 'shifts');
        } catch (reason) {
          const e = toTillError(reason);
          if (e.code !== 'locked_out') throw e;
          this.lockout.start(e.retryAfter ?? DEFAULT_LOCKOUT_S);
          return false;
        }
        const shift = view.shifts[0];
        const at = new Date().toLocaleTimeString('en-GB', { hour: '2-digit', minute: '2-digit' });
        const what = {
          clock_in: 'clocked in',
          clock_out: 'clocked out',
          start_break: 'started a break',
          end_break: 'ended the break',
        }[kind];
        this.punched = {
          text: `${shift?.name ?? 'You'} ${what} at ${at}`,
          seq: (this.punched?.seq ?? 0) + 1,
        };
        if (kind === 'clock_out' && shift && this.staff?.id === shift.staff) this.forgotten = null;
        return true;
      },
      {
        wrong_pin: 'That PIN wasn’t recognised. Please try again.',
        time_clock_rule: 'That doesn’t fit your time clock: check whether you’re clocked in or on a break.',
      },
    );
    return ok === true;
  }
}
