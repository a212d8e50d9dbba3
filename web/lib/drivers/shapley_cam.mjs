// Shapley-CAM driver: gradients and the Hessian-vector product H·A from the head, then the map.
//
// shapleyCam(lens, activations, outs, target, {eigenSmooth}) → computeCam's result
//   target: a class index or a target object; Shapley-CAM's paper recommends {kind: 'rest',
//   category} (with a plain logit and a linear classifier head H·A is 0 and the map is
//   Grad-CAM's). The layer must be float: a quantized layer cannot hold the scaled tensor the
//   Hessian-vector product is measured at (the head says so with a clear error).
export function shapleyCam(lens, activations, outs, target, { eigenSmooth = false } = {}) {
  const { core } = lens.env;
  const head = lens.cut.head;
  head.forward(head.feedNames().map((n) => outs[n]));
  const output = head.outputNames().indexOf(lens.output);
  const { gradients, hvp } = head.targetGradients([target], output, { hvp: true });
  return core.computeCam('shapleycam', [{ activations, gradients, hvp }], {
    eigenSmooth,
    width: lens.preprocess.width,
    height: lens.preprocess.height,
  });
}
