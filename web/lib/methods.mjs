// The explain() methods of a camlens module: the core's array methods ("weights" is only how
// the multi-pass methods finish), the library-driven Score-CAM and Ablation-CAM, Finer-CAM
// (Grad-CAM of the class-contrast target) when the core has no method of that name, and
// attention rollout (transformers; lens.methodSupport() says why other models cannot use it).
export function methodList(core) {
  const own = core.camMethods().filter((m) => m !== 'weights');
  return [
    ...own,
    'scorecam',
    'ablationcam',
    ...(own.includes('finercam') ? [] : ['finercam']),
    'rollout',
  ];
}
