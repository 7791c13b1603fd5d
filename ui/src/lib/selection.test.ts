import { describe, expect, it } from 'vitest';
import type { ModifierGroupView, ProductView } from './bindings';
import {
  addLineCommand,
  canToggle,
  chooseVariant,
  emptySelection,
  groupProblem,
  groupRule,
  groupsOf,
  lineQuoteCommand,
  MAX_QUANTITY,
  needsOptions,
  selectionProblems,
  toggleModifier,
  priceParts,
  stepQuantity,
  type Selection,
} from './selection';

// Shaped like the demo restaurant (crates/app/demo/restaurant.json).
const cooking: ModifierGroupView = {
  id: 'steak-cooking',
  name: 'Cooking',
  min: 1,
  max: 1,
  modifiers: ['rare', 'medium', 'well-done'].map((id) => ({ id, name: id, price_delta: 0, available: true })),
};
const sauce: ModifierGroupView = {
  id: 'steak-sauce',
  name: 'Sauce',
  min: 0,
  max: 1,
  modifiers: [
    { id: 'peppercorn', name: 'Peppercorn sauce', price_delta: 250, available: true },
    { id: 'garlic-butter', name: 'Garlic butter', price_delta: 150, available: true },
  ],
};
const extras: ModifierGroupView = {
  id: 'burger-extras',
  name: 'Burger extras',
  min: 0,
  max: 3,
  modifiers: [
    { id: 'extra-cheese', name: 'Cheddar', price_delta: 100, available: true },
    { id: 'extra-bacon', name: 'Smoked bacon', price_delta: 150, available: true },
    { id: 'fried-egg', name: 'Fried egg', price_delta: 100, available: true },
    { id: 'jalapenos', name: 'Jalapeños', price_delta: 75, available: true },
    { id: 'avocado', name: 'Avocado', price_delta: 150, available: false },
  ],
};
const groups = [cooking, sauce, extras];

function product(overrides: Partial<ProductView>): ProductView {
  return {
    id: 'x',
    sku: 'X1',
    name: 'X',
    category: 'mains',
    price: 1000,
    vat_eat_in: 'standard',
    vat_takeaway: 'standard',
    barcode: null,
    station: 'kitchen',
    available: true,
    allergens: [],
    colour: '#922b21',
    variants: [],
    modifier_groups: [],
    ...overrides,
  };
}

const sirloin = product({ id: 'sirloin', price: 2600, modifier_groups: ['steak-cooking', 'steak-sauce'] });
const burger = product({ id: 'burger', price: 1550, modifier_groups: ['burger-extras'] });
const iceCream = product({
  id: 'ice-cream',
  price: 250,
  variants: [
    { id: 'one-scoop', name: '1 scoop', price: 250 },
    { id: 'two-scoops', name: '2 scoops', price: 450 },
  ],
});
const chips = product({ id: 'chips', price: 400 });

const mod = (group: ModifierGroupView, id: string) => {
  const m = group.modifiers.find((x) => x.id === id);
  if (!m) throw new Error(id);
  return m;
};
const tap = (sel: Selection, group: ModifierGroupView, ...ids: string[]) =>
  ids.reduce((s, id) => toggleModifier(s, group, mod(group, id)), sel);

describe('options dialog rules', () => {
  it('opens the dialog only for variants or modifiers', () => {
    expect(needsOptions(chips)).toBe(false);
    expect(needsOptions(sirloin)).toBe(true);
    expect(needsOptions(iceCream)).toBe(true);
  });

  it('finds the product groups in the product order', () => {
    expect(groupsOf(sirloin, groups).map((g) => g.id)).toEqual(['steak-cooking', 'steak-sauce']);
    expect(groupsOf(product({ modifier_groups: ['nope'] }), groups)).toEqual([]);
  });

  it('refuses a required group without a choice', () => {
    const sel = emptySelection(sirloin);
    expect(selectionProblems(sirloin, groupsOf(sirloin, groups), sel)).toEqual(['Cooking: choose 1']);
    const done = tap(sel, cooking, 'medium');
    expect(selectionProblems(sirloin, groupsOf(sirloin, groups), done)).toEqual([]);
  });

  it('treats a single-choice group like radio buttons', () => {
    const sel = tap(emptySelection(sirloin), cooking, 'rare', 'medium');
    expect(sel.modifiers['steak-cooking']).toEqual(['medium']);
    // A required single choice cannot be tapped off; an optional one can.
    expect(tap(sel, cooking, 'medium').modifiers['steak-cooking']).toEqual(['medium']);
    const withSauce = tap(sel, sauce, 'peppercorn');
    expect(tap(withSauce, sauce, 'peppercorn').modifiers['steak-sauce']).toEqual([]);
  });

  it('stops a multiple-choice group at its max', () => {
    const full = tap(emptySelection(burger), extras, 'extra-cheese', 'extra-bacon', 'fried-egg');
    expect(canToggle(full, extras, mod(extras, 'jalapenos'))).toBe(false);
    expect(tap(full, extras, 'jalapenos')).toBe(full);
    // Taking one off frees a place again.
    const two = tap(full, extras, 'extra-bacon');
    expect(two.modifiers['burger-extras']).toEqual(['extra-cheese', 'fried-egg']);
    expect(canToggle(two, extras, mod(extras, 'jalapenos'))).toBe(true);
  });

  it('never lets an unavailable modifier be chosen', () => {
    const sel = emptySelection(burger);
    expect(canToggle(sel, extras, mod(extras, 'avocado'))).toBe(false);
    expect(tap(sel, extras, 'avocado')).toBe(sel);
  });

  it('needs a variant when the product has them, and picks the only one', () => {
    const sel = emptySelection(iceCream);
    expect(selectionProblems(iceCream, [], sel)).toEqual(['Choose a size']);
    expect(selectionProblems(iceCream, [], chooseVariant(sel, 'two-scoops'))).toEqual([]);
    const single = product({ variants: [{ id: 'only', name: 'Only', price: 100 }] });
    expect(emptySelection(single).variant).toBe('only');
  });

  it('describes group rules and problems', () => {
    expect(groupRule(cooking)).toBe('Required · choose 1');
    expect(groupRule(sauce)).toBe('Optional · choose 1');
    expect(groupRule(extras)).toBe('Optional · up to 3');
    expect(groupRule({ ...extras, min: 1 })).toBe('Required · 1 to 3');
    expect(groupProblem({ ...extras, min: 2 }, ['a'])).toBe('Choose at least 2');
    expect(groupProblem(extras, ['a', 'b', 'c', 'd'])).toBe('Choose at most 3');
    expect(groupProblem(extras, [])).toBeNull();
  });

  it('lists the price’s parts without adding them up (the core prices the line)', () => {
    const sel = tap(tap(emptySelection(sirloin), cooking, 'rare'), sauce, 'peppercorn');
    expect(priceParts(sirloin, groupsOf(sirloin, groups), sel)).toEqual({
      base: 2600,
      extras: [{ name: 'Peppercorn sauce', delta: 250 }],
    });
    const b = tap(emptySelection(burger), extras, 'extra-cheese', 'jalapenos');
    expect(priceParts(burger, [extras], b).extras).toHaveLength(2);
    expect(priceParts(iceCream, [], chooseVariant(emptySelection(iceCream), 'two-scoops'))).toEqual({
      base: 450,
      extras: [],
    });
  });

  it('builds the add_line command in menu order', () => {
    const sel = tap(tap(emptySelection(sirloin), sauce, 'garlic-butter'), cooking, 'well-done');
    expect(
      addLineCommand(sirloin, groupsOf(sirloin, groups), sel, { order: 'o1', note: '  no salt ' }),
    ).toEqual({
      cmd: 'add_line',
      order: 'o1',
      product: 'sirloin',
      modifiers: ['well-done', 'garlic-butter'],
      note: 'no salt',
    });
    expect(addLineCommand(chips, [], emptySelection(chips))).toEqual({ cmd: 'add_line', product: 'chips' });
    expect(
      addLineCommand(iceCream, [], chooseVariant(emptySelection(iceCream), 'one-scoop'), { quantity: 2 }),
    ).toEqual({ cmd: 'add_line', product: 'ice-cream', variant: 'one-scoop', quantity: 2 });
  });

  it('asks line_quote for exactly what add_line would add, whatever is still missing', () => {
    const sel = tap(tap(emptySelection(sirloin), sauce, 'garlic-butter'), cooking, 'well-done');
    const sirloinGroups = groupsOf(sirloin, groups);
    expect(lineQuoteCommand(sirloin, sirloinGroups, sel, 2)).toEqual({
      cmd: 'line_quote',
      product: 'sirloin',
      modifiers: ['well-done', 'garlic-butter'],
      quantity: 2,
    });
    const added = addLineCommand(sirloin, sirloinGroups, sel, { order: 'o1', note: 'no salt', quantity: 2 });
    const quoted = lineQuoteCommand(sirloin, sirloinGroups, sel, 2);
    expect({ ...quoted, cmd: 'add_line', order: 'o1', note: 'no salt' }).toEqual(added);
    // Nothing chosen yet: the core is asked anyway, and says what is missing.
    expect(lineQuoteCommand(sirloin, sirloinGroups, emptySelection(sirloin))).toEqual({
      cmd: 'line_quote',
      product: 'sirloin',
    });
    expect(lineQuoteCommand(iceCream, [], chooseVariant(emptySelection(iceCream), 'one-scoop'))).toEqual({
      cmd: 'line_quote',
      product: 'ice-cream',
      variant: 'one-scoop',
    });
  });

  it('steps the quantity within 1–999', () => {
    expect(stepQuantity(1, 1)).toBe(2);
    expect(stepQuantity(2, -1)).toBe(1);
    expect(stepQuantity(1, -1)).toBe(1);
    expect(stepQuantity(MAX_QUANTITY, 1)).toBe(MAX_QUANTITY);
  });
});
