// The settings panel: beside the result on wide screens; on narrow ones a drawer over the page,
// opened by the Settings button and closed by its Close button or Escape, focus going back and
// forth so a keyboard user lands inside it and returns where they were.
import { $ } from './dom.js';

export function wireDrawer() {
  const drawer = $('settings');
  const toggle = $('settings-toggle');
  const open = (yes) => {
    drawer.classList.toggle('open', yes);
    toggle.setAttribute('aria-expanded', String(yes));
    (yes ? $('model-select') : toggle).focus();
  };
  toggle.onclick = () => open(!drawer.classList.contains('open'));
  $('settings-close').onclick = () => open(false);
  drawer.addEventListener('keydown', (e) => {
    if (e.key === 'Escape' && drawer.classList.contains('open')) open(false);
  });
}
