// Pure helpers of the shifts screen: the notes and coins of a count, its total, and what a count says
// against what the drawer should hold. Amounts are integer pence.

/** Sterling notes and coins, in pence, largest first (the order a drawer is counted in). */
export const DENOMINATIONS: readonly number[] = [5000, 2000, 1000, 500, 200, 100, 50, 20, 10, 5, 2, 1];

/** How many of each denomination, keyed by its value in pence (as the core takes a count). */
export type Count = Record<string, number>;

/** The most of one denomination the core accepts. */
export const MAX_PIECES = 100_000;

/** A denomination as people say it: £50, £1, 50p, 1p. */
export function denominationName(pence: number): string {
  return pence >= 100 ? `£${pence / 100}` : `${pence}p`;
}

/** The value of a count, in pence. */
export function countTotal(count: Count): number {
  return DENOMINATIONS.reduce((sum, d) => sum + d * (count[String(d)] ?? 0), 0);
}

/** A count with the zero entries left out, as the core takes it. */
export function cleanCount(count: Count): Count {
  const out: Count = {};
  for (const d of DENOMINATIONS) {
    const n = count[String(d)] ?? 0;
    if (Number.isSafeInteger(n) && n > 0) out[String(d)] = n;
  }
  return out;
}

/** Sets how many of one denomination: whole numbers from 0 to `MAX_PIECES`, anything else refused. */
export function setPieces(count: Count, pence: number, text: string): Count {
  const trimmed = text.trim();
  const n = trimmed === '' ? 0 : Number(trimmed);
  if (!/^\d*$/.test(trimmed) || !Number.isSafeInteger(n) || n > MAX_PIECES) return count;
  return { ...count, [String(pence)]: n };
}

/** What a count says against what was expected: over (positive), short (negative) or exact. */
export function overShort(
  counted: number,
  expected: number,
): { amount: number; word: 'over' | 'short' | 'exact' } {
  const amount = counted - expected;
  return { amount, word: amount > 0 ? 'over' : amount < 0 ? 'short' : 'exact' };
}

/** A report's time window as people read it. */
export function windowText(from: number, to: number): string {
  const fmt = (ms: number) =>
    new Date(ms).toLocaleString('en-GB', {
      day: '2-digit',
      month: 'short',
      hour: '2-digit',
      minute: '2-digit',
    });
  return from <= 0 ? `to ${fmt(to)}` : `${fmt(from)} to ${fmt(to)}`;
}

/** The 24 hours of a day with the sales of those that had any (the chart's bars). */
export function hoursOfDay(byHour: readonly { hour: number; orders: number; total: number }[]): number[] {
  const totals = new Array<number>(24).fill(0);
  for (const h of byHour) if (h.hour >= 0 && h.hour < 24) totals[h.hour] = h.total;
  return totals;
}

/** Pounds as typed (`12`, `12.5`, `12.50`, `£12.50`) in pence; null for anything else or nothing. */
export function parsePounds(text: string): number | null {
  const m = /^£?\s*(\d{1,5})(?:\.(\d{1,2}))?$/.exec(text.trim());
  if (!m) return null;
  const pence = Number(m[1]) * 100 + Number((m[2] ?? '').padEnd(2, '0') || '0');
  return pence > 0 ? pence : null;
}

/** A moment as a `datetime-local` input shows it (local time, to the minute). */
export function toLocalInput(ms: number): string {
  const d = new Date(ms);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/** What a `datetime-local` input holds, as milliseconds; null when it holds nothing valid. */
export function fromLocalInput(text: string): number | null {
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/.test(text)) return null;
  const ms = new Date(text).getTime();
  return Number.isFinite(ms) ? ms : null;
}
