// How many modal dialogs are open, so the error banner can show inside the dialog the cashier is
// looking at instead of behind it.
export const modals = $state({ open: 0 });

/** What focus can land on inside a modal layer. */
const FOCUSABLE = 'button:not([disabled]), input:not([disabled]), textarea:not([disabled]), [tabindex="0"]';

/**
 * Moves focus into a modal layer as it opens — to the element marked `data-autofocus`, else the first
 * control, else the layer itself — and returns what puts focus back where it was when it closes. A marked
 * element that is disabled (the manager overlay's Approve, until a PIN is typed) cannot take focus, so
 * the layer itself does: focus must never stay on a control behind the layer, where a typed Enter would
 * press it.
 */
export function focusInside(box: HTMLElement | undefined): () => void {
  const before = document.activeElement instanceof HTMLElement ? document.activeElement : null;
  const marked = box?.querySelector<HTMLElement>('[data-autofocus]');
  const first = marked
    ? marked.matches(':disabled')
      ? box
      : marked
    : (box?.querySelector<HTMLElement>(FOCUSABLE) ?? box);
  first?.focus();
  return () => before?.focus();
}

/** A modal layer's keys: Escape cancels, and Tab and Shift+Tab go round inside it. */
export function modalKeys(event: KeyboardEvent, box: HTMLElement | undefined, oncancel: () => void): void {
  if (event.key === 'Escape') {
    event.preventDefault();
    oncancel();
    return;
  }
  if (event.key !== 'Tab' || !box) return;
  const items = [...box.querySelectorAll<HTMLElement>(FOCUSABLE)];
  const first = items[0];
  const last = items[items.length - 1];
  if (!first || !last) return;
  if (event.shiftKey && document.activeElement === first) {
    event.preventDefault();
    last.focus();
  } else if (!event.shiftKey && document.activeElement === last) {
    event.preventDefault();
    first.focus();
  }
}
