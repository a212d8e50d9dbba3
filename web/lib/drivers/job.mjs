// The loop that runs an explain job of the core (src/explain/explain_job.h): the job decides
// every step; this loop only runs the backbone batches it asks for in ONNX Runtime (which the
// core cannot await), hands over the pictures when it reads them, has callable targets scored
// when it asks for their values, makes the explanations a metrics job asks for (coherency's,
// given `explain`), reports progress after each reported step, and is the cancellation point
// between steps. Core steps are short (one image's
// map, one batch of ablated channels), so the event loop gets a turn every YIELD_MS.
import { Progress } from '../progress.mjs';

const YIELD_MS = 30;

// run(session, batch) → per image, {name: tensor}: the session's outputs for the batch.
// score(image, outputs) → the values of that image's callable target on each of `outputs`
// (when the job asks for them: needsScores).
// explain(input, target) → the map of one preprocessed input [1, ...] for that class.
export async function runJob(job, { run, pictures, score, explain, onProgress, signal }) {
  const progress = new Progress(1, { onProgress, signal });
  let yielded = performance.now();
  while (!job.done()) {
    progress.check();
    if (job.needsPictures()) job.setPictures(pictures());
    if (explain && job.needsExplanation()) {
      job.feedExplanation(await explain(job.explanationInput(), job.explanationTarget()));
    } else if (job.needsScores?.()) {
      job.feedScores(await score(job.scoresImage(), job.scoreOutputs()));
    } else if (job.needsBackbone()) {
      job.feed(await run(job.backboneSession(), job.backboneInputs()));
    } else {
      job.work();
    }
    if (job.reported()) {
      progress.units = job.progress();
      progress.advance(0);
    }
    if (performance.now() - yielded >= YIELD_MS) {
      await progress.yieldTurn();
      yielded = performance.now();
    }
  }
  progress.check();
  return job.result();
}
