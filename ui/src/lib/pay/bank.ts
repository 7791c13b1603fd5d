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
