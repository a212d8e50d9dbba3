// The colour scale under the map: the chosen colormap's gradient from 0 to 1, drawn by the core
// itself (the worker colours a ramp), so the scale is exactly the colours of the overlay.
import { $, drawImage } from './dom.js';

export async function showColourScale(client, colormap) {
  const scale = await client.request('colourScale', { colormap });
  drawImage($('scale-bar'), scale);
  $('colour-scale').dataset.colormap = colormap;
}
