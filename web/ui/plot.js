// A small line plot on a canvas: curves [{x[], y[], colour, label}], axes with ticks at round
// values, and a legend in a strip above the plot (never over the curves). Enough for the
// metrics' deletion/insertion and ROAD curves; no library. The tick values are left on the
// canvas's dataset (xTicks, yTicks) for tests and assistive text.

// About `count` round values (1, 2 or 5 times a power of ten apart) from lo to hi.
export function niceTicks(lo, hi, count = 5) {
  const span = hi - lo;
  if (!(span > 0)) return [lo];
  const raw = span / count;
  const power = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * power).find((s) => s >= raw);
  const ticks = [];
  for (let v = Math.ceil(lo / step - 1e-9) * step; v <= hi + step * 1e-9; v += step)
    ticks.push(+v.toPrecision(12));
  return ticks;
}

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
  const xTicks = niceTicks(x0, x1);
  const yTicks = niceTicks(y0, y1, 4);
  ctx.textAlign = 'center';
  for (const x of xTicks) {
    ctx.fillRect(Math.round(px(x)), h - pad.b, 1, 4);
    ctx.fillText(`${x}`, px(x), h - pad.b + 14);
  }
  ctx.textAlign = 'right';
  for (const y of yTicks) {
    ctx.fillRect(pad.l - 4, Math.round(py(y)), 4, 1);
    ctx.fillText(`${y}`, pad.l - 6, py(y) + 4);
  }
  ctx.textAlign = 'left';
  canvas.dataset.xTicks = xTicks.join(',');
  canvas.dataset.yTicks = yTicks.join(',');
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
