// The tip prompt's preview: what each preset would add, worked out the way the core does (the tip base
// × the rate, rounded half up) in BigInt, so the guest sees the pennies they will be charged. The amount
// actually charged always comes from the core's reply; this only labels the buttons.

import type { OrderView, PartView, TipInput, TipsView } from '../bindings';

/** A percentage of a base in basis points, rounded half up: 1565 × 10 % = 156.5 → 157. */
export function percentOf(base: number, rateBp: number): number {
  if (!Number.isSafeInteger(base) || base < 0) throw new RangeError(`not a tip base: ${base}`);
  if (!Number.isSafeInteger(rateBp) || rateBp < 0) throw new RangeError(`not a rate: ${rateBp}`);
  return Number((BigInt(base) * BigInt(rateBp) + 5000n) / 10000n);
}

/**
 * What a percentage tip is taken of (crates/core/src/order/mod.rs, `tip_for`): the food and drink of the
 * bill — or of the part being paid — after discounts (or before them, by the setting), never the service
 * charge. A payment of only some of it (`amount` below the bill's or part's total) takes the same share
 * of the base: base × amount / total, rounded half up.
 */
export function tipBase(
  order: OrderView,
  part: PartView | null,
  base: TipsView['base'],
  amount: number,
): number {
  const before = part ? part.gross : order.totals.subtotal;
  const after = part ? part.gross - part.discount : order.totals.after_discounts;
  const whole = base === 'before_discounts' ? before : after;
  const total = part ? part.total : order.totals.total;
  if (total <= 0 || amount >= total || amount < 0) return whole;
  const scaled = (BigInt(whole) * BigInt(amount) * 2n + BigInt(total)) / (2n * BigInt(total));
  return Number(scaled);
}

/** The tip a choice would add on a base: what the prompt shows before the core answers. */
export function tipPreview(choice: TipInput, base: number): number {
  switch (choice.type) {
    case 'none':
      return 0;
    case 'percent':
      return percentOf(base, choice.rate_bp);
    case 'amount':
      return choice.amount;
  }
}
