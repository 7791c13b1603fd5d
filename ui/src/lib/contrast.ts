// WCAG 2.x contrast, used to pick black or white text for menu-coloured buttons.
//
// Menu colours come from the restaurant's menu, so the UI cannot hand-pick a text colour for each one.
// For any background, black or white reaches at least 4.58:1 (the worst case is a luminance near 0.18),
// so choosing the better of the two always meets WCAG AA for normal text (4.5:1).

/** An sRGB colour as three 0–255 channels. */
export type Rgb = readonly [number, number, number];

/** Parses `#RRGGBB` or `#RGB`; anything else is null. */
export function parseHex(hex: string): Rgb | null {
  const m = /^#([0-9a-f]{3}|[0-9a-f]{6})$/i.exec(hex.trim());
  if (!m?.[1]) return null;
  const h = m[1].length === 3 ? [...m[1]].map((c) => c + c).join('') : m[1];
  return [0, 2, 4].map((i) => Number.parseInt(h.slice(i, i + 2), 16)) as unknown as Rgb;
}

/** Relative luminance (WCAG 2.x definition). */
export function luminance([r, g, b]: Rgb): number {
  const channel = (v: number) => {
    const s = v / 255;
    return s <= 0.04045 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b);
}

/** The contrast ratio between two colours, from 1 to 21. */
export function contrastRatio(a: Rgb, b: Rgb): number {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x) as [number, number];
  return (hi + 0.05) / (lo + 0.05);
}

const BLACK: Rgb = [0, 0, 0];
const WHITE: Rgb = [255, 255, 255];

/** Black or white, whichever contrasts more with the background; black for an unreadable colour. */
export function textColourOn(background: string): '#000000' | '#ffffff' {
  const bg = parseHex(background);
  if (!bg) return '#000000';
  return contrastRatio(bg, WHITE) > contrastRatio(bg, BLACK) ? '#ffffff' : '#000000';
}

/** A usable button background: the menu's colour, or a neutral one when it is not a valid colour. */
export function safeBackground(colour: string, fallback = '#e5e7eb'): string {
  return parseHex(colour) ? colour : fallback;
}
