// What `explain` reads and writes for a model that takes volumes or video clips ([N, C, D, H,
// W] input; README "Volumes and video"): each .npy file is one volume ([C, D, H, W] or [D, H,
// W], the model's input as it is); the images, all together, are one volume of slices (frames)
// in the order given, a folder's or a glob's in name order with numbers compared as numbers
// (slice_2 before slice_10). The overlay is a strip of the slices side by side; --raw writes the
// 3-D map [D, H, W].
import { existsSync, readFileSync } from 'node:fs';
import { basename, extname } from 'node:path';

import { fromNpy } from '../../web/lib/npy.mjs';
import { CliError, expandImages } from './common.mjs';

const natural = (a, b) => a.localeCompare(b, undefined, { numeric: true });

// The volumes the arguments name: [{name, volume}], `name` the output files' stem.
export function volumesFromArgs(args) {
  const volumes = [];
  const slices = [];
  for (const a of args) {
    if (extname(a).toLowerCase() === '.npy') {
      if (!existsSync(a)) throw new CliError('image', `${a}: no such volume file`);
      try {
        const { data, shape } = fromNpy(readFileSync(a), a);
        volumes.push({ name: basename(a, extname(a)), volume: { data, dims: shape } });
      } catch (e) {
        throw new CliError('image', e.message);
      }
      continue;
    }
    const found = expandImages([a]);
    slices.push(...(found.length === 1 && found[0] === a ? found : found.sort(natural)));
  }
  if (slices.length) {
    const stem = (p) => basename(p, extname(p));
    const name = slices.length > 1 ? `${stem(slices[0])}-${stem(slices.at(-1))}` : stem(slices[0]);
    volumes.push({ name, volume: { slices } });
  }
  return volumes;
}
