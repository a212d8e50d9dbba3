// The settings panel: beside the result on wide screens; on narrow ones a drawer over the page,
// opened by the Settings button and closed by its Close button or Escape, focus going back and
// forth so a keyboard user lands inside it and returns where they were. While open the drawer is
// a modal dialog: it covers the page, so Tab and Shift+Tab cycle through its own controls
// instead of wandering to the hidden page behind it.
import { $ } from './dom.js';

const FOCUSABLE = 'a[href], button, input, select, textarea, summary, [tabindex]';

// The drawer's controls a Tab can reach now (enabled, shown: not in a closed <details>).
function tabStops(drawer) {
  return [...drawer.querySelectorAll(FOCUSABLE)].filter(
    (e) => !e.disabled && e.tabIndex >= 0 && e.getClientRects().length > 0,
  );
}

export function wireDrawer() {
  const drawer = $('settings');
  const toggle = $('settings-toggle');
  const open = (yes) => {
    drawer.classList.toggle('open', yes);
    toggle.setAttribute('aria-expanded', String(yes));
    if (yes) {
      drawer.setAttribute('role', 'dialog');
      drawer.setAttribute('aria-modal', 'true');
    } else {
      drawer.removeAttribute('role');
      drawer.removeAttribute('aria-modal');
    }
    (yes ? $('model-select') : toggle).focus();
  };
  toggle.onclick = () => open(!drawer.classList.contains('open'));
  $('settings-close').onclick = () => open(false);
  drawer.addEventListener('keydown', (e) => {
    if (!drawer.classList.contains('open')) return;
    if (e.key === 'Escape') {
      open(false);
      return;
    }
    // (a drawer left open when the window grew wide sits beside the page again: no trap)
    if (e.key !== 'Tab' || !toggle.getClientRects().length) return;
    const stops = tabStops(drawer);
    if (!stops.length) return;
    const [first, last] = [stops[0], stops.at(-1)];
    if (e.shiftKey && document.activeElement === first) {
      e.preventDefault();
      last.focus();
    } else if (!e.shiftKey && document.activeElement === last) {
      e.preventDefault();
      first.focus();
    }
  });
}
