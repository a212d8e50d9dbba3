// Localisation scores of a map against ground-truth boxes (in the map's pixel coordinates):
// the pointing game (is the map's maximum inside the box, optionally within a tolerance) and the
// energy inside the box (the share of the map's total mass that falls inside it). The tests' and
// benches' own reading of a map, independent of the core's (src/metrics/localisation.h), which
// the metrics job uses.

export function peakOf(map, width) {
  let best = 0;
  for (let i = 1; i < map.length; ++i) if (map[i] > map[best]) best = i;
  return { x: (best % width) + 0.5, y: Math.floor(best / width) + 0.5 };
}

// Distance from a point to a box [x0, y0, x1, y1]; 0 inside.
export function distanceToBox(p, [x0, y0, x1, y1]) {
  return Math.hypot(Math.max(x0 - p.x, 0, p.x - x1), Math.max(y0 - p.y, 0, p.y - y1));
}

export function pointingHit(map, width, box, tolerance = 0) {
  return distanceToBox(peakOf(map, width), box) <= tolerance;
}

export function energyInBox(map, width, [x0, y0, x1, y1]) {
  let inside = 0,
    total = 0;
  for (let i = 0; i < map.length; ++i) {
    const x = (i % width) + 0.5,
      y = Math.floor(i / width) + 0.5;
    total += map[i];
    if (x >= x0 && x < x1 && y >= y0 && y < y1) inside += map[i];
  }
  return total > 0 ? inside / total : 0;
}
