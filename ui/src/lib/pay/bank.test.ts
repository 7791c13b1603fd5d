import { describe, expect, it } from 'vitest';
import { bankUnavailable } from './bank';

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
