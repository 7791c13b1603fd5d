// How big the till draws, in pure functions (display.svelte.ts applies them): the zoom factor a cashier
// chooses (Ctrl + / Ctrl − / Ctrl 0, or the top bar's buttons), remembered on this till, and the layout
// the window leaves room for at that size.
//
// Zoom scales the root font size, and every size in the UI is in rem, so 200 % is the same page as a
// window half as wide and half as tall (WCAG 1.4.4 and 1.4.10). The layout is chosen from the window's
// width in rem, so browser zoom and a larger default text size reflow the screens the same way.

/** The zoom steps, from 100 % to 200 %. */
export const ZOOM_STEPS = [1, 1.1, 1.25, 1.5, 1.75, 2] as const;
export const MIN_ZOOM = 1;
export const MAX_ZOOM = 2;

/** Where this till remembers its zoom. */
export const ZOOM_STORAGE_KEY = 'fynlo.zoom';

/** The next step up (`1`) or down (`-1`) from `zoom`, staying within 100–200 %. */
export function stepZoom(zoom: number, direction: 1 | -1): number {
  if (direction > 0) return ZOOM_STEPS.find((z) => z > zoom + 1e-9) ?? MAX_ZOOM;
  return [...ZOOM_STEPS].reverse().find((z) => z < zoom - 1e-9) ?? MIN_ZOOM;
}

/** A remembered zoom, or 100 % when there is none or it is not one of the steps. */
export function parseZoom(stored: string | null): number {
  const value = stored === null ? NaN : Number(stored);
  return ZOOM_STEPS.find((z) => z === value) ?? MIN_ZOOM;
}

/** A zoom as a person reads it: 1.25 → "125%". */
export function formatZoom(zoom: number): string {
  return `${Math.round(zoom * 100)}%`;
}

/** What a key press does to the zoom: Ctrl (or ⌘) with +/=, − or 0; null for any other key. */
export function zoomKey(
  event: Pick<KeyboardEvent, 'key' | 'ctrlKey' | 'metaKey' | 'altKey'>,
): 'in' | 'out' | 'reset' | null {
  if (!(event.ctrlKey || event.metaKey) || event.altKey) return null;
  switch (event.key) {
    case '+':
    case '=':
    case 'Add':
      return 'in';
    case '-':
    case '_':
    case 'Subtract':
      return 'out';
    case '0':
      return 'reset';
    default:
      return null;
  }
}

/**
 * The layout a window leaves room for, by its width in rem (its width in CSS pixels over the root font
 * size): `wide` keeps the screens' two columns side by side; `narrow` stacks them in one column that
 * scrolls. 46 rem is where the order screen's product grid (two tiles) and ticket stop fitting side by side.
 */
export type Layout = 'wide' | 'narrow';

export const NARROW_BELOW_REM = 46;

export function layoutFor(widthPx: number, rootFontPx: number): Layout {
  if (!(widthPx > 0) || !(rootFontPx > 0)) return 'wide';
  return widthPx / rootFontPx < NARROW_BELOW_REM ? 'narrow' : 'wide';
}
