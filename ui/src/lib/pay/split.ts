// The split dialog's working state, kept pure so it can be tested: who has which line in a split by item
// (tap a line, then tap guests; several guests share it with weight 1 each), and what is left to allocate
// in a split by amount. The core does every money split; this only builds the `split_bill` input.

import type { SplitInput } from '../bindings';

/** The core's limits on the number of parts (docs/commands.md, split_bill). */
export const MIN_PARTS = 2;
export const MAX_PARTS = 20;

/** A number of parts kept within 2–20. */
export function clampParts(parts: number): number {
  return Math.min(MAX_PARTS, Math.max(MIN_PARTS, Math.trunc(parts)));
}

/** Who has each line in a split by item: line number → the guests (1-based, ascending) sharing it. */
export interface Assignment {
  readonly parts: number;
  readonly guests: Readonly<Record<number, readonly number[]>>;
}

/** Nobody has anything yet. */
export function emptyAssignment(parts: number): Assignment {
  return { parts: clampParts(parts), guests: {} };
}

/** Gives a line to a guest as well, or takes it back if they had it. */
export function toggleGuest(a: Assignment, line: number, guest: number): Assignment {
  if (guest < 1 || guest > a.parts) return a;
  const now = a.guests[line] ?? [];
  const next = now.includes(guest) ? now.filter((g) => g !== guest) : [...now, guest].sort((x, y) => x - y);
  return { parts: a.parts, guests: { ...a.guests, [line]: next } };
}

/** Changes the number of guests; lines held only by guests that are gone become unassigned. */
export function setParts(a: Assignment, parts: number): Assignment {
  const n = clampParts(parts);
  const guests: Record<number, number[]> = {};
  for (const [line, list] of Object.entries(a.guests)) guests[Number(line)] = list.filter((g) => g <= n);
  return { parts: n, guests };
}

/** The guests sharing a line (empty when nobody has it). */
export function guestsOf(a: Assignment, line: number): readonly number[] {
  return a.guests[line] ?? [];
}

/** The lines (of those given) that nobody has yet; they block the split. */
export function unassigned(a: Assignment, lines: readonly number[]): number[] {
  return lines.filter((line) => guestsOf(a, line).length === 0);
}

/** The `by_item` split, or null while a line is unassigned. Each guest sharing a line has weight 1. */
export function byItemInput(a: Assignment, lines: readonly number[]): SplitInput | null {
  if (lines.length === 0 || unassigned(a, lines).length > 0) return null;
  return {
    type: 'by_item',
    parts: a.parts,
    items: lines.map((line) => {
      const mine = guestsOf(a, line);
      return { line, weights: Array.from({ length: a.parts }, (_, i) => (mine.includes(i + 1) ? 1 : 0)) };
    }),
  };
}

// Splitting by amount is the one place the UI adds amounts up, and it is bookkeeping of the cashier's own
// input, not money the till works out: the cashier types an amount per part, and the dialog shows what of
// the core's `due` they have not yet given to a part, so they can finish the split. The core checks the
// amounts again (they must add up to exactly what is due) and works out each part itself. The sums are
// exact integer arithmetic in BigInt, so no amount is ever rounded or floated.

/** What is left to allocate in a split by amount: due less the amounts so far (negative when over). */
export function remainingToAllocate(due: number, amounts: readonly number[]): number {
  const total = amounts.reduce((sum, a) => sum + BigInt(a), 0n);
  return Number(BigInt(due) - total);
}

/**
 * The amounts with part `index` (0-based) given everything still left to allocate, or null when that
 * would leave it with nothing (the parts already add up to more).
 */
export function fillRest(due: number, amounts: readonly number[], index: number): number[] | null {
  const next = BigInt(amounts[index] ?? 0) + BigInt(remainingToAllocate(due, amounts));
  if (next <= 0n) return null;
  return amounts.map((a, i) => (i === index ? Number(next) : a));
}

/** The `by_amount` split, or null unless every part is above zero and they add up to what is due. */
export function byAmountInput(due: number, amounts: readonly number[]): SplitInput | null {
  if (amounts.length < MIN_PARTS || amounts.length > MAX_PARTS) return null;
  if (amounts.some((a) => !Number.isSafeInteger(a) || a <= 0)) return null;
  if (remainingToAllocate(due, amounts) !== 0) return null;
  return { type: 'by_amount', amounts: [...amounts] };
}

/** The amounts list resized to `parts`, keeping the ones already entered. */
export function resizeAmounts(amounts: readonly number[], parts: number): number[] {
  const n = clampParts(parts);
  return Array.from({ length: n }, (_, i) => amounts[i] ?? 0);
}
