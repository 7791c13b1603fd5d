// Rates are integers in basis points at the boundary (`1250` is 12.5 %); this module shows them to people.

/** Formats basis points as a percentage without trailing zeros: 1250 → `12.5%`, 2000 → `20%`, 5 → `0.05%`. */
export function formatRate(bp: number): string {
  if (!Number.isSafeInteger(bp)) throw new RangeError(`a rate must be whole basis points, not ${bp}`);
  const sign = bp < 0 ? '-' : '';
  const magnitude = Math.abs(bp);
  const fraction = magnitude % 100;
  // Exact integer division: the remainder is taken off first, so no fractional value ever appears.
  const whole = (magnitude - fraction) / 100;
  const decimals = fraction === 0 ? '' : `.${String(fraction).padStart(2, '0').replace(/0$/, '')}`;
  return `${sign}${whole}${decimals}%`;
}
