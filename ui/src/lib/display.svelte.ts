// The till's zoom and layout, applied to the page: the zoom sets the root font size (every size in the
// UI is in rem), is remembered in this till's localStorage, and follows Ctrl + / Ctrl − / Ctrl 0; the
// layout is written to `<html data-layout>` for the screens' CSS, and follows the window's size.

import {
  formatZoom,
  layoutFor,
  MAX_ZOOM,
  MIN_ZOOM,
  parseZoom,
  stepZoom,
  ZOOM_STORAGE_KEY,
  zoomKey,
  type Layout,
} from './display';

class Display {
  /** The zoom factor, 1 (100 %) to 2 (200 %). */
  zoom = $state(MIN_ZOOM);
  layout = $state<Layout>('wide');

  get label(): string {
    return formatZoom(this.zoom);
  }

  get canZoomIn(): boolean {
    return this.zoom < MAX_ZOOM;
  }

  get canZoomOut(): boolean {
    return this.zoom > MIN_ZOOM;
  }

  /** Reads the remembered zoom and starts following the keys and the window; call once, before mounting. */
  start(): void {
    this.set(parseZoom(safeStorage()?.getItem(ZOOM_STORAGE_KEY) ?? null));
    window.addEventListener('resize', () => this.measure());
    window.addEventListener('keydown', (event) => {
      const action = zoomKey(event);
      if (!action) return;
      // The till's zoom, not the browser's: the page reflows to the larger text instead of growing wider.
      event.preventDefault();
      if (action === 'in') this.zoomIn();
      else if (action === 'out') this.zoomOut();
      else this.set(MIN_ZOOM);
    });
  }

  zoomIn(): void {
    this.set(stepZoom(this.zoom, 1));
  }

  zoomOut(): void {
    this.set(stepZoom(this.zoom, -1));
  }

  reset(): void {
    this.set(MIN_ZOOM);
  }

  private set(zoom: number): void {
    this.zoom = zoom;
    // A percentage of the reader's own default size, so a larger default text size still counts.
    document.documentElement.style.fontSize = `${zoom * 100}%`;
    safeStorage()?.setItem(ZOOM_STORAGE_KEY, String(zoom));
    this.measure();
  }

  private measure(): void {
    const rootPx = parseFloat(getComputedStyle(document.documentElement).fontSize);
    this.layout = layoutFor(window.innerWidth, rootPx);
    document.documentElement.dataset.layout = this.layout;
  }
}

/** localStorage, or nothing where it is not allowed (a private window): the zoom is then not remembered. */
function safeStorage(): Storage | null {
  try {
    return window.localStorage;
  } catch {
    return null;
  }
}

/** The one display this window has. */
export const display = new Display();
