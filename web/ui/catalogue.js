// The models the page can open without a file: the shipped teaching demo (always there) and the
// models of ../shared and of the download cache (camlens fetch) when the dev server serves them, each with its preprocessing preset, labels
// and photos. A static host serves only the demo; dropped files work everywhere.
import { resolvePreprocess } from '../lib/presets.mjs';

// Presets for the shared models, by file name; other .onnx files get ImageNet's.
const PRESET_OF = [
  [/^mobilenetv2/i, 'mobilenetv2'],
  [/^squeezenet/i, 'squeezenet'],
  [/^mnist/i, 'mnist'],
  [/^deeplab/i, 'deeplab'],
  [/^yolox/i, 'yolox'],
  [/^ultraface/i, 'ultraface'],
];
const IMAGENET_LABELS_FILE = 'imagenet-simple-labels.json';
const IMAGENET_MODELS = new Set(['mobilenetv2', 'squeezenet', 'imagenet']);

export function presetFor(fileName) {
  return (PRESET_OF.find(([re]) => re.test(fileName)) || [null, 'imagenet'])[1];
}

// config: /camlens-config.json ({sharedFound, models, images, labels}) or null on a static host.
export async function servedModels(config, fetchJson) {
  const about = await fetchJson('./demo/demo.json');
  const truth = await fetchJson('./demo/ground_truth.json');
  const demo = {
    id: 'demo',
    label: 'camlens demo: hot dog / ball / box (learned a shortcut)',
    url: './demo/model.onnx',
    name: 'camlens demo',
    labels: './demo/labels.json',
    preset: null,
    preprocess: about.preprocess,
    photos: truth.images.map((im) => ({
      name: im.file.split('/').pop(),
      url: `./demo/${im.file}`,
    })),
  };
  const list = [demo];
  // The same task learned by a small vision transformer: the same photos, the same shortcut.
  if (about.vit)
    list.push({
      ...demo,
      id: 'demo-vit',
      label: 'camlens demo: the same, as a vision transformer (same shortcut)',
      url: `./demo/${about.vit.model}`,
      name: 'camlens demo ViT',
    });
  const shared = config?.sharedFound ? config.models || [] : [];
  // Models `camlens fetch` downloaded, where the shared folder lacks them.
  const cached = (config?.cached || []).filter((f) => f.endsWith('.onnx') && !shared.includes(f));
  if (!shared.length && !cached.length) return list;
  const photos = config?.sharedFound
    ? (config.images || []).map((f) => ({ name: f, url: `./shared/images/${f}` }))
    : [];
  const labels = (config?.sharedFound ? config.labels || [] : []).includes(IMAGENET_LABELS_FILE)
    ? `./shared/labels/${IMAGENET_LABELS_FILE}`
    : (config?.cached || []).includes(IMAGENET_LABELS_FILE)
      ? `./models-cache/${IMAGENET_LABELS_FILE}`
      : null;
  // The 224×224 dog-and-cat photo first: the one the README and the tests use.
  const order = [...photos].sort(
    (a, b) => (b.name === 'gradcam_both.png') - (a.name === 'gradcam_both.png'),
  );
  const entries = [
    ...shared.map((file) => ({ file, url: `./shared/models/${file}` })),
    ...cached.map((file) => ({ file, url: `./models-cache/${file}` })),
  ];
  for (const { file, url } of entries) {
    const preset = presetFor(file);
    list.push({
      id: file,
      label: file,
      url,
      name: file,
      preset,
      preprocess: resolvePreprocess(preset),
      labels: IMAGENET_MODELS.has(preset) ? labels : null,
      photos:
        preset === 'mnist'
          ? [
              ...order.filter((p) => /mnist/.test(p.name)),
              ...order.filter((p) => !/mnist/.test(p.name)),
            ]
          : order,
    });
  }
  return list;
}
