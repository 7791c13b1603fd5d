// Accessibility basics checked on the live window: every button has an accessible name, the focused
// control shows a visible focus indicator, and text on buttons meets WCAG AA contrast (4.5:1).

/** Problems found on the current screen, as strings (empty when all is well). */
export async function accessibilityProblems(browser) {
  return browser.execute(() => {
    const problems = [];
    const parse = (colour) => {
      const m = colour.match(/rgba?\(([^)]+)\)/);
      if (!m) return null;
      const [r, g, b, a = '1'] = m[1].split(',').map((p) => p.trim());
      return { r: +r, g: +g, b: +b, a: +a };
    };
    const luminance = ({ r, g, b }) => {
      const c = [r, g, b].map((v) => {
        const s = v / 255;
        return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
      });
      return 0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2];
    };
    const background = (el) => {
      for (let node = el; node; node = node.parentElement) {
        const bg = parse(getComputedStyle(node).backgroundColor);
        if (bg && bg.a > 0.5) return bg;
      }
      return { r: 255, g: 255, b: 255, a: 1 };
    };
    for (const button of document.querySelectorAll('button, [role="button"]')) {
      const style = getComputedStyle(button);
      if (style.display === 'none' || style.visibility === 'hidden') continue;
      const labelledBy = button.getAttribute('aria-labelledby');
      const name =
        button.getAttribute('aria-label') ||
        (labelledBy && document.getElementById(labelledBy)?.textContent) ||
        button.textContent ||
        button.getAttribute('title') ||
        '';
      const id = button.dataset.testid || button.textContent?.trim().slice(0, 30) || button.outerHTML.slice(0, 60);
      if (!name.trim()) problems.push(`button without an accessible name: ${id}`);
      if (button.textContent?.trim() && !button.disabled) {
        const fg = parse(style.color);
        if (fg) {
          const l1 = luminance(fg);
          const l2 = luminance(background(button));
          const ratio = (Math.max(l1, l2) + 0.05) / (Math.min(l1, l2) + 0.05);
          if (ratio < 4.5) problems.push(`contrast ${ratio.toFixed(2)}:1 on button ${id}`);
        }
      }
    }
    return problems;
  });
}

/** Moves focus with the keyboard and reports whether the focused control shows a focus indicator. */
export async function focusIsVisible(browser) {
  await browser.keys(['Tab']);
  return browser.execute(() => {
    const el = document.activeElement;
    if (!el || el === document.body) return { ok: false, what: 'nothing took focus' };
    const style = getComputedStyle(el);
    const outline = style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0;
    const shadow = style.boxShadow && style.boxShadow !== 'none';
    return { ok: Boolean(outline || shadow), what: el.outerHTML.slice(0, 80) };
  });
}
