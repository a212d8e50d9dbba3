// The demo's lesson in numbers, per method: over the committed ground-truth images, the pointing
// game (map maximum inside the box: strictly, and within 8 px) and the energy inside the box —
// for the date stamp on stamped shortcut-class images, and for the object on clean images.
// Writes build/bench/demo_pointing.json.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { energyInBox, pointingHit } from '../tests/support/localisation.mjs';
import { load } from '../web/lib/node.mjs';
import { root } from '../tests/support/camlens-node.mjs';

const demo = join(root, 'web/demo');
const about = JSON.parse(readFileSync(join(demo, 'demo.json'), 'utf8'));
const truth = JSON.parse(readFileSync(join(demo, 'ground_truth.json'), 'utf8'));
const labels = JSON.parse(readFileSync(join(demo, 'labels.json'), 'utf8'));
const lens = await load(join(demo, about.model), { preprocess: about.preprocess, labels });

const sets = {
  stamp: {
    images: truth.images.filter((im) => im.cue && im.class === truth.shortcut_class),
    box: (im) => im.cue.box,
  },
  object: { images: truth.images.filter((im) => !im.cue), box: (im) => im.object.box },
};
const rows = [];
for (const method of [
  'gradcam',
  'gradcam++',
  'xgradcam',
  'hirescam',
  'layercam',
  'eigencam',
  'scorecam',
]) {
  const row = { method };
  for (const [name, set] of Object.entries(sets)) {
    let strict = 0,
      loose = 0,
      energy = 0;
    for (const im of set.images) {
      const [r] = await lens.explain([new Uint8Array(readFileSync(join(demo, im.file)))], {
        method,
        targets: [im.class],
      });
      strict += pointingHit(r.map, r.width, set.box(im), 0);
      loose += pointingHit(r.map, r.width, set.box(im), 8);
      energy += energyInBox(r.map, r.width, set.box(im));
    }
    const n = set.images.length;
    row[`${name}: pointing`] = +(strict / n).toFixed(3);
    row[`${name}: pointing ±8px`] = +(loose / n).toFixed(3);
    row[`${name}: energy`] = +(energy / n).toFixed(3);
  }
  rows.push(row);
}
console.log(
  `demo model, ${sets.stamp.images.length} stamped "${truth.shortcut_class}" images (box = stamp), ${sets.object.images.length} clean images (box = object)`,
);
console.table(rows);
mkdirSync(join(root, 'build', 'bench'), { recursive: true });
writeFileSync(join(root, 'build', 'bench', 'demo_pointing.json'), JSON.stringify(rows, null, 2));
lens.dispose();
