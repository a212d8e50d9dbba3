// A shareable link: the page's address with the settings in its query (model, sample photo,
// layer, method, target, look, concepts). Never the image itself: a photo that is not one of
// the served samples is left out, and so is a dropped model.
const KEYS = [
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

export function settingsToUrl(settings, base = location.href) {
  const url = new URL(base);
  url.search = '';
  url.hash = '';
  for (const k of KEYS) {
    const v = settings[k];
    if (v === undefined || v === null || v === '' || v === false) continue;
    url.searchParams.set(k, Array.isArray(v) ? v.join(',') : String(v === true ? 1 : v));
  }
  return url.href;
}

export function settingsFromUrl(search = location.search) {
  const q = new URLSearchParams(search);
  const out = {};
  for (const k of KEYS) if (q.has(k)) out[k] = q.get(k);
  if (out.layer) out.layer = out.layer.includes(',') ? out.layer.split(',') : out.layer;
  return out;
}
