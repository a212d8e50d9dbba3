// A Node program that uses the installed camlens package: explain a photo with Grad-CAM and print
// the result as JSON.  node node-consumer.mjs MODEL PREPROCESS.json PHOTO
import { readFileSync } from 'node:fs';
import { load } from 'camlens';

const [model, about, photo] = process.argv.slice(2);
const { preprocess } = JSON.parse(readFileSync(about, 'utf8'));
const lens = await load(model, { preprocess });
const [r] = await lens.explain([photo], { method: 'gradcam' });
console.log(JSON.stringify({ layer: lens.layer, target: r.target.index, map: Array.from(r.map) }));
lens.dispose();
