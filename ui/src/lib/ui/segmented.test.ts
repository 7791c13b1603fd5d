import { describe, expect, it } from 'vitest';
import { moveChoice } from './segmented';

const modes = [{ value: 'even' }, { value: 'by_item', disabled: true }, { value: 'by_amount' }] as const;

describe('moveChoice', () => {
  it('moves with the arrow keys, round at the ends, skipping disabled choices', () => {
    expect(moveChoice(modes, 'even', 'ArrowRight')).toBe('by_amount');
    expect(moveChoice(modes, 'even', 'ArrowDown')).toBe('by_amount');
    expect(moveChoice(modes, 'by_amount', 'ArrowRight')).toBe('even');
    expect(moveChoice(modes, 'even', 'ArrowLeft')).toBe('by_amount');
    expect(moveChoice(modes, 'by_amount', 'ArrowUp')).toBe('even');
  });

  it('goes to the first and last with Home and End', () => {
    expect(moveChoice(modes, 'by_amount', 'Home')).toBe('even');
    expect(moveChoice(modes, 'even', 'End')).toBe('by_amount');
  });

  it('ignores other keys, and a group with nothing to choose', () => {
    expect(moveChoice(modes, 'even', 'Enter')).toBeNull();
    expect(moveChoice([{ value: 'a', disabled: true }], 'a', 'ArrowRight')).toBeNull();
  });

  it('starts from the first enabled choice when the chosen one is disabled', () => {
    expect(moveChoice(modes, 'by_item', 'ArrowRight')).toBe('even');
    expect(moveChoice(modes, 'by_item', 'ArrowLeft')).toBe('by_amount');
  });
});
