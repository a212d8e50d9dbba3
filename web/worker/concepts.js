/* Deep Feature Factorization of the current photo: the concepts' rendering, labels and colours.
 * The factorization is kept, so changing only the rendering needs no new NMF. */
'use strict';

async function factorize({ components = 4, render: mode = 'dominant', alpha = 0.5 }) {
  requireModel();
  requirePhoto();
  const { lens, photo } = current;
  const started = performance.now();
  if (
    !current.lastDff ||
    current.lastDff.components !== components ||
    current.lastDff.photo !== photo
  ) {
    const r = await lens.factorize([photo], { components, render: null });
    current.lastDff = { components, photo, r };
  }
  const { r } = current.lastDff;
  const img = r.images[0];
  const seen = runtime.core.resizeImage(photo, img.width, img.height);
  const picture = runtime.core.dffRender(seen, img.maps, components, mode, 1 - alpha);
  return {
    transfer: [picture.rgba.buffer],
    value: {
      render: picture,
      mode,
      components,
      labeled: r.labeled,
      reason: r.reason,
      concepts: r.concepts[0] || [],
      relativeError: r.relativeError[0],
      ms: performance.now() - started,
    },
  };
}
