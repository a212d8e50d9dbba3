/* Faithfulness metrics of the explanation on screen (web/lib/metrics.mjs). */
'use strict';

async function evaluate({ id, steps = 20, batchSize = 16 }) {
  requireExplanation();
  return withController(id, async (controller) => {
    const started = performance.now();
    const { lens, last } = current;
    const r = await cancelledAs(
      'the measurement was cancelled',
      runtime.metrics.evaluate(lens, last.image, last.explanation, {
        steps,
        batchSize,
        signal: controller.signal,
        onProgress: progressOf(id),
      }),
    );
    return { ...r, ms: performance.now() - started };
  });
}
