import { describe, expect, it } from 'vitest';
import { ScanBuffer, type ScanResult } from './scanner';

/** Types `keys` starting at `start`, `gap` ms apart; returns the last result. */
function type(buffer: ScanBuffer, keys: string[], gap: number, start = 1000): ScanResult {
  let result: ScanResult = { kind: 'ignored' };
  keys.forEach((key, i) => (result = buffer.push(key, start + i * gap)));
  return result;
}

const scan = (code: string) => [...code, 'Enter'];

describe('ScanBuffer', () => {
  it('recognises a fast burst of digits ending in Enter', () => {
    expect(type(new ScanBuffer(), scan('5449000000996'), 8)).toEqual({
      kind: 'scan',
      barcode: '5449000000996',
    });
  });

  it('ignores a person typing at human speed', () => {
    expect(type(new ScanBuffer(), scan('5449000000996'), 120)).toEqual({ kind: 'ignored' });
  });

  it('ignores Enter alone and too-short bursts', () => {
    expect(type(new ScanBuffer(), ['Enter'], 5)).toEqual({ kind: 'ignored' });
    expect(type(new ScanBuffer(), scan('123'), 5)).toEqual({ kind: 'ignored' });
  });

  it('starts a new burst after a pause, so stray digits before a scan do not stick to it', () => {
    const b = new ScanBuffer();
    b.push('7', 0);
    expect(type(b, scan('5010102241319'), 5, 500)).toEqual({ kind: 'scan', barcode: '5010102241319' });
  });

  it('drops the burst on any other key, and after a slow Enter', () => {
    const b = new ScanBuffer();
    expect(type(b, ['1', '2', '3', '4', 'a', 'Enter'], 5)).toEqual({ kind: 'ignored' });
    type(b, ['1', '2', '3', '4'], 5, 2000);
    expect(b.push('Enter', 2500)).toEqual({ kind: 'ignored' });
    // Nothing is left over for the next scan.
    expect(type(b, scan('9876'), 5, 3000)).toEqual({ kind: 'scan', barcode: '9876' });
  });

  it('forgets a partial burst on reset', () => {
    const b = new ScanBuffer();
    type(b, ['1', '2', '3', '4'], 5);
    b.reset();
    expect(b.push('Enter', 1020)).toEqual({ kind: 'ignored' });
  });
});
