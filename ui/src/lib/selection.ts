// The choices a cashier makes for one product before it is added: a variant and modifiers per group.
//
// The core enforces every rule again (`modifier_rule`); checking here lets the dialog say what is
// missing before anything is sent, and keeps "Add" disabled until the order would be accepted.

import type { Command, ModifierGroupView, ModifierView, ProductView } from './bindings';

/** What has been chosen so far: a variant id and, per group id, the chosen modifier ids in tap order. */
export interface Selection {
  readonly variant: string | null;
  readonly modifiers: Readonly<Record<string, readonly string[]>>;
}

/** The `add_line` command this module builds. */
export type AddLine = Extract<Command, { cmd: 'add_line' }>;

/** The `line_quote` command this module builds: what the line would cost, asked before it is added. */
export type LineQuote = Extract<Command, { cmd: 'line_quote' }>;

/** How many of one product a line may have (the core's limit: 1–999). */
export const MIN_QUANTITY = 1;
export const MAX_QUANTITY = 999;

/** A quantity one step up or down, kept within 1–999. */
export function stepQuantity(quantity: number, step: 1 | -1): number {
  return Math.min(MAX_QUANTITY, Math.max(MIN_QUANTITY, quantity + step));
}

/** Does adding this product need the options dialog? */
export function needsOptions(product: ProductView): boolean {
  return product.variants.length > 0 || product.modifier_groups.length > 0;
}

/** The product's modifier groups, in the product's order, skipping ids the menu does not define. */
export function groupsOf(product: ProductView, all: readonly ModifierGroupView[]): ModifierGroupView[] {
  return product.modifier_groups.flatMap((id) => all.filter((g) => g.id === id));
}

/** Nothing chosen yet, except the variant when there is only one to choose. */
export function emptySelection(product: ProductView): Selection {
  const only = product.variants.length === 1 ? product.variants[0] : undefined;
  return { variant: only ? only.id : null, modifiers: {} };
}

/** The modifiers chosen in one group. */
export function chosenIn(selection: Selection, group: ModifierGroupView): readonly string[] {
  return selection.modifiers[group.id] ?? [];
}

/** Chooses a variant. */
export function chooseVariant(selection: Selection, variant: string): Selection {
  return { ...selection, variant };
}

/** Can this modifier be tapped now? Unavailable ones never; others unless the group is full. */
export function canToggle(selection: Selection, group: ModifierGroupView, modifier: ModifierView): boolean {
  if (!modifier.available) return false;
  const chosen = chosenIn(selection, group);
  // A single-choice group behaves like radio buttons: another tap replaces the choice.
  return chosen.includes(modifier.id) || group.max === 1 || chosen.length < group.max;
}

/**
 * Taps a modifier. In a single-choice group the tap replaces the choice (and a required choice cannot
 * be tapped off, like a radio button); in a multiple-choice group it toggles, up to the group's max.
 * A tap that is not allowed returns the selection unchanged.
 */
export function toggleModifier(
  selection: Selection,
  group: ModifierGroupView,
  modifier: ModifierView,
): Selection {
  if (!canToggle(selection, group, modifier)) return selection;
  const chosen = chosenIn(selection, group);
  let next: readonly string[];
  if (chosen.includes(modifier.id)) {
    next = group.max === 1 && group.min >= 1 ? chosen : chosen.filter((id) => id !== modifier.id);
  } else {
    next = group.max === 1 ? [modifier.id] : [...chosen, modifier.id];
  }
  return { ...selection, modifiers: { ...selection.modifiers, [group.id]: next } };
}

/** What a group still needs, in words, or null when it is satisfied. */
export function groupProblem(group: ModifierGroupView, chosen: readonly string[]): string | null {
  if (chosen.length < group.min) {
    return group.min === group.max ? `Choose ${group.min}` : `Choose at least ${group.min}`;
  }
  if (chosen.length > group.max) return `Choose at most ${group.max}`;
  return null;
}

/** How a group's rule reads next to its name: "Required · choose 1", "Optional · up to 3". */
export function groupRule(group: ModifierGroupView): string {
  if (group.min === 0) return group.max === 1 ? 'Optional · choose 1' : `Optional · up to ${group.max}`;
  if (group.min === group.max) return `Required · choose ${group.min}`;
  return `Required · ${group.min} to ${group.max}`;
}

/** Everything that stops the product being added, in the dialog's order; empty when it can be added. */
export function selectionProblems(
  product: ProductView,
  groups: readonly ModifierGroupView[],
  selection: Selection,
): string[] {
  const problems: string[] = [];
  if (product.variants.length > 0 && !product.variants.some((v) => v.id === selection.variant)) {
    problems.push('Choose a size');
  }
  for (const group of groups) {
    const problem = groupProblem(group, chosenIn(selection, group));
    if (problem) problems.push(`${group.name}: ${problem.toLowerCase()}`);
  }
  return problems;
}

/** A priced choice on the line: a modifier that changes the price. */
export interface PricedChoice {
  readonly name: string;
  readonly delta: number;
}

/**
 * What one costs with these choices, as the menu prices its parts: the variant's (or product's) price
 * and each chosen modifier that changes it, in menu order. The UI shows the parts and never adds them
 * up: the line's price is the core's once it is added.
 */
export function priceParts(
  product: ProductView,
  groups: readonly ModifierGroupView[],
  selection: Selection,
): { base: number; extras: PricedChoice[] } {
  const variant = product.variants.find((v) => v.id === selection.variant);
  const extras: PricedChoice[] = [];
  for (const group of groups) {
    for (const id of chosenIn(selection, group)) {
      const modifier = group.modifiers.find((m) => m.id === id);
      if (modifier && modifier.price_delta !== 0)
        extras.push({ name: modifier.name, delta: modifier.price_delta });
    }
  }
  return { base: variant ? variant.price : product.price, extras };
}

/** The variant and modifiers as the core takes them: modifiers in the menu's group order. */
function choices(
  groups: readonly ModifierGroupView[],
  selection: Selection,
): { variant?: string; modifiers?: string[] } {
  const modifiers = groups.flatMap((g) => chosenIn(selection, g));
  return {
    ...(selection.variant ? { variant: selection.variant } : {}),
    ...(modifiers.length > 0 ? { modifiers } : {}),
  };
}

/** The `add_line` command for these choices, modifiers in the menu's group order. */
export function addLineCommand(
  product: ProductView,
  groups: readonly ModifierGroupView[],
  selection: Selection,
  extra: { order?: string; note?: string; quantity?: number } = {},
): AddLine {
  const command: AddLine = { cmd: 'add_line', product: product.id };
  if (extra.order) command.order = extra.order;
  Object.assign(command, choices(groups, selection));
  const note = extra.note?.trim();
  if (note) command.note = note;
  if (extra.quantity !== undefined && extra.quantity !== 1) command.quantity = extra.quantity;
  return command;
}

/**
 * The `line_quote` command for these choices and quantity: the same product, variant and modifiers
 * `addLineCommand` sends, so the total the dialog shows is the price the line will be added at. It is
 * asked whatever is missing: the core then says what, in its own words.
 */
export function lineQuoteCommand(
  product: ProductView,
  groups: readonly ModifierGroupView[],
  selection: Selection,
  quantity = 1,
): LineQuote {
  const command: LineQuote = { cmd: 'line_quote', product: product.id, ...choices(groups, selection) };
  if (quantity !== 1) command.quantity = quantity;
  return command;
}
