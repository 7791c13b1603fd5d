// The payment simulator: until the cloud brings the real card and pay-by-bank providers, the core's
// simulator answers every card and pay-by-bank payment, and the till says what it should do
// (`pay.simulate`). The choice is shown in dev builds and in every build that uses the simulator, which
// today is every build; a build for a real provider sets VITE_PAYMENT_SIMULATOR=off to hide it.

import type { SimOutcomeInput } from '../bindings';

export const SIMULATOR_VISIBLE: boolean =
  import.meta.env.DEV || import.meta.env['VITE_PAYMENT_SIMULATOR'] !== 'off';

/** The outcomes, as the selector names them. */
export const OUTCOMES: ReadonlyArray<{ value: SimOutcomeInput; label: string }> = [
  { value: 'approve', label: 'Approve' },
  { value: 'decline', label: 'Decline' },
  { value: 'insufficient_funds', label: 'No funds' },
  { value: 'requires_action', label: 'Needs auth' },
  { value: 'timeout', label: 'Timeout' },
];
