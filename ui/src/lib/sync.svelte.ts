// The till's sync with the cloud as the screens see it: the status, sent by the app each time it
// changes and polled every 2 s besides, for the top bar's badge from the moment the app starts (login
// screen included) — a poll is a read outside the command queue, so it never makes a tap wait — and the sync screen's actions: Sync now, pair, unpair (a
// manager's, through the PIN overlay) and the cloud's notes. Without a sync (a plain browser) the store
// says why once and stops polling; nothing is shown as an error.
//
// `changesApplied` moves when the cloud brought changes to other tills' orders: a list of orders on
// screen reloads when it does.

import { untrack } from 'svelte';
import { TillError } from './api';
import { ApprovalCancelled, type ApprovalPrompt } from './approval.svelte';
import type { ApprovalInput } from './bindings';
import type { ShownError } from './errors';
import {
  checkPairForm,
  hearSyncStatus,
  runSyncExpecting,
  shownSyncError,
  SyncError,
  syncAvailable,
  toSyncError,
  type PairForm,
  type SyncWording,
} from './sync';
import type { FlaggedPaymentView, SyncNoteView, SyncStatus } from './sync-bindings';
import type { Navigation } from './till/navigation.svelte';

/** How often the status is asked for. */
export const SYNC_POLL_MS = 2_000;

/** How many of the cloud's notes the sync screen lists. */
export const NOTES_LIMIT = 100;

/** The sync screen's actions, each with its own progress and error. */
export type SyncAction = 'sync_now' | 'pair' | 'unpair';

/** The last failed action, and its message, shown beside the control that started it. */
export interface SyncFailure {
  readonly action: SyncAction;
  readonly error: ShownError;
}

const WORDING: Record<SyncAction, SyncWording> = {
  sync_now: {
    not_paired: 'This till isn’t paired with the cloud: pair it first.',
  },
  pair: {
    invalid_input:
      'The cloud refused that code: it may be mistyped, already used or expired. Check it, or ask a manager for a new one.',
    offline:
      'The till can’t reach a cloud at that address. Check the address and the connection, then try again.',
    refused: 'The cloud refused to pair this till (perhaps it belongs to another restaurant).',
  },
  unpair: {},
};

export class SyncStore {
  /** The sync's status as last polled; null until the first answer (and without a sync). */
  status = $state.raw<SyncStatus | null>(null);
  /** Why there is no sync to talk to (a browser, or an app without it); null when there is. */
  unavailable = $state.raw<ShownError | null>(null);
  /** When the status was last asked for, so "2 min ago" moves on with each poll. */
  now = $state(0);
  /** The cloud's notes, newest first; null until the sync screen loads them. */
  notes = $state.raw<SyncNoteView[] | null>(null);
  /** Why the notes could not be read. */
  notesError = $state.raw<ShownError | null>(null);
  /** The last failed action. */
  failure = $state.raw<SyncFailure | null>(null);
  /** Pay-by-bank payments the bank returned after the sale, newest first; null until loaded (and
   *  on a till that is not paired, where there are none to ask for). */
  flagged = $state.raw<FlaggedPaymentView[] | null>(null);
  /** Why they could not be read (offline, or the member logged in may not see reports). */
  flaggedError = $state.raw<ShownError | null>(null);

  private running = $state<Partial<Record<SyncAction | 'notes' | 'flagged', boolean>>>({});
  private polling: ReturnType<typeof setInterval> | null = null;
  /** Stops hearing the status the app sends as it changes. */
  private hearing: (() => void) | null = null;
  private asking = false;

  constructor(
    private readonly nav: Navigation,
    private readonly approval: ApprovalPrompt,
    private readonly clock: () => number = Date.now,
  ) {
    this.now = clock();
  }

  /** Is there a sync to talk to? */
  get available(): boolean {
    return this.unavailable === null;
  }

  /** Counts the cloud's changes applied since the app started; when it moves, orders lists are stale. */
  get changesApplied(): number {
    return this.status?.changes_applied ?? 0;
  }

  /**
   * For a component, while it is shown: runs `then` (untracked) each time the sync applies more of the
   * cloud's changes — not for what was applied before it was shown.
   */
  whenChangesApplied(then: () => void): void {
    let seen = untrack(() => this.changesApplied);
    $effect(() => {
      const applied = this.changesApplied;
      if (applied === seen) return;
      seen = applied;
      untrack(then);
    });
  }

  /** Is this action running? */
  isBusy(action: SyncAction | 'notes' | 'flagged'): boolean {
    return this.running[action] === true;
  }

  /** The message for `action`'s last failure, if that is what failed last. */
  errorOf(action: SyncAction): ShownError | null {
    return this.failure?.action === action ? this.failure.error : null;
  }

  /**
   * Polls the status every 2 s until the returned function is called; without a sync it stops at once
   * (and again when a poll finds none). A poll still running, or a window nobody can see, skips its turn.
   */
  watch(): () => void {
    this.stopWatching();
    if (!syncAvailable()) {
      this.goneAway(new SyncError('unavailable', 'no sync outside the Fynlo app'));
      return () => {};
    }
    this.unavailable = null;
    void this.poll();
    const timer = setInterval(() => void this.poll(), SYNC_POLL_MS);
    this.polling = timer;
    this.hearing = hearSyncStatus((status) => this.take(status));
    return () => {
      if (this.polling === timer) this.stopWatching();
    };
  }

  private stopWatching(): void {
    if (this.polling !== null) clearInterval(this.polling);
    this.polling = null;
    this.hearing?.();
    this.hearing = null;
  }

  private goneAway(error: SyncError): void {
    this.stopWatching();
    this.status = null;
    this.unavailable = shownSyncError(error);
  }

  private async poll(): Promise<void> {
    if (this.asking || (typeof document !== 'undefined' && document.visibilityState === 'hidden')) return;
    this.asking = true;
    try {
      this.take(await runSyncExpecting({ op: 'status' }, 'status'));
    } catch (reason) {
      const e = toSyncError(reason);
      // No sync to ask: say so once and stop. Any other failure keeps the last status for the next poll.
      if (e.code === 'unavailable' || e.code === 'unreachable') this.goneAway(e);
    } finally {
      this.asking = false;
    }
  }

  /** Takes a status the sync answered with; the notes on screen follow a change in their count. */
  private take(status: SyncStatus): void {
    const notesBefore = this.status?.notes;
    this.status = status;
    this.now = this.clock();
    if (notesBefore !== undefined && notesBefore !== status.notes && this.nav.screen === 'sync') {
      void this.loadNotes();
    }
  }

  /** Forgets the last failure (its control was opened again). */
  dismissFailure(): void {
    this.failure = null;
  }

  /** The till was locked: the sync screen's messages and notes go; the badge keeps polling. */
  leave(): void {
    this.failure = null;
    this.notes = null;
    this.notesError = null;
    this.flagged = null;
    this.flaggedError = null;
  }

  /** The sync screen, with a fresh status and notes. */
  async show(): Promise<void> {
    this.nav.screen = 'sync';
    this.failure = null;
    if (!this.available) return;
    await Promise.all([this.poll(), this.loadNotes()]);
  }

  /** Runs an action: its progress, and its failure beside it (a cancelled PIN overlay says nothing). */
  private async act(action: SyncAction, work: () => Promise<SyncStatus>): Promise<boolean> {
    if (this.running[action]) return false;
    this.failure = null;
    this.running[action] = true;
    try {
      this.take(await work());
      return true;
    } catch (reason) {
      if (reason instanceof ApprovalCancelled) return false;
      this.failure = { action, error: shownSyncError(toSyncError(reason), WORDING[action]) };
      // The failure may have changed the mode (revoked, offline): show it now rather than in 2 s.
      void this.poll();
      return false;
    } finally {
      this.running[action] = false;
    }
  }

  /** Pushes what is waiting and pulls what is new, now. */
  syncNow(): Promise<boolean> {
    return this.act('sync_now', () => runSyncExpecting({ op: 'sync_now' }, 'status'));
  }

  /** Pairs the till (again) with the form's cloud, code and name; false when the form is wrong or it failed. */
  pair(form: PairForm): Promise<boolean> {
    const checked = checkPairForm(form);
    if (!checked.ok) return Promise.resolve(false);
    return this.act('pair', () => runSyncExpecting(checked.request, 'status'));
  }

  /**
   * Unpairs the till; a cashier is asked for a manager's PIN in place. The sync answers every refusal of
   * who may unpair with `not_permitted`: without a PIN that means a manager must approve (the overlay
   * opens), with one that the PIN is not an allowed manager's (the overlay asks again).
   */
  unpair(): Promise<boolean> {
    return this.act('unpair', async () => {
      let failed: SyncError | null = null;
      const send = async (approval?: ApprovalInput) => {
        try {
          return await runSyncExpecting({ op: 'unpair', ...(approval ? { approval } : {}) }, 'status');
        } catch (reason) {
          const e = toSyncError(reason);
          if (e.code === 'not_permitted') {
            throw new TillError(approval ? 'wrong_pin' : 'approval_required', e.message);
          }
          // Kept as it is: the overlay only understands the core's codes.
          failed = e;
          throw e;
        }
      };
      try {
        return await this.approval.run(send, 'unpair this till from the cloud');
      } catch (reason) {
        throw reason instanceof ApprovalCancelled ? reason : (failed ?? reason);
      }
    });
  }

  /**
   * Reads the pay-by-bank payments the bank returned after the sale (for the shifts screen and the
   * day's report). A till never paired has none; a member who may not see reports is told so.
   */
  async loadFlagged(): Promise<void> {
    if (!this.available || this.running.flagged) return;
    if (this.status?.mode === 'unpaired') {
      this.flagged = null;
      this.flaggedError = null;
      return;
    }
    this.running.flagged = true;
    try {
      this.flagged = (await runSyncExpecting({ op: 'flagged' }, 'flagged')).payments;
      this.flaggedError = null;
    } catch (reason) {
      const error = toSyncError(reason);
      // Never paired (the status not polled yet): there are none to show.
      this.flagged = null;
      this.flaggedError =
        error.code === 'not_paired'
          ? null
          : shownSyncError(error, {
              not_permitted: 'Only a manager sees the payments the bank returned.',
            });
    } finally {
      this.running.flagged = false;
    }
  }

  /** Reads the cloud's notes on the ops it did not apply whole. */
  async loadNotes(): Promise<void> {
    if (!this.available || this.running.notes) return;
    this.running.notes = true;
    try {
      this.notes = (await runSyncExpecting({ op: 'notes', limit: NOTES_LIMIT }, 'notes')).notes;
      this.notesError = null;
    } catch (reason) {
      this.notesError = shownSyncError(toSyncError(reason));
    } finally {
      this.running.notes = false;
    }
  }
}
