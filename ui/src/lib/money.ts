// Money in the UI: integer minor units only (pence for GBP), never floating point.
//
// `formatMoney` follows the en-GB rules of the Rust core (`Money::format_en_gb` in
// crates/core/src/money.rs) character for character, so an amount reads the same on screen, on the
// receipt and in the CLI. Arithmetic is done on BigInt so even amounts beyond 2^53 format exactly.

/** The symbol an en-GB reader expects; the dollar is `US$` so it is never mistaken for another dollar. */
const SYMBOLS: Readonly<Record<string, string>> = { GBP: '£', EUR: '€', USD: 'US$' };

/** Minor units per major unit for every currency the core knows (GBP, EUR, USD). */
const SCALE = 100n;

/** Turns an amount into a BigInt, refusing anything that is not an exact integer. */
function toBigInt(minor: number | bigint): bigint {
  if (typeof minor === 'bigint') return minor;
  if (!Number.isSafeInteger(minor)) {
    throw new RangeError(`an amount must be an integer number of minor units, not ${minor}`);
  }
  return BigInt(minor);
}

/** Groups the digits of a whole number in threes: `1234567` → `1,234,567`. */
function groupThousands(digits: string): string {
  let out = '';
  for (let i = 0; i < digits.length; i++) {
    if (i > 0 && (digits.length - i) % 3 === 0) out += ',';
    out += digits.charAt(i);
  }
  return out;
}

/** Formats minor units as an en-GB reader expects: `£1,234.50`, `-£3.00`, `€0.99`, `US$10.00`. */
export function formatMoney(minor: number | bigint, currency: string = 'GBP'): string {
  const units = toBigInt(minor);
  const negative = units < 0n;
  const magnitude = negative ? -units : units;
  const major = groupThousands((magnitude / SCALE).toString());
  const fraction = (magnitude % SCALE).toString().padStart(2, '0');
  // A currency the core does not know cannot reach the UI, but if one did, its code still reads clearly.
  const symbol = SYMBOLS[currency] ?? `${currency} `;
  return `${negative ? '-' : ''}${symbol}${major}.${fraction}`;
}

/** Formats a price change on a modifier: `+£1.50`, `-£0.50`; nothing for a free choice. */
export function formatDelta(minor: number, currency: string = 'GBP'): string {
  if (minor === 0) return '';
  return minor > 0 ? `+${formatMoney(minor, currency)}` : formatMoney(minor, currency);
}

// --- The amount keypad -------------------------------------------------------------------------
//
// A till keypad enters amounts the way a cash register does: digits shift in from the right, so
// pressing 1, 2, 5, 0 shows £12.50 and "00" adds two zeros. The entry is kept as a string of digits
// (never a float) and read as an integer number of minor units.

/** The keys of the amount keypad. */
export type KeypadKey = '0' | '1' | '2' | '3' | '4' | '5' | '6' | '7' | '8' | '9' | '00' | 'back' | 'clear';

/** At most £999,999.99: more than any single tender, and far inside a safe integer. */
export const MAX_ENTRY_DIGITS = 8;

/** Is this keyboard key one of the keypad's digits? */
export function isDigitKey(key: string): key is Exclude<KeypadKey, '00' | 'back' | 'clear'> {
  return key.length === 1 && key >= '0' && key <= '9';
}

/** The entry after one key press; a press that would overflow the entry is ignored. */
export function pressKey(digits: string, key: KeypadKey, maxDigits: number = MAX_ENTRY_DIGITS): string {
  switch (key) {
    case 'back':
      return digits.slice(0, -1);
    case 'clear':
      return '';
    default: {
      // Leading zeros carry no value; dropping them keeps the digit limit about real digits.
      const next = (digits + key).replace(/^0+/, '');
      return next.length > maxDigits ? digits : next;
    }
  }
}

/** The entry as minor units: `"1250"` → 1250; the empty entry is 0. */
export function entryToMinor(digits: string): number {
  if (!/^\d*$/.test(digits)) throw new RangeError(`not a keypad entry: ${digits}`);
  return digits === '' ? 0 : Number.parseInt(digits, 10);
}

/** The keypad entry that shows a given amount (for quick-cash and "exact" buttons). */
export function minorToEntry(minor: number): string {
  if (!Number.isSafeInteger(minor) || minor < 0) throw new RangeError(`not an amount to enter: ${minor}`);
  return minor === 0 ? '' : String(minor);
}

/**
 * A keypad entry that may hold a value put there by a button (Exact, a note, a preset discount):
 * the next digit then starts a new amount instead of extending that one, while Backspace edits it.
 */
export interface Entry {
  readonly digits: string;
  readonly replaceNext: boolean;
}

/** An empty entry. */
export const EMPTY_ENTRY: Entry = { digits: '', replaceNext: false };

/** An entry showing `minor`, to be replaced by the next digit. */
export function presetEntry(minor: number): Entry {
  return { digits: minorToEntry(minor), replaceNext: true };
}

/** The entry after one key press. */
export function pressEntry(entry: Entry, key: KeypadKey, maxDigits: number = MAX_ENTRY_DIGITS): Entry {
  const start = entry.replaceNext && key !== 'back' ? '' : entry.digits;
  return { digits: pressKey(start, key, maxDigits), replaceNext: false };
}
