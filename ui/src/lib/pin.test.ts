import { describe, expect, it } from 'vitest';

import { pressPin } from './pin';

describe('pressPin', () => {
  it('adds digits up to six, and back and clear take them away', () => {
    let pin = '';
    for (const key of ['1', '2', '3', '4', '5', '6', '7'] as const) pin = pressPin(pin, key);
    expect(pin).toBe('123456');
    expect(pressPin(pin, 'back')).toBe('12345');
    expect(pressPin(pin, 'clear')).toBe('');
    expect(pressPin('12', '00')).toBe('12');
    expect(pressPin('', 'back')).toBe('');
  });
});
