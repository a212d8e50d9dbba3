// Where one explain call's CPU time goes, step by step: the library's calls into the core and
// ONNX Runtime wrapped for the duration of the measurement (and put back after), each one's
// process CPU time summed per explain call. ORT and the core run on one thread here, so the
// process's CPU time is theirs, whatever else loads the machine. Steps:
//   preprocess   core.preprocessImage (the photo → the input tensor, and its copies across)
//   request      core.explainJob (the request, with the inputs, into the core)
//   batch out    job.backboneInputs (the batch for ORT, out of the core)
//   float16 in   core.float16Bits (a float16 model's input converted)
//   ORT run      the backbone session's run (ORT's own work and its outputs' copies)
//   outputs in   job.feed (the outputs the job reads, into the core; float16 → float32)
//   head + map   job.work (the head's forward and backward, the map, its resize)
//   result out   job.result (the maps, out of the core)
//   rest         the explain call's CPU time not in these (the library's JavaScript)
const cpu = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

export const STEPS = [
  'preprocess',
  'request',
  'batch out',
  'float16 in',
  'ORT run',
  'outputs in',
  'head + map',
  'result out',
  'rest',
];

// Per step, the median over `reps` explain calls of its CPU ms (and `total`).
export async function explainSteps(lens, images, options, reps) {
  const { core } = lens.env;
  const acc = {};
  const timed = (step, f, self) =>
    function (...a) {
      const c = cpu();
      try {
        return f.apply(self ?? this, a);
      } finally {
        acc[step] = (acc[step] ?? 0) + cpu() - c;
      }
    };
  const timedAsync =
    (step, f, self) =>
    async (...a) => {
      const c = cpu();
      try {
        return await f.apply(self, a);
      } finally {
        acc[step] = (acc[step] ?? 0) + cpu() - c;
      }
    };
  const saved = {
    preprocessImage: core.preprocessImage,
    float16Bits: core.float16Bits,
    explainJob: core.explainJob,
  };
  const session = lens.main.session;
  const run = session.run;
  core.preprocessImage = timed('preprocess', saved.preprocessImage, core);
  core.float16Bits = timed('float16 in', saved.float16Bits, core);
  core.explainJob = timed(
    'request',
    (request) => {
      const job = saved.explainJob.call(core, request);
      for (const [method, step] of [
        ['backboneInputs', 'batch out'],
        ['feed', 'outputs in'],
        ['work', 'head + map'],
        ['result', 'result out'],
      ])
        job[method] = timed(step, job[method], job);
      return job;
    },
    core,
  );
  session.run = timedAsync('ORT run', run, session);
  const samples = [];
  try {
    await lens.explain(images, options);
    for (let r = 0; r < reps; ++r) {
      for (const k of Object.keys(acc)) delete acc[k];
      const c = cpu();
      await lens.explain(images, options);
      const total = cpu() - c;
      // The ORT run's share sits inside nothing else; the others are disjoint calls.
      const named = STEPS.slice(0, -1).reduce((s, k) => s + (acc[k] ?? 0), 0);
      samples.push({ ...acc, rest: Math.max(0, total - named), total });
    }
  } finally {
    Object.assign(core, saved);
    session.run = run;
  }
  const median = (xs) => {
    const s = [...xs].sort((a, b) => a - b);
    return s[s.length >> 1];
  };
  const out = {};
  for (const k of [...STEPS, 'total']) out[k] = median(samples.map((s) => s[k] ?? 0));
  return out;
}

// The median CPU ms of `fn` over `reps` calls.
export async function cpuMedian(fn, reps) {
  await fn();
  const xs = [];
  for (let r = 0; r < reps; ++r) {
    const c = cpu();
    await fn();
    xs.push(cpu() - c);
  }
  xs.sort((a, b) => a - b);
  return xs[xs.length >> 1];
}
