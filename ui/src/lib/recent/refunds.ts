// What is left to refund on a completed order's lines, from the refunds the core recorded (succeeded or
// still in progress, as the core counts them), so the refund dialog never offers what is gone.

import type { OrderView, RefundLineInput } from '../bindings';

/** How many of each line refunds have given back (or are giving back). */
export function refundedQuantities(order: OrderView): Map<number, number> {
  const done = new Map<number, number>();
  for (const r of order.refunds) {
    if (r.status !== 'succeeded' && r.status !== 'pending') continue;
    for (const l of r.lines) done.set(l.line, (done.get(l.line) ?? 0) + l.quantity);
  }
  return done;
}

/** How many of each live line can still be refunded. */
export function refundableQuantities(order: OrderView): Map<number, number> {
  const done = refundedQuantities(order);
  const left = new Map<number, number>();
  for (const line of order.lines) {
    if (line.void) continue;
    left.set(line.no, Math.max(0, line.quantity - (done.get(line.no) ?? 0)));
  }
  return left;
}

/** The refund's `lines`: every line with a quantity above zero, in line order. */
export function refundLines(chosen: ReadonlyMap<number, number>): RefundLineInput[] {
  return [...chosen.entries()]
    .filter(([, quantity]) => quantity > 0)
    .sort(([a], [b]) => a - b)
    .map(([line, quantity]) => ({ line, quantity }));
}
