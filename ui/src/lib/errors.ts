// Friendly sentences for the core's error codes. The UI matches on the code, never on the message
// (docs/commands.md, "Error codes"); the message is kept as detail for a manager or for support.

import type { ErrorCode } from './bindings';

/** An error as the cashier sees it: the sentence for its code, and the core's own words as detail. */
export interface ShownError {
  readonly code: string;
  readonly text: string;
  readonly detail: string;
  /** For `locked_out`: the seconds until PIN entry opens again, as the core said. */
  readonly retryAfter?: number;
}

/** Codes the UI adds for failures that happen before the core answers. */
export type ClientErrorCode = 'unreachable' | 'unexpected';

/** Every code an error shown in the UI can carry. */
export type UiErrorCode = ErrorCode | ClientErrorCode;

/**
 * One sentence per code. `Record<ErrorCode, …>` makes the compiler refuse a build that misses a code
 * when the Rust side adds one and the bindings are regenerated.
 */
const CORE_SENTENCES: Record<ErrorCode, string> = {
  invalid_input: 'That entry isn’t valid. Please check it and try again.',
  not_logged_in: 'Please log in with your PIN first.',
  wrong_pin: 'That PIN wasn’t recognised. Please try again.',
  locked_out: 'Too many wrong PINs — PIN entry is locked for a little while.',
  not_found: 'That item or order couldn’t be found.',
  product_unavailable: 'That item is 86’d — it’s not available right now.',
  modifier_rule: 'Please check the options: a required choice is missing or too many are chosen.',
  invalid_quantity: 'Quantities must be between 1 and 999.',
  invalid_discount: 'That discount isn’t allowed: it must be more than zero and no more than the amount.',
  reason_required: 'Please give a reason for this change.',
  invalid_transition: 'The order can’t move to that stage from where it is now.',
  order_closed: 'This order is already closed (paid or cancelled).',
  line_locked: 'That item has been sent to the kitchen: void it instead of changing it.',
  order_empty: 'The order has no items yet.',
  nothing_to_do: 'There’s nothing to do: it’s already been done.',
  payment_rule: 'That payment or change isn’t allowed on this order.',
  overflow: 'That amount is too large.',
  invalid_menu: 'The menu has a problem. Please ask a manager.',
  conflict: 'That clashes with something that already exists. Please ask a manager.',
  storage: 'The till couldn’t save. Nothing was changed — please try again.',
  not_initialised: 'This till isn’t set up yet. Please ask a manager.',
  approval_required: 'A manager needs to approve this.',
  split_rule:
    'That split doesn’t work: every item must be given to a guest, and the parts must add up to what’s due.',
  refund_rule: 'That refund isn’t allowed: it’s more than is left to refund on that payment.',
  surcharge_banned: 'The guest can’t be charged the card fee: UK law bans surcharges on card payments.',
  not_permitted: 'Your role can’t do that. Ask someone whose role can.',
  session_rule: 'The cash drawer session doesn’t allow that right now.',
  time_clock_rule: 'That doesn’t fit your time clock: check whether you’re clocked in or on a break.',
};

const CLIENT_SENTENCES: Record<ClientErrorCode, string> = {
  unreachable: 'The till isn’t responding. Please try again.',
  unexpected: 'The till gave an unexpected answer. Please try again.',
};

const SENTENCES: Readonly<Record<string, string>> = { ...CORE_SENTENCES, ...CLIENT_SENTENCES };

/** Is this string one of the core's error codes? */
export function isErrorCode(code: unknown): code is ErrorCode {
  return typeof code === 'string' && Object.prototype.hasOwnProperty.call(CORE_SENTENCES, code);
}

/** Per-screen wording for codes whose meaning depends on what was being done. */
export type Wording = Partial<Record<UiErrorCode, string>>;

/** The sentence for a code: the screen's own wording, then the shared one, then the core's message. */
export function friendlyMessage(code: string, message: string, wording: Wording = {}): string {
  return (wording as Record<string, string | undefined>)[code] ?? SENTENCES[code] ?? message;
}

/** The error to show for a failed command. */
export function shownError(
  code: string,
  message: string,
  wording: Wording = {},
  retryAfter?: number,
): ShownError {
  const shown = { code, text: friendlyMessage(code, message, wording), detail: message };
  return retryAfter === undefined ? shown : { ...shown, retryAfter };
}

/**
 * A refused quote in the core's own words, shown where its figure would be ("Cooking: choose at least
 * 1"): the core's message, starting with a capital as a sentence does; for a failure the core never saw
 * (the till not answering), the sentence for its code instead.
 */
export function inCoreWords(code: string, message: string): string {
  if (!isErrorCode(code) || message.trim() === '') return friendlyMessage(code, message);
  const text = message.trim();
  return text.charAt(0).toUpperCase() + text.slice(1);
}
