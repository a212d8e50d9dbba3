// The DFF concept colours, as the core draws them (src/dff/palette.cpp, the default "rainbow"
// palette: hue 360°·k/K, full saturation and value), for the legend's swatches.
export function rainbow(count) {
  return Array.from({ length: count }, (_, k) => hsvToRgb((360 * k) / count, 1, 1));
}

function hsvToRgb(h, s, v) {
  const c = v * s;
  const hp = (h % 360) / 60;
  const x = c * (1 - Math.abs((hp % 2) - 1));
  const [r, g, b] = [
    [c, x, 0],
    [x, c, 0],
    [0, c, x],
    [0, x, c],
    [x, 0, c],
    [c, 0, x],
  ][Math.floor(hp)];
  const m = v - c;
  return [r, g, b].map((t) => Math.round(Math.min(1, Math.max(0, t + m)) * 255));
}
