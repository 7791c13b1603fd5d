// Whether pay by bank can be offered now. It needs the cloud (the customer pays on their bank's page,
// the cloud hears the bank): a paired till that is offline or revoked says so plainly and offers cash
// or card. A till never paired uses the payment simulator where it is shown (dev and demo builds);
// otherwise it has no cloud to ask.

import type { SyncMode } from '../sync-bindings';

/** Why pay by bank cannot be taken now, or null when it can. */
export function bankUnavailable(mode: SyncMode | null | undefined, simulatorShown: boolean): string | null {
  switch (mode) {
    case 'offline':
      return 'Needs the network: take cash or card';
    case 'revoked':
      return 'Needs the cloud (pair this till again): take cash or card';
    case 'unpaired':
      return simulatorShown ? null : 'Needs the cloud (this till is not paired): take cash or card';
    default:
      // Online, or no sync to ask (the app's own checks still refuse it without a cloud).
      return null;
  }
}

/** How long a pay-by-bank QR code has left, as the till counts it down. */
export interface Countdown {
  /** Whole seconds left (never below zero). */
  readonly seconds: number;
  /** "14:05": minutes and seconds. */
  readonly text: string;
  /** The code no longer works. */
  readonly expired: boolean;
}

/**
 * The time left until `expiresAt` (ms since the epoch, the provider's clock) at `now` (the till's), or
 * null when the provider gave no expiry. Seconds are rounded up, so "0:00" shows only once it has expired.
 */
export function countdown(expiresAt: number | null | undefined, now: number): Countdown | null {
  if (expiresAt === null || expiresAt === undefined || !Number.isFinite(expiresAt)) return null;
  const seconds = Math.max(0, Math.ceil((expiresAt - now) / 1000));
  const minutes = Math.floor(seconds / 60);
  const rest = seconds % 60;
  return { seconds, text: `${minutes}:${String(rest).padStart(2, '0')}`, expired: seconds === 0 };
}
