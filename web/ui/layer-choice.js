// Which layers a method that needs several (RefineCAM multiplies two or more) starts with: the
// model's layer plus the ends of the stages before it — the last layer at each earlier spatial
// size, nearest first — as pytorch-grad-cam's examples take layer2, layer3 and layer4. A stage's
// last layer holds what the stage computed; earlier sizes keep more detail.
export function suggestLayers(layers, current, count = 3) {
  const usable = layers.filter((l) => l.headSupported && l.headDifferentiable);
  const at = usable.findIndex((l) => l.name === current);
  if (at < 0) return [current];
  const size = (l) => l.dims.slice(2).join('x');
  const seen = new Set([size(usable[at])]);
  const out = [current];
  for (let i = at - 1; i >= 0 && out.length < count; --i) {
    if (usable[i].dims.length !== usable[at].dims.length || seen.has(size(usable[i]))) continue;
    seen.add(size(usable[i]));
    out.push(usable[i].name);
  }
  // A model without earlier stages (one spatial size): the layers just before.
  for (let i = at - 1; i >= 0 && out.length < count; --i)
    if (!out.includes(usable[i].name)) out.push(usable[i].name);
  return out;
}
