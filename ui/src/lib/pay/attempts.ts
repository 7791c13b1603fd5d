// How payment attempts read on screen: which attempt a reply added, what its note says, and the names of
// tenders and states. Nothing here decides anything about money; the core's reply does.

import type { OrderView, PaymentView } from '../bindings';

/** The attempt a reply added: the payment in `after` that `before` did not have. */
export function newAttempt(before: OrderView, after: OrderView): PaymentView | undefined {
  const known = new Set(before.payments.map((p) => p.id));
  return after.payments.find((p) => !known.has(p.id));
}

/** Is the attempt waiting for its provider (the customer must approve, or no answer came)? */
export function inFlight(p: PaymentView): boolean {
  return p.status === 'pending' || p.status === 'authorized';
}

/** The provider's note as a sentence: "declined: insufficient_funds" → "Declined: insufficient_funds". */
export function noteText(p: PaymentView): string {
  const note = p.note?.trim();
  if (!note) return STATUS_NAMES[p.status] ?? p.status;
  return note.charAt(0).toUpperCase() + note.slice(1);
}

/** Tenders as a cashier says them. */
export const TENDER_NAMES: Readonly<Record<string, string>> = {
  cash: 'Cash',
  card: 'Card',
  pay_by_bank: 'Pay by bank',
};

export function tenderLabel(tender: string): string {
  return TENDER_NAMES[tender] ?? tender;
}

/** Payment and refund states as a cashier says them. */
export const STATUS_NAMES: Readonly<Record<string, string>> = {
  pending: 'Waiting',
  authorized: 'Authorised',
  succeeded: 'Paid',
  failed: 'Failed',
  cancelled: 'Cancelled',
};

/** Refund states as a cashier says them. */
export const REFUND_STATUS_NAMES: Readonly<Record<string, string>> = {
  pending: 'Waiting',
  succeeded: 'Refunded',
  failed: 'Failed',
  cancelled: 'Cancelled',
};

/** The order's money state as a badge says it. */
export const PAYMENT_STATE_NAMES: Readonly<Record<string, string>> = {
  unpaid: 'Unpaid',
  partly_paid: 'Part paid',
  paid: 'Paid',
  partly_refunded: 'Partly refunded',
  refunded: 'Refunded',
};
