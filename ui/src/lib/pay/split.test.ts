import { describe, expect, it } from 'vitest';
import {
  byAmountInput,
  byItemInput,
  clampParts,
  emptyAssignment,
  fillRest,
  guestsOf,
  remainingToAllocate,
  resizeAmounts,
  setParts,
  toggleGuest,
  unassigned,
} from './split';

describe('split by item', () => {
  const lines = [1, 2, 3, 4];

  it('gives a line to the guests tapped, weight 1 each, and builds the input', () => {
    let a = emptyAssignment(3);
    // A starter shared by all three; one main each.
    for (const g of [1, 2, 3]) a = toggleGuest(a, 1, g);
    a = toggleGuest(a, 2, 1);
    a = toggleGuest(a, 3, 2);
    a = toggleGuest(a, 4, 3);
    expect(byItemInput(a, lines)).toEqual({
      type: 'by_item',
      parts: 3,
      items: [
        { line: 1, weights: [1, 1, 1] },
        { line: 2, weights: [1, 0, 0] },
        { line: 3, weights: [0, 1, 0] },
        { line: 4, weights: [0, 0, 1] },
      ],
    });
  });

  it('takes a line back from a guest tapped twice', () => {
    let a = toggleGuest(emptyAssignment(2), 1, 2);
    a = toggleGuest(a, 1, 1);
    expect(guestsOf(a, 1)).toEqual([1, 2]);
    a = toggleGuest(a, 1, 2);
    expect(guestsOf(a, 1)).toEqual([1]);
  });

  it('blocks the split while any line is unassigned', () => {
    let a = emptyAssignment(2);
    a = toggleGuest(a, 1, 1);
    a = toggleGuest(a, 2, 2);
    expect(unassigned(a, lines)).toEqual([3, 4]);
    expect(byItemInput(a, lines)).toBeNull();
    a = toggleGuest(toggleGuest(a, 3, 1), 4, 1);
    expect(unassigned(a, lines)).toEqual([]);
    expect(byItemInput(a, lines)).not.toBeNull();
  });

  it('unassigns lines held only by guests removed when the number of guests drops', () => {
    let a = emptyAssignment(3);
    a = toggleGuest(a, 1, 3);
    a = toggleGuest(toggleGuest(a, 2, 1), 2, 3);
    a = setParts(a, 2);
    expect(a.parts).toBe(2);
    expect(guestsOf(a, 1)).toEqual([]);
    expect(guestsOf(a, 2)).toEqual([1]);
    expect(unassigned(a, [1, 2])).toEqual([1]);
  });

  it('ignores a guest that does not exist', () => {
    const a = emptyAssignment(2);
    expect(toggleGuest(a, 1, 3)).toBe(a);
    expect(toggleGuest(a, 1, 0)).toBe(a);
  });

  it('keeps between 2 and 20 parts', () => {
    expect(clampParts(1)).toBe(2);
    expect(clampParts(21)).toBe(20);
    expect(emptyAssignment(50).parts).toBe(20);
  });
});

describe('split by amount', () => {
  it('shows what is left to allocate, negative when over', () => {
    expect(remainingToAllocate(5282, [2000, 1000])).toBe(2282);
    expect(remainingToAllocate(5282, [2000, 3282])).toBe(0);
    expect(remainingToAllocate(5282, [3000, 3000])).toBe(-718);
    expect(remainingToAllocate(5282, [])).toBe(5282);
  });

  it('builds the input only when the parts add up exactly and each is above zero', () => {
    expect(byAmountInput(5282, [2000, 3282])).toEqual({ type: 'by_amount', amounts: [2000, 3282] });
    expect(byAmountInput(5282, [2000, 3281])).toBeNull();
    expect(byAmountInput(5282, [5282, 0])).toBeNull();
    expect(byAmountInput(5282, [5282])).toBeNull();
  });

  it('resizes the parts, keeping what was entered', () => {
    expect(resizeAmounts([100, 200], 3)).toEqual([100, 200, 0]);
    expect(resizeAmounts([100, 200, 300], 2)).toEqual([100, 200]);
  });
});

describe('fillRest', () => {
  it('gives the chosen part what is left, exactly', () => {
    expect(fillRest(6176, [3000, 0], 1)).toEqual([3000, 3176]);
    expect(fillRest(6176, [3000, 100], 1)).toEqual([3000, 3176]);
    expect(fillRest(Number.MAX_SAFE_INTEGER, [Number.MAX_SAFE_INTEGER - 1, 0], 1)).toEqual([
      Number.MAX_SAFE_INTEGER - 1,
      1,
    ]);
  });

  it('does nothing when the part would be left with nothing', () => {
    expect(fillRest(1000, [1000, 0], 1)).toBeNull();
    expect(fillRest(1000, [1500, 0], 1)).toBeNull();
  });
});
