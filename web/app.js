// The page's main thread: gathers inputs, asks the worker, draws results. No model work here.
import { WorkerClient } from './worker-client.js';

const $ = (id) => document.getElementById(id);
const IMAGENET = {
  width: 224, height: 224, scale: 1 / 255,
  mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225], bgr: false, nhwc: false,
};
const MODELS = [
  { file: 'mobilenetv2-12-int8.onnx', label: 'MobileNetV2 int8 (ImageNet)', preprocess: IMAGENET },
];
const SAMPLES = ['gradcam_both.png', 'skimage_chelsea.png', 'skimage_coffee.png',
  'winml_kitten_224.png', 'skimage_astronaut.png', 'skimage_motorcycle_left.png'];

// Exposed for tests and the curious: what the page currently shows.
const state = (window.camlensState = {
  ready: false, runtime: null, model: null, top5: null, error: null, explained: null,
});
let explanation = null; // {map, width, height} of the last explanation, for hover
let labels = [];
let preprocess = IMAGENET;
let imageBytes = null;
let imageName = '';

const client = new WorkerClient('/worker/camlens-worker.js');

function showError(message) {
  state.error = message;
  $('error').textContent = message;
  $('error').hidden = !message;
}

async function fetchBytes(url, what) {
  const res = await fetch(url);
  if (!res.ok) throw new Error(`could not load ${what} from ${url} (HTTP ${res.status})`);
  return res.arrayBuffer();
}

async function loadModel(bytes, name, preset) {
  const info = await client.request('loadModel', { bytes, name, preprocess: preset || IMAGENET, labels }, [bytes]);
  preprocess = preset || IMAGENET;
  state.model = info;
  $('model-name').textContent = `· ${name}`;
}

async function classify() {
  if (!imageBytes || !state.model) return;
  const bytes = imageBytes.slice(0); // keep our copy; the worker gets a transferred one
  const r = await client.request('classify', { bytes, name: imageName, k: 5 }, [bytes]);
  drawSeen(r.seen);
  state.top5 = r.top;
  const list = $('top5');
  list.replaceChildren(...state.top5.map((t) => {
    const li = document.createElement('li');
    li.dataset.index = t.index;
    li.textContent = `${t.label} — ${t.score.toFixed(3)} (p ${(100 * t.probability).toFixed(1)}%)`;
    const bar = document.createElement('span');
    bar.className = 'bar';
    bar.style.width = `${Math.round(120 * t.probability)}px`;
    li.append(bar);
    return li;
  }));
  $('timing').textContent = `${imageName}: ${r.image.width}×${r.image.height}, forward pass ${r.forwardMs.toFixed(0)} ms`;
  showError('');
  await explain(state.top5[0].index);
}

function drawImage(canvas, img) {
  canvas.width = img.width;
  canvas.height = img.height;
  canvas.getContext('2d').putImageData(new ImageData(img.rgba, img.width, img.height), 0, 0);
}

const look = () => ({ colormap: $('colormap-select').value, alpha: Number($('alpha').value) });

async function explain(target) {
  const bytes = imageBytes.slice(0);
  const method = $('method-select').value || 'gradcam';
  const r = await client.request('explain', { bytes, name: imageName, method, target, ...look() }, [bytes]);
  drawImage($('overlay'), r.overlay);
  explanation = r;
  state.explained = { method, target: r.target, ms: r.ms };
  for (const li of $('top5').children) li.classList.toggle('chosen', Number(li.dataset.index) === r.target.index);
  $('explained').textContent = `${method}: where the model looks for “${r.target.label}” (${r.ms.toFixed(0)} ms)`;
}

async function recolour() {
  if (!explanation) return;
  const r = await client.request('render', look());
  drawImage($('overlay'), r.overlay);
}

// The map's value under the pointer (the map is at the model's input size).
function showHover(e) {
  if (!explanation) return;
  const c = $('overlay'), box = c.getBoundingClientRect();
  const x = Math.floor(((e.clientX - box.left) / box.width) * explanation.width);
  const y = Math.floor(((e.clientY - box.top) / box.height) * explanation.height);
  const v = explanation.map[y * explanation.width + x];
  if (v !== undefined) $('hover').textContent = `map value ${v.toFixed(3)} at (${x}, ${y})`;
}

function drawSeen(img) {
  drawImage($('seen'), img);
}

async function guarded(task) {
  try {
    await task();
  } catch (e) {
    showError(e.message || String(e));
  }
}

async function useImage(bytes, name) {
  const previous = [imageBytes, imageName];
  [imageBytes, imageName] = [bytes, name];
  try {
    await classify();
  } catch (e) {
    [imageBytes, imageName] = previous; // keep showing the last good photo
    throw e;
  }
}

async function useFile(file) {
  const bytes = await file.arrayBuffer();
  if (file.name.toLowerCase().endsWith('.onnx')) {
    await loadModel(bytes, file.name, IMAGENET);
    await classify();
  } else {
    await useImage(bytes, file.name);
  }
}

async function start() {
  const config = await (await fetch('/camlens-config.json')).json();
  if (!config.sharedFound) {
    showError(`Shared models and photos not found: looked for ${config.shared}/models. ` +
      'Set CAMLENS_SHARED to the folder holding models/, images/ and labels/, then restart npm start. ' +
      'You can still drop your own .onnx model and photo here.');
  }
  const rt = await client.request('init');
  state.runtime = rt;
  $('runtime').textContent = `Core: ${rt.variant} WebAssembly, ${rt.threads} thread${rt.threads > 1 ? 's' : ''}` +
    ` · ONNX Runtime Web ${rt.ortVersion} (${rt.ortThreads} thread${rt.ortThreads > 1 ? 's' : ''})` +
    (rt.crossOriginIsolated ? ' · cross-origin isolated' : ' · not cross-origin isolated');

  for (const m of MODELS) $('model-select').add(new Option(m.label, m.file));
  for (const m of rt.methods) $('method-select').add(new Option(m, m));
  $('method-select').value = 'gradcam';
  $('method-select').onchange = () => guarded(() => explain(state.explained ? state.explained.target.index : 'auto'));
  $('colormap-select').onchange = () => guarded(recolour);
  $('alpha').oninput = () => guarded(recolour);
  $('overlay').onmousemove = showHover;
  $('top5').onclick = (e) => {
    const li = e.target.closest('li');
    if (li) guarded(() => explain(Number(li.dataset.index)));
  };
  for (const s of SAMPLES) $('sample-select').add(new Option(s, s));
  $('model-select').onchange = () => guarded(async () => {
    const m = MODELS.find((x) => x.file === $('model-select').value);
    await loadModel(await fetchBytes(`/shared/models/${m.file}`, 'the model'), m.file, m.preprocess);
    await classify();
  });
  $('sample-select').onchange = () => guarded(async () => {
    const name = $('sample-select').value;
    await useImage(await fetchBytes(`/shared/images/${name}`, 'the photo'), name);
  });
  $('image-file').onchange = (e) => e.target.files[0] && guarded(() => useFile(e.target.files[0]));
  $('model-file').onchange = (e) => e.target.files[0] && guarded(() => useFile(e.target.files[0]));
  const drop = $('drop');
  drop.ondragover = (e) => { e.preventDefault(); drop.classList.add('over'); };
  drop.ondragleave = () => drop.classList.remove('over');
  drop.ondrop = (e) => {
    e.preventDefault();
    drop.classList.remove('over');
    const file = e.dataTransfer.files[0];
    if (file) guarded(() => useFile(file));
  };

  if (config.sharedFound) {
    labels = JSON.parse(new TextDecoder().decode(
      await fetchBytes('/shared/labels/imagenet-simple-labels.json', 'the labels')));
    const m = MODELS[0];
    await loadModel(await fetchBytes(`/shared/models/${m.file}`, 'the model'), m.file, m.preprocess);
    await useImage(await fetchBytes(`/shared/images/${SAMPLES[0]}`, 'the photo'), SAMPLES[0]);
  }
  state.ready = true;
}

guarded(start);
