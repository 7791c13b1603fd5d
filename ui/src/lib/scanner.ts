// Recognises a keyboard-wedge barcode scanner among ordinary key presses.
//
// A scanner "types" the barcode's digits a few milliseconds apart and ends with Enter; a person cannot
// type that fast. So a burst of at least `minLength` digits, each within `maxGapMs` of the one before and
// followed just as quickly by Enter, is a scan; anything slower is left alone (a person pressing Enter on
// a focused button must still work).

export interface ScanOptions {
  /** The longest pause between two keys of one scan. */
  readonly maxGapMs: number;
  /** The shortest barcode accepted (EAN-8 is 8; shop-made codes can be shorter). */
  readonly minLength: number;
}

export const DEFAULT_SCAN: ScanOptions = { maxGapMs: 50, minLength: 4 };

/** What one key press means to the scanner. */
export type ScanResult = { kind: 'scan'; barcode: string } | { kind: 'collecting' } | { kind: 'ignored' };

export class ScanBuffer {
  private digits = '';
  private last = Number.NEGATIVE_INFINITY;

  constructor(private readonly options: ScanOptions = DEFAULT_SCAN) {}

  /** Feeds one key (a `KeyboardEvent.key`) pressed at `at` milliseconds. */
  push(key: string, at: number): ScanResult {
    const fast = at - this.last <= this.options.maxGapMs;
    this.last = at;
    if (key.length === 1 && key >= '0' && key <= '9') {
      // A slow digit starts a new burst: it may be the first digit of a scan.
      this.digits = fast ? this.digits + key : key;
      return { kind: 'collecting' };
    }
    const barcode = this.digits;
    this.digits = '';
    if (key === 'Enter' && fast && barcode.length >= this.options.minLength) {
      return { kind: 'scan', barcode };
    }
    return { kind: 'ignored' };
  }

  /** Forgets a partial burst (when focus moves into a text field or a dialog opens). */
  reset(): void {
    this.digits = '';
    this.last = Number.NEGATIVE_INFINITY;
  }
}
