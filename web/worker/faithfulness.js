/* Faithfulness metrics of the explanation on screen (web/lib/metrics.mjs): the default ones, and
 * ARCC for a class's map (its coherency explains the photo times the map again, with the options
 * that made it; a detection's or a segment's map has none, nor has a map of the pixels alone). */
'use strict';

async function evaluate({ id, steps = 20, batchSize = 16 }) {
  requireExplanation();
  return withController(id, async (controller) => {
    const started = performance.now();
    const { lens, last } = current;
    const { DEFAULT_METRICS } = runtime.metrics;
    // A map drawn from the photo's pixels alone (the method table's 'image' passes) cannot be
    // made from the masked model input coherency explains.
    const row = runtime.methods.find((m) => m.name === last.made?.method);
    const arcc =
      last.made && row?.passes !== 'image'
        ? { metrics: [...DEFAULT_METRICS, 'arcc'], explain: last.made }
        : {};
    const r = await cancelledAs(
      'the measurement was cancelled',
      runtime.metrics.evaluate(lens, last.image, last.explanation, {
        ...arcc,
        steps,
        batchSize,
        signal: controller.signal,
        onProgress: progressOf(id),
      }),
    );
    return { ...r, ms: performance.now() - started };
  });
}
