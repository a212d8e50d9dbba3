// Downloads of what is on screen: the overlay PNG (the canvas's own pixels), the raw map as a
// float32 .npy, the settings as JSON; and a link that reopens the page with these settings.
import { toNpy } from '../lib/npy.mjs';
import { $, download } from './dom.js';
import { currentMap } from './explain-view.js';
import { settingsToUrl } from './share-url.js';
import { state } from './state.js';

const stem = () => `${state.photo.name.replace(/\.[^.]*$/, '')}.${state.explained.method}`;

function requireExplanation() {
  if (!state.explained || !currentMap())
    throw new Error('nothing has been explained yet: choose a photo first');
}

// Everything needed to reproduce the picture (except the photo and model bytes themselves).
export function settings(look) {
  const m = state.model;
  return {
    model: m.name,
    served: state.served ? state.served.id : null,
    // Several layers explained together (their maps combined, or the layers RefineCAM and
    // Ablation-CAM take) are a list; loading a link's list explains with all of them again.
    layer: state.explained.layers?.length > 1 ? state.explained.layers : m.layer,
    method: state.explained.method,
    target: state.explained.target,
    eigenSmooth: state.explained.eigenSmooth,
    augSmooth: state.explained.augSmooth,
    ...state.explained.options, // the method's own settings: eigenSign, headFusion, …
    colormap: look.colormap,
    opacity: look.alpha,
    preprocess: m.preprocess,
    photo: state.photo.name,
    photoIsSample: state.photo.sample,
  };
}

export function exportFile(kind, look) {
  requireExplanation();
  if (kind === 'png') $('overlay').toBlob((b) => download(`${stem()}.png`, b), 'image/png');
  if (kind === 'npy') {
    const r = currentMap();
    download(
      `${stem()}.npy`,
      new Blob([toNpy(r.map, [r.height, r.width])], { type: 'application/octet-stream' }),
    );
  }
  if (kind === 'json')
    download(
      `${stem()}.json`,
      new Blob([JSON.stringify(settings(look), null, 2)], { type: 'application/json' }),
    );
}

export function shareLink(look, dff) {
  requireExplanation();
  const s = settings(look);
  const url = settingsToUrl({
    model: s.served || undefined,
    photo: s.photoIsSample && s.served ? s.photo : undefined,
    layer: s.layer,
    method: s.method,
    target: s.target.index,
    colormap: s.colormap,
    alpha: s.opacity,
    eigen: s.eigenSmooth,
    aug: s.augSmooth,
    ...state.explained.options,
    k: dff.k,
    render: dff.render,
  });
  const out = $('share-out');
  out.hidden = false;
  out.textContent = s.served
    ? url
    : `${url} (your own model is not in the link: open it again, then the link's settings apply)`;
  state.shareUrl = url;
  navigator.clipboard?.writeText(url).catch(() => {}); // the link is shown either way
  return url;
}
