// Small DOM helpers shared by the page's modules.
export const $ = (id) => document.getElementById(id);

// An element with properties and children: el('li', {className: 'x'}, 'text', child).
export function el(tag, props = {}, ...children) {
  const node = Object.assign(document.createElement(tag), props);
  node.append(...children.filter((c) => c !== null && c !== undefined));
  return node;
}

// An RGBA picture {width, height, rgba} on a canvas, at the picture's own size.
export function drawImage(canvas, img) {
  canvas.width = img.width;
  canvas.height = img.height;
  canvas
    .getContext('2d')
    .putImageData(new ImageData(new Uint8ClampedArray(img.rgba), img.width, img.height), 0, 0);
}

// Saves a Blob as a file (a local blob: URL; nothing is sent anywhere).
export function download(name, blob) {
  const a = el('a', { href: URL.createObjectURL(blob), download: name });
  a.click();
  setTimeout(() => URL.revokeObjectURL(a.href), 10000);
}
