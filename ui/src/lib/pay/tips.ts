// The tip prompt's custom entry: what the guest has typed, as the choice the core is asked about. A
// percentage is whole percent (1–100, sent as basis points); an amount is pence. This is input, not money
// arithmetic: what a choice adds always comes from the core (`tip_options`).

import type { TipInput } from '../bindings';

/** How the guest is typing their own tip. */
export type CustomKind = 'percent' | 'amount';

/** The largest whole percentage a guest can type. */
export const MAX_TIP_PERCENT = 100;

/** The choice the typed value makes, or null while it makes none (nothing typed, or above 100 %). */
export function customTip(kind: CustomKind, value: number): TipInput | null {
  if (!Number.isSafeInteger(value) || value <= 0) return null;
  if (kind === 'amount') return { type: 'amount', amount: value };
  // Whole percent to basis points: a change of unit, exact for every value allowed here.
  return value <= MAX_TIP_PERCENT ? { type: 'percent', rate_bp: value * 100 } : null;
}
