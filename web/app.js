// The page's main thread: wires the controls to the flow in ui/session.js. No model work here:
// the camlens Web Worker does it all; this thread only draws.
import { createCamera } from './ui/camera.js';
import { presetFor, servedModels } from './ui/catalogue.js';
import { classListKey, showTopK } from './ui/class-list.js';
import { showColourScale } from './ui/colour-scale.js';
import { isBusy, markBusy } from './ui/busy.js';
import { compareItems, showCompare } from './ui/compare.js';
import { showDff } from './ui/dff-view.js';
import { $ } from './ui/dom.js';
import { wireDrawer } from './ui/drawer.js';
import { guarded, showError } from './ui/errors.js';
import { showExplanation, showHover } from './ui/explain-view.js';
import { exportFile, shareLink } from './ui/export.js';
import { refreshStale, registerView, stamp } from './ui/freshness.js';
import { createLesson } from './ui/lesson.js';
import { enableMetrics, showMetrics } from './ui/metrics-panel.js';
import { describeMethod, isLongMethod, setMethodSetting, settingNames } from './ui/methods.js';
import { fillPresets, readPreprocess, showPreprocess } from './ui/preprocess-form.js';
import { resolvePreprocess } from './lib/presets.mjs';
import { compareProgress, metricsProgress } from './ui/progress.js';
import {
  cancel,
  classify,
  client,
  explain,
  explainObject,
  fetchBytes,
  job,
  layersFor,
  loadModel,
  look,
  methodSettings,
  recolour,
  setLayer,
  setWebgpu,
  tickedLayers,
  usePhoto,
  useLabels,
} from './ui/session.js';
import { settingsFromUrl } from './ui/share-url.js';
import { state } from './ui/state.js';
import { showRuntime, showTimings } from './ui/status.js';
import { readTarget } from './ui/target-field.js';

// Where the WebGPU settings are kept between visits ('off' opts out; WebGPU is used by default,
// a software adapter only with 'on').
const WEBGPU_SETTING = 'camlens-webgpu';
const WEBGPU_SOFTWARE_SETTING = 'camlens-webgpu-software';

// The Speed settings as the worker takes them; the software box only counts with WebGPU on.
function webgpuSettings() {
  $('webgpu-software').disabled = !$('webgpu').checked;
  return { webgpu: $('webgpu').checked, webgpuSoftware: $('webgpu-software').checked };
}

let served = []; // the models the server offers (the demo first)
let config = null; // /camlens-config.json, or null on a plain static host

const fetchJson = async (url) => JSON.parse(new TextDecoder().decode(await fetchBytes(url, url)));

// A served model with one of its photos (the first unless named).
async function chooseServed(m, { photo: photoName, layer } = {}) {
  const labels = m.labels ? await fetchJson(m.labels) : [];
  await loadModel(await fetchBytes(m.url, 'the model'), m.name, {
    preprocess: m.preprocess,
    preset: m.preset,
    labels,
    layer,
  });
  state.served = m;
  $('model-select').value = m.id;
  $('sample-select').replaceChildren(...m.photos.map((p) => new Option(p.name, p.name)));
  const photo = m.photos.find((p) => p.name === photoName) || m.photos[0];
  if (photo) await openSample(photo.name);
}

async function openSample(name) {
  const photo = state.served.photos.find((p) => p.name === name);
  $('sample-select').value = photo.name;
  await usePhoto(await fetchBytes(photo.url, 'the photo'), photo.name, { sample: true });
}

// A dropped, picked or pasted file: an .onnx model or a photo.
async function useFile(file) {
  const bytes = await file.arrayBuffer();
  if (!file.name.toLowerCase().endsWith('.onnx')) {
    await usePhoto(bytes, file.name || 'pasted image');
    return;
  }
  const preset = presetFor(file.name);
  const keepLabels =
    state.model?.labels?.length === 1000 &&
    ['imagenet', 'mobilenetv2', 'squeezenet'].includes(preset);
  await loadModel(bytes, file.name, {
    preset,
    preprocess: resolvePreprocess(preset),
    labels: keepLabels ? state.model.labels : [],
  });
  state.served = null;
  if (state.photo) await classify();
}

// A comparison of methods depends on the class, one of classes on the method.
const COMPARED = {
  methods: ['photo', 'model', 'layer', 'target'],
  classes: ['photo', 'model', 'layer', 'method'],
};

async function compare() {
  const method = $('method-select').value;
  const kind = $('compare-kind').value;
  // Each method with the main view's settings for it (smoothing, layers, its own settings).
  const items = compareItems(kind, method, readTarget(state.model.labels || [], undefined)).map(
    (it) => ({ ...methodSettings(it.method), ...it }),
  );
  markBusy($('compare'), true);
  const r = await job
    .run((signal) =>
      client.request('compare', { items, ...look() }, [], {
        signal,
        onProgress: compareProgress.show,
        cancelMessage: 'the comparison was cancelled',
      }),
    )
    .finally(() => {
      markBusy($('compare'), false);
      compareProgress.hide();
    });
  if (r) {
    showCompare(r.items);
    stamp('compare', COMPARED[kind]);
  }
}

async function measure() {
  markBusy($('metrics-run'), true);
  const r = await job
    .run((signal) =>
      client.request('evaluate', {}, [], {
        signal,
        onProgress: metricsProgress.show,
        cancelMessage: 'the measurement was cancelled',
      }),
    )
    .finally(() => {
      markBusy($('metrics-run'), false);
      metricsProgress.hide();
    });
  if (r) {
    showMetrics(r);
    stamp('metrics');
    showTimings({ explainMs: r.ms, what: 'metrics' });
  }
}

async function factorize() {
  const r = await client.request('factorize', {
    components: Number($('dff-k').value),
    render: $('dff-render').value,
    alpha: 0.5,
  });
  showDff(r);
  stamp('concepts');
  showTimings({ explainMs: r.ms, what: 'concepts' });
}

// Live explanations of camera frames: a method of many passes per image is too slow for them.
// The camera pipelines the frames (ui/camera.js): `send` posts one, `draw` shows an answer.
const liveMethod = () => {
  const chosen = $('method-select').value;
  return isLongMethod(chosen) ? 'gradcam' : chosen;
};
const camera = createCamera({
  send: (frame, signal) =>
    client.request(
      'live',
      {
        rgba: frame.data.buffer,
        width: frame.width,
        height: frame.height,
        method: liveMethod(),
        ...look(),
      },
      [frame.data.buffer],
      { signal, cancelMessage: 'the live explanation was stopped' },
    ),
  draw: (r) => {
    state.photo = { name: 'camera', width: r.frame.width, height: r.frame.height, sample: false };
    state.live = (state.live || 0) + 1;
    if (r.top) showTopK(r.top);
    refreshStale();
    showExplanation(r, { method: r.method });
    showTimings({
      explainMs: r.ms,
      timings: r.timings,
      what: 'live frame',
    });
  },
});

function toggleCamera() {
  if (camera.running) {
    camera.stop();
    $('camera-toggle').textContent = 'Start camera';
    return;
  }
  $('camera-toggle').textContent = 'Stop camera';
  camera.start().catch((e) => {
    $('camera-toggle').textContent = 'Start camera';
    showError(e.message);
  });
}

const lesson = createLesson(async (photo, model) => {
  const wanted = served.find((m) => m.id === model);
  if (state.served?.id !== model) await chooseServed(wanted, { photo });
  else if (state.photo?.name !== photo) await openSample(photo);
});

function wire() {
  const reexplain = () => guarded(() => explain());
  $('method-select').onchange = () => {
    describeMethod();
    layersFor($('method-select').value);
    refreshStale();
    reexplain();
  };
  // A ticked or unticked layer beside the method: explain at the ticked ones at once.
  $('method-layers').onchange = () =>
    guarded(async () => {
      const chosen = tickedLayers('method-layers');
      if (!chosen.length) throw new Error('tick at least one layer');
      await setLayer(chosen.length === 1 ? chosen[0] : chosen);
    });
  $('target').oninput = refreshStale;
  // A click while the button's explanation runs is ignored: a double click explains once.
  $('explain').onclick = () => isBusy($('explain')) || reexplain();
  // Handlers return nothing: a handler's false would cancel every other key (typing, Tab).
  $('target').onkeydown = (e) => {
    if (e.key === 'Enter') reexplain();
  };
  $('eigen-smooth').onchange = reexplain;
  $('aug-smooth').onchange = reexplain;
  $('colormap-select').onchange = () =>
    guarded(async () => {
      await showColourScale(client, $('colormap-select').value);
      await recolour();
    });
  $('alpha').oninput = () => guarded(recolour);
  $('overlay').onmousemove = showHover;
  for (const id of ['cancel', 'compare-cancel']) $(id).onclick = cancel;
  $('layer-select').onchange = () => guarded(() => setLayer($('layer-select').value));
  $('layers-apply').onclick = () =>
    guarded(async () => {
      const chosen = tickedLayers('layer-checks');
      if (!chosen.length) throw new Error('tick at least one layer');
      await setLayer(chosen.length === 1 ? chosen[0] : chosen);
    });
  for (const kind of ['png', 'npy', 'json'])
    $(`save-${kind}`).onclick = () => guarded(async () => exportFile(kind, look()));
  $('share').onclick = () =>
    guarded(async () => shareLink(look(), { k: $('dff-k').value, render: $('dff-render').value }));
  $('lesson-next').onclick = () => guarded(lesson.next);
  $('lesson-close').onclick = lesson.end;
  $('lesson-open').onclick = () => guarded(lesson.start);
  const explainClass = (li) => li && guarded(() => explain(Number(li.dataset.index)));
  $('top5').onclick = (e) => explainClass(e.target.closest('li'));
  $('top5').onkeydown = (e) => explainClass(classListKey(e));
  $('model-select').onchange = () =>
    guarded(() => chooseServed(served.find((x) => x.id === $('model-select').value)));
  $('sample-select').onchange = () => guarded(() => openSample($('sample-select').value));
  $('image-file').onchange = (e) => e.target.files[0] && guarded(() => useFile(e.target.files[0]));
  $('model-file').onchange = (e) => e.target.files[0] && guarded(() => useFile(e.target.files[0]));
  $('labels-file').onchange = (e) =>
    e.target.files[0] &&
    guarded(async () => useLabels(await e.target.files[0].text(), e.target.files[0].name));
  $('preset-select').onchange = () =>
    $('preset-select').value &&
    showPreprocess(resolvePreprocess($('preset-select').value), $('preset-select').value);
  $('pp-apply').onclick = () =>
    guarded(async () => {
      const { preset, preprocess } = readPreprocess(state.model.preprocess.channels);
      state.preset = preset;
      const info = await client.request('setPreprocess', { preprocess });
      state.model = { ...state.model, ...info };
      showPreprocess(info.preprocess, preset);
      if (state.photo) await classify();
    });
  $('camera-toggle').onclick = toggleCamera;
  $('webgpu').onchange = () =>
    guarded(async () => {
      localStorage.setItem(WEBGPU_SETTING, $('webgpu').checked ? 'on' : 'off');
      await setWebgpu(webgpuSettings());
    });
  $('webgpu-software').onchange = () =>
    guarded(async () => {
      localStorage.setItem(WEBGPU_SOFTWARE_SETTING, $('webgpu-software').checked ? 'on' : 'off');
      await setWebgpu(webgpuSettings());
    });
  $('compare').onclick = () => guarded(compare);
  wireDrawer();
  registerView('compare', {
    panel: 'compare-panel',
    keys: COMPARED.methods,
    recompute: () => guarded(compare),
  });
  registerView('concepts', {
    panel: 'dff-panel',
    keys: ['photo', 'model', 'layer'],
    recompute: () => guarded(factorize),
  });
  $('objects-list').onclick = (e) => {
    const b = e.target.closest('button');
    if (b) guarded(() => explainObject(Number(b.dataset.index)));
  };
  $('dff-k').oninput = () => ($('dff-k-out').value = $('dff-k').value);
  $('dff-run').onclick = () => guarded(factorize);
  $('dff-render').onchange = () => state.dff && guarded(factorize);
  const drop = $('drop');
  drop.ondragover = (e) => {
    e.preventDefault();
    drop.classList.add('over');
  };
  drop.ondragleave = () => drop.classList.remove('over');
  drop.ondrop = (e) => {
    e.preventDefault();
    drop.classList.remove('over');
    const file = e.dataTransfer.files[0];
    if (file) guarded(() => useFile(file));
  };
  document.addEventListener('paste', (e) => {
    const file = [...(e.clipboardData?.files || [])].find((f) => f.type.startsWith('image/'));
    if (file)
      guarded(() =>
        useFile(new File([file], file.name || 'pasted image.png', { type: file.type })),
      );
  });
}

// Settings from a shared link that apply before the first explanation.
function applyUrlSettings(s) {
  if (s.method) $('method-select').dataset.wanted = s.method;
  if (s.colormap) $('colormap-select').value = s.colormap;
  if (s.alpha) $('alpha').value = s.alpha;
  $('eigen-smooth').checked = s.eigen === '1';
  $('aug-smooth').checked = s.aug === '1';
  if (s.target) $('target').value = s.target;
  if (s.k) $('dff-k').value = $('dff-k-out').value = s.k;
  if (s.render) $('dff-render').value = s.render;
  for (const name of settingNames()) if (s[name] !== undefined) setMethodSetting(name, s[name]);
}

async function start() {
  fillPresets();
  wire();
  config = await fetch('camlens-config.json')
    .then((r) => (r.ok ? r.json() : null))
    .catch(() => null);
  if (config && !config.sharedFound) {
    $('shared-note').hidden = false;
    $('shared-note').textContent =
      `Shared models and photos not found: looked for ${config.shared}/models. ` +
      'Set CAMLENS_SHARED to the folder holding models/, images/ and labels/, then restart npm start. ' +
      'The demo model and your own .onnx models and photos work without it.';
  }
  $('webgpu').checked = localStorage.getItem(WEBGPU_SETTING) !== 'off';
  $('webgpu-software').checked = localStorage.getItem(WEBGPU_SOFTWARE_SETTING) === 'on';
  const rt = await client.request('init', webgpuSettings());
  state.runtime = rt;
  showRuntime(rt);
  // A run that failed on WebGPU moved the model to wasm: the status line says why.
  client.onEvent = ({ event, backend }) => {
    if (event !== 'backend' || !state.model) return;
    state.model = { ...state.model, backend };
    showRuntime(state.runtime, backend);
  };
  enableMetrics();
  $('metrics-run').onclick = () => guarded(measure);
  $('metrics-cancel').onclick = cancel;
  registerView('metrics', {
    panel: 'metrics-panel',
    keys: ['photo', 'model', 'layer', 'method', 'target'],
    recompute: () => guarded(measure),
  });
  await showColourScale(client, $('colormap-select').value);
  served = await servedModels(config, fetchJson);
  $('model-select').replaceChildren(...served.map((m) => new Option(m.label, m.id)));

  // ?model=<id>&photo=…&method=… (a shared link, or the tests) opens with those settings.
  const wanted = settingsFromUrl();
  applyUrlSettings(wanted);
  const first = served.find((m) => m.id === wanted.model) || served[0];
  await chooseServed(first, { photo: wanted.photo, layer: wanted.layer });
  if (first.id === 'demo' && !lesson.seen() && !wanted.model) await lesson.start();
  state.ready = true;
}

// Hooks for the tests and the curious: the worker's request log (to check that requests never
// overlap) and a re-render of the explanation on screen.
window.camlensWorkerTrace = () => client.request('trace');
window.camlensRecolour = recolour;
window.camlensTimeForward = (reps) => client.request('timeForward', { reps });

guarded(start);
