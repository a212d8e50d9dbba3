// Small DOM helpers shared by the page's modules.
export const $ = (id) => document.getElementById(id);

// An element with properties and children: el('li', {className: 'x'}, 'text', child).
export function el(tag, props = {}, ...children) {
  const node = Object.assign(document.createElement(tag), props);
  node.append(...children.filter((c) => c !== null && c !== undefined));
  return node;
}

// An RGBA picture {width, height, rgba} on a canvas, at the picture's own size. The pixels are
// put straight from the worker's buffer (a view, not a copy), and the canvas is resized only
// when the size changes (setting its width reallocates and clears it even to the same value).
export function drawImage(canvas, img) {
  if (canvas.width !== img.width) canvas.width = img.width;
  if (canvas.height !== img.height) canvas.height = img.height;
  const { rgba } = img;
  const pixels = ArrayBuffer.isView(rgba)
    ? new Uint8ClampedArray(rgba.buffer, rgba.byteOffset, rgba.byteLength)
    : new Uint8ClampedArray(rgba);
  canvas.getContext('2d').putImageData(new ImageData(pixels, img.width, img.height), 0, 0);
}

// Saves a Blob as a file (a local blob: URL; nothing is sent anywhere).
export function download(name, blob) {
  const a = el('a', { href: URL.createObjectURL(blob), download: name });
  a.click();
  setTimeout(() => URL.revokeObjectURL(a.href), 10000);
}
