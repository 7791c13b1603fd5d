// The one door to the till's sync with the cloud: every sync request goes through `runSync`, and nothing
// else calls `invoke('sync', …)`. Beside it, with no I/O: the sentence for each sync error code, what the
// top bar's sync badge says, how long ago the last sync was, and the checks of the pairing form.
//
// Inside the Tauri app, `sync` resolves with a `SyncReply` or rejects with a `SyncErrorBody`
// (`{code, message}`). A plain browser (the Vite dev bridge) has no sync: the till works alone there, and
// `runSync` says so with the client code `unavailable` — never a message the cashier has to dismiss.

import { invoke, isTauri } from '@tauri-apps/api/core';
import { listen } from '@tauri-apps/api/event';
import type { ShownError } from './errors';
import type { SyncCode, SyncMode, SyncReply, SyncRequest, SyncStatus } from './sync-bindings';

/** Codes the UI adds for failures that happen before the sync answers. */
export type ClientSyncCode = 'unavailable' | 'unreachable' | 'unexpected';

/** Every code a sync error can carry. */
export type SyncErrorCode = SyncCode | ClientSyncCode;

/** A failed sync request, with the code the UI chooses its message by. */
export class SyncError extends Error {
  override readonly name = 'SyncError';

  constructor(
    readonly code: SyncErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/** One sentence per code; a `Record` so a code added on the Rust side fails the build until it has one. */
const SYNC_SENTENCES: Record<SyncCode, string> = {
  offline:
    'The till can’t reach the cloud right now. It keeps selling, and sends what’s waiting when the connection is back.',
  not_paired: 'This till isn’t paired with the cloud. Pair it with a code from a manager.',
  revoked:
    'The cloud no longer accepts this till. Pair this till again with a new code; it keeps selling meanwhile.',
  invalid_input: 'That isn’t valid. Please check the cloud address, the code and the till’s name.',
  refused: 'The cloud refused the request.',
  protocol: 'The cloud’s answer didn’t make sense to this till. The till may need an update.',
  not_permitted: 'Only a manager can do that.',
  keychain: 'The till couldn’t use this computer’s keychain, where it keeps its cloud sign-in.',
  storage: 'The till couldn’t save its sync state. Please try again.',
};

const CLIENT_SENTENCES: Record<ClientSyncCode, string> = {
  unavailable: 'Sync with the cloud needs the Fynlo app. In a browser, this till works on its own.',
  unreachable: 'The till’s sync isn’t answering. The till keeps working on its own.',
  unexpected: 'The sync gave an unexpected answer. Please try again.',
};

const SENTENCES: Readonly<Record<string, string>> = { ...SYNC_SENTENCES, ...CLIENT_SENTENCES };

/** Is this string one of the sync's error codes? */
export function isSyncCode(code: unknown): code is SyncCode {
  return typeof code === 'string' && Object.prototype.hasOwnProperty.call(SYNC_SENTENCES, code);
}

/** Turns whatever a failed sync request rejected with into a `SyncError`. */
export function toSyncError(reason: unknown): SyncError {
  if (reason instanceof SyncError) return reason;
  if (typeof reason === 'object' && reason !== null && 'code' in reason) {
    const { code, message } = reason as { code: unknown; message?: unknown };
    if (isSyncCode(code)) return new SyncError(code, typeof message === 'string' ? message : code);
  }
  // Tauri rejects with a plain string when the command cannot be reached (an app built without it, an
  // IPC failure).
  const text = reason instanceof Error ? reason.message : String(reason);
  return new SyncError('unreachable', text);
}

/** Per-action wording for codes whose meaning depends on what was being done. */
export type SyncWording = Partial<Record<SyncErrorCode, string>>;

/** The error to show for a failed sync request: the action's wording, the shared sentence, the detail. */
export function shownSyncError(error: SyncError, wording: SyncWording = {}): ShownError {
  const text = wording[error.code] ?? SENTENCES[error.code] ?? error.message;
  return { code: error.code, text, detail: error.message };
}

/** Is there a sync to talk to? Only inside the Tauri app. */
export function syncAvailable(): boolean {
  return isTauri();
}

/** The event the app sends with the sync's status each time it changes. */
export const SYNC_STATUS_EVENT = 'sync-status';

/**
 * Hears the sync's status as the app sends it (the moment it changes: a payment the cloud says moved
 * is on screen within the time it takes to record it), until the returned function is called. Outside
 * the app, or if listening fails, nothing is heard and the 2 s poll carries on alone.
 */
export function hearSyncStatus(take: (status: SyncStatus) => void): () => void {
  if (!syncAvailable()) return () => {};
  let stop: (() => void) | null = null;
  let stopped = false;
  void listen<SyncStatus>(SYNC_STATUS_EVENT, (event) => take(event.payload))
    .then((unlisten) => {
      if (stopped) unlisten();
      else stop = unlisten;
    })
    .catch(() => {});
  return () => {
    stopped = true;
    stop?.();
  };
}

/** Runs one sync request; rejects with a `SyncError`. */
export async function runSync(request: SyncRequest): Promise<SyncReply> {
  if (!syncAvailable()) throw new SyncError('unavailable', 'no sync outside the Fynlo app');
  try {
    return await invoke<SyncReply>('sync', { request });
  } catch (reason) {
    throw toSyncError(reason);
  }
}

/** The sync reply of one `type`. */
export type SyncReplyOf<T extends SyncReply['type']> = Extract<SyncReply, { type: T }>;

/** Runs a sync request whose reply must be of one type, so callers get it typed. */
export async function runSyncExpecting<T extends SyncReply['type']>(
  request: SyncRequest,
  type: T,
): Promise<SyncReplyOf<T>> {
  const reply = await runSync(request);
  if (reply.type !== type) {
    throw new SyncError('unexpected', `${request.op} answered ${reply.type}, expected ${type}`);
  }
  return reply as SyncReplyOf<T>;
}

// --- The badge ------------------------------------------------------------------------------------

/** The colour of the badge's dot: green, amber, red, or grey when there is no sync. */
export type BadgeTone = 'ok' | 'warning' | 'problem' | 'none';

/** What the top bar's sync badge shows. */
export interface Badge {
  /** The mode for `data-mode`; null until the first status arrives. */
  readonly mode: SyncMode | null;
  /** The word on the badge: "Online", "Offline", "Not paired", "Pair again", "Sync off". */
  readonly word: string;
  /** Ops written and not yet acknowledged by the cloud. */
  readonly waiting: number;
  /** Whether the badge shows the ops waiting: when there are any, on a till that is or was paired. */
  readonly showWaiting: boolean;
  readonly tone: BadgeTone;
  /** The whole of it in one line: "Offline · 12 waiting". */
  readonly label: string;
}

const WORDS: Record<SyncMode, { word: string; tone: BadgeTone }> = {
  online: { word: 'Online', tone: 'ok' },
  offline: { word: 'Offline', tone: 'warning' },
  unpaired: { word: 'Not paired', tone: 'none' },
  revoked: { word: 'Pair again', tone: 'problem' },
};

/**
 * The badge for a status. Without a sync (a browser) it is "Sync off" in the unpaired mode; before the
 * first status it is "Sync" with no mode. An unpaired till's ops wait for a pairing that may never come
 * (a till meant to work alone), so its badge does not show them; the sync screen does.
 */
export function badgeOf(status: SyncStatus | null, available: boolean): Badge {
  const none = { waiting: 0, showWaiting: false, tone: 'none' } as const;
  if (!available) return { ...none, mode: 'unpaired', word: 'Sync off', label: 'Sync off' };
  if (!status) return { ...none, mode: null, word: 'Sync', label: 'Sync' };
  const { word, tone } = WORDS[status.mode];
  const waiting = Math.max(0, status.waiting);
  const showWaiting = waiting > 0 && status.mode !== 'unpaired';
  const label = showWaiting ? `${word} · ${waiting} waiting` : word;
  return { mode: status.mode, word, waiting, showWaiting, tone, label };
}

// --- Times ------------------------------------------------------------------------------------------

const two = (n: number) => String(n).padStart(2, '0');
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** "14:05", in the till's local time. */
export function clockTime(ms: number): string {
  const d = new Date(ms);
  return `${two(d.getHours())}:${two(d.getMinutes())}`;
}

/** "3 Mar 14:05", in the till's local time. */
export function dayAndTime(ms: number): string {
  const d = new Date(ms);
  return `${d.getDate()} ${MONTHS[d.getMonth()] ?? ''} ${clockTime(ms)}`;
}

/**
 * When the last sync was, for "Synced …": "just now" within a minute (or a time a little ahead of this
 * till's clock), "2 min ago" within the hour, "at 14:05" earlier today, "on 3 Mar at 14:05" before; and
 * "never" when no sync has worked yet.
 */
export function lastSyncText(at: number | null, now: number): string {
  if (at === null) return 'never';
  const ago = now - at;
  if (ago < 60_000) return 'just now';
  if (ago < 3_600_000) return `${Math.floor(ago / 60_000)} min ago`;
  const then = new Date(at);
  const today = new Date(now);
  const sameDay =
    then.getFullYear() === today.getFullYear() &&
    then.getMonth() === today.getMonth() &&
    then.getDate() === today.getDate();
  if (sameDay) return `at ${clockTime(at)}`;
  return `on ${then.getDate()} ${MONTHS[then.getMonth()] ?? ''} at ${clockTime(at)}`;
}

/**
 * The last sync for the sync screen, with its time: "Just now (14:05)", "2 min ago (14:03)", "Today at
 * 13:05", "2 Mar at 23:50", or "Never".
 */
export function lastSyncDetail(at: number | null, now: number): string {
  if (at === null) return 'Never';
  const text = lastSyncText(at, now);
  if (text.startsWith('at ')) return `Today ${text}`;
  if (text.startsWith('on ')) return text.slice(3);
  return `${text.charAt(0).toUpperCase()}${text.slice(1)} (${clockTime(at)})`;
}

// --- Pairing --------------------------------------------------------------------------------------

/** The pairing form as it is being filled in. */
export interface PairForm {
  cloud_url: string;
  code: string;
  name: string;
}

export type PairField = keyof PairForm;

/** What a pairing form checks to: what is wrong by field, or the request to send. */
export type PairCheck =
  | { readonly ok: true; readonly request: Extract<SyncRequest, { op: 'pair' }> }
  | { readonly ok: false; readonly problems: Partial<Record<PairField, string>> };

/** The most characters a till's name has. */
export const NAME_MAX = 100;

/** A pairing code: 8 of the letters and digits a manager's code is made of. */
const CODE = /^[A-Z2-9]{8}$/;

/**
 * The cloud's address tidied (spaces and trailing slashes off), or null when it is not an http(s)
 * address with a host.
 */
export function cloudUrl(text: string): string | null {
  const url = text.trim().replace(/\/+$/, '');
  if (!/^https?:\/\/[^\s/?#]+[^\s]*$/i.test(url)) return null;
  try {
    return new URL(url).hostname ? url : null;
  } catch {
    return null;
  }
}

/** A pairing code as typed, tidied: upper case, without the spaces or dashes it may be read out with. */
export function pairingCode(text: string): string {
  return text
    .trim()
    .toUpperCase()
    .replace(/[\s-]+/g, '');
}

/** Checks the pairing form the way the sync will; the cloud checks the code itself. */
export function checkPairForm(form: PairForm): PairCheck {
  const problems: Partial<Record<PairField, string>> = {};
  const url = cloudUrl(form.cloud_url);
  if (url === null) problems.cloud_url = 'Enter the cloud’s address, starting https://';
  const code = pairingCode(form.code);
  if (!CODE.test(code)) problems.code = 'The code is the 8 letters and digits a manager made in the cloud.';
  const name = form.name.trim();
  const length = [...name].length;
  // A name is one line of text: the sync refuses control characters.
  if (length === 0 || length > NAME_MAX || /[\u0000-\u001f\u007f]/.test(name)) {
    problems.name = `Give this till a name of 1 to ${NAME_MAX} characters (e.g. “Bar till”).`;
  }
  if (url === null || Object.keys(problems).length > 0) return { ok: false, problems };
  return { ok: true, request: { op: 'pair', cloud_url: url, code, name } };
}

// --- Devices and notes ----------------------------------------------------------------------------

/** A device id short enough to read out: the last 8 hex digits (a UUIDv7's start is only its time). */
export function shortDeviceId(id: string): string {
  const hex = id.replace(/-/g, '');
  return hex.length > 8 ? hex.slice(-8) : hex;
}

/** The cloud's outcome of an op it did not apply whole, in words. */
export function noteOutcome(outcome: string): { text: string; tone: 'danger' | 'warning' } {
  return outcome === 'partial'
    ? { text: 'Applied in part', tone: 'warning' }
    : { text: outcome === 'rejected' ? 'Rejected' : outcome, tone: 'danger' };
}

/** What the sync screen says about the mode, in a sentence. */
export function modeSentence(status: SyncStatus): string {
  switch (status.mode) {
    case 'online':
      return status.live
        ? 'Connected to the cloud: sales go up as they are made, and other tills’ orders come in live.'
        : 'Connected to the cloud: sales go up as they are made, and other tills’ orders come in every few seconds.';
    case 'offline':
      return 'The cloud can’t be reached. The till keeps selling; what is waiting goes up when the connection is back.';
    case 'unpaired':
      return 'This till works on its own. Pair it with the restaurant’s cloud to share orders with other tills and send sales up.';
    case 'revoked':
      return 'The cloud no longer accepts this till. The till keeps selling meanwhile, and keeps what is waiting: pair this till again with a new code from a manager to send it.';
  }
}
