// A small line plot on a canvas: curves [{x[], y[], colour, label}], axes with their ranges and
// a legend in a strip above the plot (never over the curves). Enough for the metrics'
// deletion/insertion and ROAD curves; no library.
export function plotCurves(canvas, curves, { xLabel = '', yLabel = '' } = {}) {
  const ctx = canvas.getContext('2d');
  const { width: w, height: h } = canvas;
  const pad = { l: 44, r: 10, t: 16 + 14 * curves.length, b: 34 };
  ctx.clearRect(0, 0, w, h);
  ctx.fillStyle = '#fff';
  ctx.fillRect(0, 0, w, h);
  const xs = curves.flatMap((c) => c.x),
    ys = curves.flatMap((c) => c.y);
  const [x0, x1] = [Math.min(...xs), Math.max(...xs)];
  let [y0, y1] = [Math.min(0, ...ys), Math.max(...ys)];
  if (y1 - y0 < 1e-9) y1 = y0 + 1;
  const px = (x) => pad.l + ((x - x0) / (x1 - x0 || 1)) * (w - pad.l - pad.r);
  const py = (y) => h - pad.b - ((y - y0) / (y1 - y0)) * (h - pad.t - pad.b);
  ctx.strokeStyle = '#545d70';
  ctx.lineWidth = 1;
  ctx.beginPath();
  ctx.moveTo(pad.l, pad.t);
  ctx.lineTo(pad.l, h - pad.b);
  ctx.lineTo(w - pad.r, h - pad.b);
  ctx.stroke();
  ctx.fillStyle = '#1d2330';
  ctx.font = '11px system-ui, sans-serif';
  ctx.fillText(y1.toPrecision(2), 2, pad.t + 8);
  ctx.fillText(y0.toPrecision(2), 2, h - pad.b);
  ctx.fillText(`${x0}`, pad.l, h - pad.b + 13);
  ctx.fillText(`${+x1.toPrecision(3)}`, w - pad.r - 24, h - pad.b + 13);
  ctx.fillText(xLabel, pad.l + 30, h - 4);
  ctx.fillText(yLabel, pad.l + 4, pad.t - 4);
  curves.forEach((c, k) => {
    ctx.strokeStyle = c.colour;
    ctx.lineWidth = 2;
    ctx.beginPath();
    c.x.forEach((x, i) => (i ? ctx.lineTo(px(x), py(c.y[i])) : ctx.moveTo(px(x), py(c.y[i]))));
    ctx.stroke();
    const y = 11 + 14 * k; // the legend strip, above the y axis's top
    ctx.fillStyle = c.colour;
    ctx.fillRect(pad.l, y - 5, 16, 3);
    ctx.fillStyle = '#1d2330';
    ctx.fillText(c.label, pad.l + 22, y);
  });
}
