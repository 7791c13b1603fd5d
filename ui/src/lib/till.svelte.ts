// The till this window drives, composed of one store per area over the one command queue:
//
//   queue     commands in tap order, progress per control, the message on screen (till/queue.svelte.ts)
//   session   who is logged in, the menu, PIN lockout (till/session.svelte.ts)
//   nav       which screen is shown (till/navigation.svelte.ts)
//   orders    the order being built and the open orders (till/orders.svelte.ts)
//   payments  cash, card, pay by bank, splits, fees, tip and cash quotes (till/payments.svelte.ts)
//   recent    recent orders and refunds (till/recent.svelte.ts)
//   printing  printer status, set-up, receipts and ticket previews (till/printing.svelte.ts)
//   shifts    the drawer session, X and Z reports, the audit check (till/shifts.svelte.ts)
//   staff     staff editing, PINs, the time clock, timesheets, tips (till/staff.svelte.ts)
//   approval  the manager PIN overlay's request (approval.svelte.ts)
//   sync      the sync with the cloud: its status for the top bar's badge, pairing, notes (sync.svelte.ts)
//
// Components read state from the stores and call their actions; only the stores talk to api.ts (and the
// sync store to sync.ts).

import { ApprovalPrompt } from './approval.svelte';
import { SyncStore } from './sync.svelte';
import { Navigation } from './till/navigation.svelte';
import { OrderStore } from './till/orders.svelte';
import { PaymentStore } from './till/payments.svelte';
import { PrintStore } from './till/printing.svelte';
import { CommandQueue } from './till/queue.svelte';
import { RecentStore } from './till/recent.svelte';
import { SessionStore } from './till/session.svelte';
import { ShiftStore } from './till/shifts.svelte';
import { StaffStore } from './till/staff.svelte';

export type { ShownError } from './errors';
export type { Screen } from './till/navigation.svelte';
export type { PayRequest } from './till/payments.svelte';
export type { RefundRequest } from './till/recent.svelte';

function compose() {
  const queue = new CommandQueue();
  const nav = new Navigation();
  // The session's hooks are called only after login or lock, when every store below exists.
  const session: SessionStore = new SessionStore(queue, {
    enter: (current: string | null): Promise<void> => orders.pickUp(current),
    leave: () => {
      orders.reset();
      recent.reset();
      printing.reset();
      shifts.reset();
      staff.reset();
      sync.leave();
      nav.screen = 'order';
    },
  });
  const approval = new ApprovalPrompt(session.lockout);
  const orders: OrderStore = new OrderStore(queue, nav, session, approval);
  const payments = new PaymentStore(queue, nav, orders);
  const recent: RecentStore = new RecentStore(queue, nav, approval);
  const printing: PrintStore = new PrintStore(queue, nav, approval);
  const shifts: ShiftStore = new ShiftStore(queue, nav, approval);
  const staff: StaffStore = new StaffStore(queue, approval);
  const sync: SyncStore = new SyncStore(nav, approval);
  return { queue, nav, session, approval, orders, payments, recent, printing, shifts, staff, sync } as const;
}

/** The one till this window drives. */
export const till = compose();
