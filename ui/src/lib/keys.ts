// Shared rules for window-wide keyboard handling (PIN pad, cash keypad, barcode scanner), so a typed key
// goes to exactly one place.

/** Is the event aimed at a field the user is typing into? Then the key belongs to that field. */
export function isTextField(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  return target.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(target.tagName);
}

/** Is the event aimed at a button, whose own Enter/Space activation must win? */
export function isButton(target: EventTarget | null): boolean {
  return (
    target instanceof HTMLElement && (target.tagName === 'BUTTON' || target.getAttribute('role') === 'button')
  );
}

/**
 * Is a modal dialog open that does not contain `element`? Keys then belong to the dialog. With modals
 * stacked (the manager PIN overlay over a void dialog), the one on top — the last in the document —
 * owns the keys.
 */
export function modalOpenOutside(element: Element | null): boolean {
  const modals = document.querySelectorAll('[aria-modal="true"]');
  const top = modals[modals.length - 1];
  return top !== undefined && !(element && top.contains(element));
}

/** Is this key press plain (no Ctrl, Alt or Meta), so it is input rather than a shortcut? */
export function isPlain(event: KeyboardEvent): boolean {
  return !event.ctrlKey && !event.altKey && !event.metaKey;
}
