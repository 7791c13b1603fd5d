// Moving through a radio group with the keyboard (Segmented.svelte): the arrow keys go to the next or
// previous choice (round at the ends), Home and End to the first and last, skipping disabled ones.

/** A choice of a radio group, as far as moving through it goes. */
export interface Choice<T extends string> {
  readonly value: T;
  readonly disabled?: boolean | undefined;
}

const STEPS: Readonly<Record<string, 1 | -1>> = { ArrowRight: 1, ArrowDown: 1, ArrowLeft: -1, ArrowUp: -1 };

/** The choice a key moves to from `value`, or null when the key does not move (or nothing can be chosen). */
export function moveChoice<T extends string>(choices: readonly Choice<T>[], value: T, key: string): T | null {
  const enabled = choices.filter((c) => !c.disabled);
  if (enabled.length === 0) return null;
  if (key === 'Home') return enabled[0]?.value ?? null;
  if (key === 'End') return enabled[enabled.length - 1]?.value ?? null;
  const step = STEPS[key];
  if (step === undefined) return null;
  const index = enabled.findIndex((c) => c.value === value);
  // From a disabled or unknown choice, the first step lands on the first (or last) enabled one.
  const from = index === -1 ? (step > 0 ? -1 : 0) : index;
  return enabled[(from + step + enabled.length) % enabled.length]?.value ?? null;
}
