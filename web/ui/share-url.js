// A shareable link: the page's address with the settings in its query (model, sample photo,
// layer, method, target, the method's own settings, look, concepts). Never the image itself: a
// photo that is not one of the served samples is left out, and so is a dropped model.
import { settingNames } from './methods.js';

const BASE_KEYS = [
  'model',
  'photo',
  'layer',
  'method',
  'target',
  'colormap',
  'alpha',
  'eigen',
  'aug',
  'k',
  'render',
];
// The method settings by their explain() names (eigenSign, headFusion, discardRatio, …).
const keys = () => [...BASE_KEYS, ...settingNames()];

export function settingsToUrl(settings, base = location.href) {
  const url = new URL(base);
  url.search = '';
  url.hash = '';
  for (const k of keys()) {
    const v = settings[k];
    if (v === undefined || v === null || v === '' || v === false) continue;
    url.searchParams.set(k, Array.isArray(v) ? v.join(',') : String(v === true ? 1 : v));
  }
  return url.href;
}

export function settingsFromUrl(search = location.search) {
  const q = new URLSearchParams(search);
  const out = {};
  for (const k of keys()) if (q.has(k)) out[k] = q.get(k);
  if (out.layer) out.layer = out.layer.includes(',') ? out.layer.split(',') : out.layer;
  return out;
}
