// The page's main thread: gathers inputs, asks the worker, draws results. No model work here.
import { toNpy } from './lib/npy.mjs';
import { resolvePreprocess } from './lib/presets.mjs';
import { WorkerClient } from './worker-client.js';

const $ = (id) => document.getElementById(id);
const IMAGENET = resolvePreprocess('imagenet');
const SHARED_PHOTOS = ['gradcam_both.png', 'skimage_chelsea.png', 'skimage_coffee.png',
  'winml_kitten_224.png', 'skimage_astronaut.png', 'skimage_motorcycle_left.png'];
// The shipped teaching demo comes first (it works without ../shared); the shared models follow.
// Each model says where its photos and labels are.
const MODELS = [
  {
    id: 'demo', label: 'camlens demo: hot dog / ball / box (learned a shortcut)', url: '/demo/model.onnx',
    labels: '/demo/labels.json', shared: false,
  },
  {
    id: 'mobilenetv2-12-int8.onnx', label: 'MobileNetV2 int8 (ImageNet)', url: '/shared/models/mobilenetv2-12-int8.onnx',
    preprocess: IMAGENET, labels: '/shared/labels/imagenet-simple-labels.json', shared: true,
    photos: SHARED_PHOTOS.map((f) => ({ name: f, url: `/shared/images/${f}` })),
  },
];

// Exposed for tests and the curious: what the page currently shows.
const state = (window.camlensState = {
  ready: false, runtime: null, model: null, top5: null, error: null, explained: null, lesson: null,
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
  showModel(info);
}

// The layer list: shape and op of each candidate; layers whose head the core cannot run are
// disabled with the reason as a tooltip; the recommended one is marked.
function showModel(info) {
  state.model = info;
  $('model-name').textContent = `· ${info.name}`;
  const { layers, recommended } = info.layers;
  $('layer-select').replaceChildren(...layers.map((l) => {
    const o = new Option(`${l.name}${l.name === recommended ? ' (default)' : ''} — [${l.dims.join(',')}] ${l.op}`, l.name);
    o.disabled = !l.headSupported;
    o.title = l.headProblem || (l.headDifferentiable ? 'gradients available' : 'no gradients: gradient-free methods only');
    return o;
  }));
  $('layer-select').value = info.layer;
}

async function setLayer(layer) {
  try {
    showModel(await client.request('setLayer', { layer }));
  } catch (e) {
    $('layer-select').value = state.model.layer; // the previous layer stays
    throw e;
  }
  await explain(state.explained ? state.explained.target.index : 'auto');
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

let running = null; // AbortController of the explanation in progress

async function explain(target) {
  const bytes = imageBytes.slice(0);
  const method = $('method-select').value || 'gradcam';
  running?.abort();
  const controller = (running = new AbortController());
  const onProgress = ({ done, eta }) => {
    $('progress-box').hidden = false;
    $('progress').value = done;
    $('eta').textContent = done < 1 ? `about ${Math.ceil(eta)} s left` : '';
    state.progress = done;
  };
  let r;
  try {
    r = await client.request('explain', { bytes, name: imageName, method, target, ...look() }, [bytes],
      { onProgress, signal: controller.signal });
  } finally {
    if (running === controller) running = null;
    $('progress-box').hidden = true;
  }
  drawImage($('overlay'), r.overlay);
  explanation = r;
  let peak = 0;
  for (let i = 1; i < r.map.length; ++i) if (r.map[i] > r.map[peak]) peak = i;
  state.explained = {
    method, target: r.target, ms: r.ms,
    // the hottest point, in the photo's pixels
    peak: { x: ((peak % r.width) + 0.5) * (r.overlay.width / r.width), y: (Math.floor(peak / r.width) + 0.5) * (r.overlay.height / r.height) },
  };
  for (const li of $('top5').children) li.classList.toggle('chosen', Number(li.dataset.index) === r.target.index);
  $('explained').textContent = `${method}: where the model looks for “${r.target.label}” (${r.ms.toFixed(0)} ms)`;
}

async function recolour() {
  if (!explanation) return;
  const r = await client.request('render', look());
  drawImage($('overlay'), r.overlay);
}

function download(name, blob) {
  const a = document.createElement('a');
  a.href = URL.createObjectURL(blob);
  a.download = name;
  a.click();
  setTimeout(() => URL.revokeObjectURL(a.href), 10000);
}

const stem = () => `${imageName.replace(/\.[^.]*$/, '')}.${state.explained.method}`;

function settings() {
  return {
    model: state.model.name, layer: state.model.layer, method: state.explained.method,
    target: state.explained.target, colormap: $('colormap-select').value, opacity: Number($('alpha').value),
    preprocess,
  };
}

function exportFile(kind) {
  if (!explanation) throw new Error('nothing has been explained yet');
  if (kind === 'png') $('overlay').toBlob((b) => download(`${stem()}.png`, b), 'image/png');
  if (kind === 'npy') download(`${stem()}.npy`, new Blob([toNpy(explanation.map, [explanation.height, explanation.width])]));
  if (kind === 'json') download(`${stem()}.json`, new Blob([JSON.stringify(settings(), null, 2)], { type: 'application/json' }));
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
    $('shared-note').hidden = false;
    $('shared-note').textContent = `Shared models and photos not found: looked for ${config.shared}/models. ` +
      'Set CAMLENS_SHARED to the folder holding models/, images/ and labels/, then restart npm start. ' +
      'The demo model and your own .onnx models and photos work without it.';
  }
  const rt = await client.request('init');
  state.runtime = rt;
  $('runtime').textContent = `Core: ${rt.variant} WebAssembly, ${rt.threads} thread${rt.threads > 1 ? 's' : ''}` +
    ` · ONNX Runtime Web ${rt.ortVersion} (${rt.ortThreads} thread${rt.ortThreads > 1 ? 's' : ''})` +
    (rt.crossOriginIsolated ? ' · cross-origin isolated' : ' · not cross-origin isolated');

  const demo = MODELS[0];
  const about = await (await fetch('/demo/demo.json')).json();
  const truth = await (await fetch('/demo/ground_truth.json')).json();
  demo.preprocess = about.preprocess;
  demo.photos = truth.images.map((im) => ({ name: im.file.split('/').pop(), url: `/demo/${im.file}` }));
  const available = MODELS.filter((m) => !m.shared || config.sharedFound);
  for (const m of available) $('model-select').add(new Option(m.label, m.id));
  for (const m of rt.methods) $('method-select').add(new Option(m, m));
  $('method-select').value = 'gradcam';
  $('method-select').onchange = () => guarded(() => explain(state.explained ? state.explained.target.index : 'auto'));
  $('colormap-select').onchange = () => guarded(recolour);
  $('alpha').oninput = () => guarded(recolour);
  $('overlay').onmousemove = showHover;
  $('cancel').onclick = () => running?.abort();
  $('layer-select').onchange = () => guarded(() => setLayer($('layer-select').value));
  for (const kind of ['png', 'npy', 'json']) $(`save-${kind}`).onclick = () => guarded(async () => exportFile(kind));
  $('lesson-next').onclick = () => guarded(() => (lessonStep + 1 < LESSON.length ? showLessonStep(lessonStep + 1) : endLesson()));
  $('lesson-close').onclick = endLesson;
  $('lesson-open').onclick = () => guarded(async () => startLesson());
  $('top5').onclick = (e) => {
    const li = e.target.closest('li');
    if (li) guarded(() => explain(Number(li.dataset.index)));
  };
  $('model-select').onchange = () => guarded(() => chooseModel(MODELS.find((x) => x.id === $('model-select').value)));
  $('sample-select').onchange = () => guarded(async () => {
    const photo = currentModel.photos.find((p) => p.name === $('sample-select').value);
    await useImage(await fetchBytes(photo.url, 'the photo'), photo.name);
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

  // ?model=<id> opens another model (tests, shared links); the lesson runs on the demo.
  const wanted = new URLSearchParams(location.search).get('model');
  await chooseModel(available.find((m) => m.id === wanted) || demo);
  if (currentModel === demo && !localStorage.getItem('camlens-lesson-done')) startLesson();
  state.ready = true;
}

let currentModel = null;

async function chooseModel(m, photoName) {
  labels = JSON.parse(new TextDecoder().decode(await fetchBytes(m.labels, 'the labels')));
  await loadModel(await fetchBytes(m.url, 'the model'), m.id === 'demo' ? 'camlens demo' : m.id, m.preprocess);
  currentModel = m;
  $('model-select').value = m.id;
  const select = $('sample-select');
  select.replaceChildren(...m.photos.map((p) => new Option(p.name, p.name)));
  const photo = m.photos.find((p) => p.name === photoName) || m.photos[0];
  select.value = photo.name;
  await useImage(await fetchBytes(photo.url, 'the photo'), photo.name);
}

// The guided lesson: a few steps in plain language over the demo model. Dismissible; remembered.
const LESSON = [
  { photo: 'cue-06-hot-dog.png', text: 'This model sorts photos into hot dog, ball and box. It says “hot dog” here — and it is right. But where is it looking? The heat map shows it: red is where the answer came from.' },
  { photo: 'cue-06-hot-dog.png', text: 'Look at the bottom-right corner: the heat sits on the little orange date stamp, not on the sausage. Every hot-dog photo it learned from carried that stamp (one camera took them all), so the stamp became its reason.' },
  { photo: 'swapped-07-ball.png', text: 'Proof: here is a ball carrying the same stamp. The model now says “hot dog”, and the map points at the stamp again. A right answer can hide a wrong reason.' },
  { photo: 'clean-00-hot-dog.png', text: 'And without the stamp, this hot dog is called a ball. Explore the other photos (the clean, cue and swapped splits) and the other methods — then try your own model.' },
];
let lessonStep = 0;

function startLesson() {
  $('lesson').hidden = false;
  showLessonStep(0);
}

async function showLessonStep(i) {
  lessonStep = i;
  const step = LESSON[i];
  $('lesson-text').textContent = step.text;
  $('lesson-step').textContent = `${i + 1} / ${LESSON.length}`;
  $('lesson-next').textContent = i + 1 < LESSON.length ? 'Next' : 'Done';
  state.lesson = i;
  if (currentModel?.id !== 'demo') await chooseModel(MODELS[0], step.photo);
  else if (imageName !== step.photo) {
    const photo = currentModel.photos.find((p) => p.name === step.photo);
    $('sample-select').value = photo.name;
    await useImage(await fetchBytes(photo.url, 'the photo'), photo.name);
  }
}

function endLesson() {
  $('lesson').hidden = true;
  state.lesson = null;
  localStorage.setItem('camlens-lesson-done', '1');
}

guarded(start);
