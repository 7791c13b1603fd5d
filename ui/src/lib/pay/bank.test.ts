import { describe, expect, it } from 'vitest';
import { bankUnavailable, countdown } from './bank';

describe('pay by bank without the network', () => {
  it('is offered online, and refused plainly offline or revoked', () => {
    expect(bankUnavailable('online', false)).toBeNull();
    expect(bankUnavailable('offline', true)).toMatch(/^Needs the network: take cash or card$/);
    expect(bankUnavailable('revoked', true)).toMatch(/pair this till again/);
  });

  it('uses the simulator on a till never paired only where the simulator is shown', () => {
    expect(bankUnavailable('unpaired', true)).toBeNull();
    expect(bankUnavailable('unpaired', false)).toMatch(/not paired/);
    expect(bankUnavailable(null, false)).toBeNull();
  });
});

describe('the QR code countdown', () => {
  const expires = 1_800_000_900_000;

  it('counts minutes and seconds down, rounding seconds up', () => {
    expect(countdown(expires, expires - 15 * 60 * 1000)).toEqual({
      seconds: 900,
      text: '15:00',
      expired: false,
    });
    expect(countdown(expires, expires - 65_500)).toEqual({ seconds: 66, text: '1:06', expired: false });
    expect(countdown(expires, expires - 1)).toEqual({ seconds: 1, text: '0:01', expired: false });
  });

  it('stops at zero once expired, and says so', () => {
    expect(countdown(expires, expires)).toEqual({ seconds: 0, text: '0:00', expired: true });
    expect(countdown(expires, expires + 60_000)).toEqual({ seconds: 0, text: '0:00', expired: true });
  });

  it('has nothing to count without an expiry', () => {
    expect(countdown(null, expires)).toBeNull();
    expect(countdown(undefined, expires)).toBeNull();
    expect(countdown(Number.NaN, expires)).toBeNull();
  });
});
