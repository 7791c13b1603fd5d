// A PIN as it is typed on a keypad: 4 to 6 digits, never shown, only counted. Shared by the login screen
// and the manager approval overlay.

import type { KeypadKey } from './money';

/** The fewest digits a PIN has. */
export const PIN_MIN = 4;
/** The most digits a PIN has. */
export const PIN_MAX = 6;

/** The PIN after a keypad key: a digit is added (up to six), back removes one, clear empties it. */
export function pressPin(pin: string, key: KeypadKey): string {
  if (key === 'back') return pin.slice(0, -1);
  if (key === 'clear') return '';
  if (pin.length < PIN_MAX && key !== '00') return pin + key;
  return pin;
}
