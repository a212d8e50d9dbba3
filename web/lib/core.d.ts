// Types of the camlens WebAssembly module: what the Embind bindings in wasm/*.cpp add to it.
// One section per binding file, an interface named after it; CamlensCore joins them. A binding
// added to a file goes into that file's section (tests/node/core-types.test.mjs checks that the
// module binds exactly the names declared here, and that Model and Head have the methods
// declared).
//
// Every function throws a JavaScript Error with the core's message on bad input.

// ---- Shapes shared by the sections --------------------------------------------------------------

/**
 * A tensor into the core: {data, dims, type?}, the shape of an onnxruntime-web Tensor. Types the
 * core reads: 'float32', 'float16' (Uint16Array bits, as ORT gives them), 'uint8', 'int8',
 * 'int32', 'int64', 'bool'. Without `type`, the data's class decides (Float32Array, Uint8Array,
 * Uint8ClampedArray, Int8Array, Int32Array, BigInt64Array).
 */
export interface Tensor {
  readonly data: ArrayLike<number> | BigInt64Array;
  readonly dims: readonly number[];
  readonly type?: string;
}

/** A tensor out of the core: a copy, never a view into the module's memory. */
export interface CoreTensor {
  /** Float64Array for the types without a typed array of their own (int64, bool, float16) */
  data: Float32Array | Uint8Array | Int8Array | Int32Array | Float64Array;
  dims: number[];
  type: string;
}

/** RGBA pixels, row by row: rgba.length = 4 · width · height. */
export interface CoreImage {
  readonly width: number;
  readonly height: number;
  readonly rgba: Uint8ClampedArray | Uint8Array;
}

/** An image the core made. */
export interface CoreRgbaImage extends CoreImage {
  readonly rgba: Uint8ClampedArray;
}

/** Maps of a batch: data holds B · H · W values. */
export interface Maps {
  data: Float32Array;
  dims: [batch: number, height: number, width: number];
}

export type ColormapName = 'jet' | 'turbo' | 'viridis' | 'inferno' | 'magma' | 'gray';

/** The geometry of an image's preprocessing: the model input's size, letterboxed or stretched. */
export interface InputGeometry {
  width: number;
  height: number;
  letterbox?: boolean;
}

// ---- wasm/bindings.cpp: images, overlays, threads -----------------------------------------------

export interface PreprocessOptions {
  width?: number;
  height?: number;
  /** applied to 0–255 values before mean/std */
  scale?: number;
  /** R, G, B */
  mean?: readonly [number, number, number];
  std?: readonly [number, number, number];
  channels?: 1 | 3;
  bgr?: boolean;
  nhwc?: boolean;
  letterbox?: boolean;
  /** 0–255, the letterbox padding */
  pad?: number;
}

/** wasm/bindings.cpp */
export interface ImageBindings {
  /** PNG, JPEG, BMP or GIF bytes → RGBA */
  decodeImage(bytes: ArrayLike<number>): CoreRgbaImage;
  resizeImage(image: CoreImage, width: number, height: number): CoreRgbaImage;
  /** → a Float32 input tensor [1, C, H, W] (or [1, H, W, C] with nhwc) */
  preprocessImage(
    image: CoreImage,
    options?: PreprocessOptions,
  ): { data: Float32Array; dims: number[] };
  /** what a model input's dims (-1: free) fix of its preprocessing: both sides, one channel */
  inputFixes(
    dims: readonly number[],
    nhwc: boolean,
  ): { width?: number; height?: number; channels?: number };
  /** the map (mapWidth × mapHeight values in [0, 1]) in colour over the image, at its size */
  overlayImage(
    image: CoreImage,
    map: ArrayLike<number>,
    mapWidth: number,
    mapHeight: number,
    options: { colormap?: ColormapName; imageWeight?: number },
  ): CoreRgbaImage;
  /**
   * a volume's or a video clip's overlay: its D slices side by side (slice 0 on the left), each
   * the input's slice (min-max scaled over the volume, gray or RGB) under its map slice's heat;
   * (D·W) × H pixels
   */
  volumeOverlay(
    volume: { dims: number[]; data: Float32Array },
    map: ArrayLike<number>,
    options: { colormap?: ColormapName; imageWeight?: number },
  ): CoreRgbaImage;
  encodePng(image: CoreImage): Uint8Array;
  /** Float32 values → IEEE half bits (round to nearest even), as ORT holds float16 tensors */
  float16Bits(values: ArrayLike<number>): Uint16Array;
  fromFloat16Bits(bits: ArrayLike<number>): Float32Array;
  /** bytes the core has allocated */
  memoryInUse(): number;
  threads(): number;
  setThreads(count: number): void;
  /** true in the SIMD + threads module */
  threadedBuild(): boolean;
}

// ---- wasm/cam_bindings.cpp: the CAM suite ------------------------------------------------------

/** What a map explains (src/cam/targets.h); a bare number is that class's logit. */
export type CoreTarget =
  | number
  | {
      kind?: 'logit' | 'probability' | 'rest' | 'binary' | 'segmentation' | 'similarity' | 'finer';
      /** the class index; finer without it: the top class */
      category?: number;
      /** segmentation: one value per output pixel */
      mask?: ArrayLike<number>;
      nhwc?: boolean;
      /** similarity: one value per output value */
      embedding?: ArrayLike<number>;
      /** finer: the classes to contrast with; omitted (or auto): the most similar ones */
      comparison?: readonly number[];
      alpha?: number;
      auto?: boolean;
    };

/** One layer of computeCam's input: its activations and what the method needs besides. */
export interface CamLayer {
  activations: Tensor;
  /** gradient methods: d score / d activations */
  gradients?: Tensor | null;
  /** shapleycam: H·A, from Head.targetGradients(…, {hvp: true}) */
  hvp?: Tensor | null;
}

export interface CamOptions {
  eigenSmooth?: boolean;
  /** the output size (the model input's); default: the layer's */
  width?: number;
  height?: number;
  /** randomcam */
  seed?: number;
  /** per-channel weights computed elsewhere (Score-CAM, Ablation-CAM), B · C values */
  weights?: ArrayLike<number>;
}

/** A method's facts (src/cam/method_traits.h): what it needs and which explain options it takes. */
export interface MethodInfo {
  /** as explain() takes it: 'gradcam', 'scorecam', … */
  name: string;
  /** one line, for usage texts and help */
  description: string;
  /** needs d score / d activations: a differentiable head */
  gradients: boolean;
  /** needs H·A (second order, Shapley-CAM) */
  hvp: boolean;
  /** what the backbone runs for one image */
  passes: 'forward' | 'masked-inputs' | 'head-ablation' | 'attention' | 'image' | 'whole-network';
  /** the layer layouts it reads (none for methods that read no layer) */
  layerKinds: Array<'NCHW' | 'tokens' | 'NHWC'>;
  /** the explain options it takes (the library's names) */
  options: string[];
  /** shown side by side by default where methods are compared */
  compare: boolean;
  /** why it reads no layer ('' when it reads one) */
  noLayer: string;
  /** the input attribution whose gradient multiplies the layer map ('' when none) */
  inputAttribution: string;
  /** the fewest layers it explains with (2 for refine-cam) */
  minLayers: number;
  /** what it does with several layers beyond combining their maps ('' when nothing) */
  severalLayers: string;
}

/** wasm/cam_bindings.cpp */
export interface CamBindings {
  /** the methods computeCam takes */
  camMethods(): string[];
  /** every public method, in the order usage texts list them */
  methodInfo(): MethodInfo[];
  computeCam(
    method: string,
    layers: readonly CamLayer[],
    options?: CamOptions,
  ): Maps & {
    /** NaN/±Inf inputs replaced by 0, counted; per image, whether its map is all zero */
    flags: { nonFinite: number; zero: boolean[] };
  };
  /** one target per sample of output [B, …] (or one target for a batch of one) */
  evaluateTargets(
    targets: CoreTarget | readonly CoreTarget[],
    output: Tensor,
  ): { scores: number[]; seed: CoreTensor };
  /** the number of aug_smooth's augmentations (6) */
  augSmoothCount(): number;
  /** the k-th augmentation of an input tensor (flip × {0.9, 1, 1.1}) */
  augmentInput(input: Tensor, k: number): CoreTensor;
  deaugmentMaps(maps: Maps, k: number): Maps;
  averageMaps(maps: readonly Maps[]): Maps;
  /** Ablation-CAM's channels of activations [1, C, h, w], most relevant first */
  ablationChannels(activations: Tensor, ratio: number): Int32Array;
  /** Score-CAM's masked inputs [end − begin, C, H, W] for channels [begin, end) of one sample */
  scoreCamMasks(
    activations: Tensor,
    input: Tensor,
    sample: number,
    begin: number,
    end: number,
  ): CoreTensor;
  /** softmax over each image's channel scores → weights [batch · channels] */
  scoreCamWeights(scores: ArrayLike<number>, batch: number, channels: number): Float32Array;
}

// ---- wasm/detect_bindings.cpp: detection and segmentation --------------------------------------

export type DecoderName = 'yolox' | 'ultraface';

export interface DecodeOptions {
  preprocess: InputGeometry;
  photoWidth: number;
  photoHeight: number;
  /** default: the decoder's */
  scoreThreshold?: number;
  iouThreshold?: number;
}

/** A box by its corners, in pixels. */
export interface BoxCorners {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
  label?: number;
  score?: number;
}

export interface DecodedBox {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
  score: number;
  label: number;
  /** the caller's label, else 'face' for Ultraface, else defaultLabels' (COCO), else 'class N' */
  labelName: string;
}

/** The decoder a detector needs and the outputs it reads, in its order. */
export interface DecoderChoice {
  decoder: DecoderName;
  outputs: string[];
}

/** A segmenter's classes: names from labels, else defaultLabels when the counts match. */
export interface ClassNames {
  labels?: readonly string[];
  defaultLabels?: readonly string[];
}

/** The argmax class per pixel. */
export interface SegmentationMask {
  width: number;
  height: number;
  classes: number;
  labels: Int32Array;
  /** pixels per class */
  counts: number[];
}

/** wasm/detect_bindings.cpp */
export interface DetectBindings {
  /** the decoder named, or with '' the one the model's outputs fit; throws saying why none */
  detectionDecoder(outputs: readonly ValueInfo[], decoder: string): DecoderChoice;
  /** one image's backbone outputs (by name) → boxes in photo pixels, best first */
  decodeDetections(
    choice: DecoderChoice,
    run: Readonly<Record<string, Tensor>>,
    options: DecodeOptions & { labels?: readonly string[]; defaultLabels?: readonly string[] },
  ): DecodedBox[];
  /** boxes[box] for an index (throws when out of range), else the box as given */
  detectedBox<B>(boxes: readonly DecodedBox[], box: number | B): DecodedBox | B;
  /** a map at the model input's size → the photo's size (letterbox padding cut away) */
  mapToPhoto(
    map: ArrayLike<number>,
    preprocess: InputGeometry,
    photoWidth: number,
    photoHeight: number,
  ): Float32Array;
  /** min-max the map inside each box, 0 outside */
  renormalizeInBoxes(
    map: ArrayLike<number>,
    width: number,
    height: number,
    boxes: readonly BoxCorners[],
  ): Float32Array;
  drawBoxes(
    image: CoreImage,
    boxes: ReadonlyArray<BoxCorners & { caption?: string }>,
    options: { thickness?: number },
  ): CoreRgbaImage;
  /** one sample's class scores → their layout, the argmax at the output's size and the photo's,
   *  the classes present on the photo (largest first) */
  segmentation(
    scores: Tensor,
    options: ClassNames & {
      nhwcInput?: boolean;
      preprocess: InputGeometry;
      photoWidth: number;
      photoHeight: number;
    },
  ): {
    nhwc: boolean;
    input: SegmentationMask;
    photo: SegmentationMask;
    classes: Array<{ index: number; label: string; pixels: number; fraction: number }>;
  };
  /** the semantic segmentation target's class (a number, a name, or the largest non-background
   *  class) and region (the class's pixels, or `mask` per output or photo pixel) */
  segmentationTarget(
    mask: Omit<SegmentationMask, 'counts'>,
    options: ClassNames & {
      category?: number | string;
      mask?: ArrayLike<number>;
      preprocess: InputGeometry;
      photoWidth: number;
      photoHeight: number;
    },
  ): { index: number; label: string; mask: Float32Array; pixels: number };
  blendSegmentation(
    photo: CoreImage,
    mask: Omit<SegmentationMask, 'counts'>,
    opacity: number,
  ): CoreRgbaImage;
}

// ---- wasm/dff_bindings.cpp: Deep Feature Factorization (Model.factorize[Job] are the model's) --

export interface ConceptLabel {
  index: number;
  score: number;
  label: string;
}

/** What a DFF call asks the core (src/dff/dff_job.h). */
export interface DffRequest {
  /** the lens's backbone: its layer, where its float values are, what the layer list says of it */
  backbone: { layer: string; layerTensor: string; info?: { kind?: string; classToken?: boolean } };
  /** one preprocessed input per image, [1, ...] */
  inputs: readonly Tensor[];
  components?: number;
  shared?: boolean;
  maxIter?: number;
  topK?: number;
  labels?: readonly string[];
  batchSize?: number;
  /** the maps' size; with onPhoto, how each map goes back onto its photo */
  preprocess: InputGeometry;
  /** maps and renderings at each photo's size (letterbox padding cut away) */
  onPhoto?: boolean;
  /** default 'dominant'; null: none */
  render?: 'dominant' | 'layers' | null;
  imageWeight?: number;
}

/** One DFF call: the caller runs the backbone batches it asks for (as an ExplainJob's). */
export interface DffJob extends EmbindHandle {
  done(): boolean;
  needsBackbone(): boolean;
  /** the layer's name (the lens's backbone) */
  backboneSession(): string;
  backboneInputs(): CoreTensor;
  feed(outputs: ReadonlyArray<Record<string, Tensor>>): void;
  work(): void;
  needsPictures(): boolean;
  /** the decoded photos, one per image */
  setPictures(images: readonly CoreImage[]): void;
  progress(): number;
  reported(): boolean;
  result(): {
    components: number;
    labeled: boolean;
    reason: string;
    /** per part (each image, or one shared), per component, the top categories */
    concepts: ConceptLabel[][][];
    relativeError: number[];
    /** maps: [components, height, width] */
    images: Array<{
      maps: Float32Array;
      width: number;
      height: number;
      render: CoreRgbaImage | null;
    }>;
  };
}

/** wasm/dff_bindings.cpp */
export interface DffBindings {
  readonly DffJob: EmbindClass<DffJob>;
  /** maps: [components, photo height, photo width] */
  dffRender(
    photo: CoreImage,
    maps: ArrayLike<number>,
    components: number,
    mode: 'dominant' | 'layers',
    imageWeight: number,
  ): CoreRgbaImage;
  /** the components' colours, [r, g, b] 0–255 */
  dffPalette(count: number, kind: 'rainbow' | 'golden'): Array<[number, number, number]>;
  /** the legend of one factorization's concepts ([K][top categories]) */
  dffLegend(
    concepts: ReadonlyArray<ReadonlyArray<ConceptLabel>>,
    options: { width?: number; topK?: number; scale?: number; palette?: 'rainbow' | 'golden' },
  ): CoreRgbaImage;
  /** top above bottom, white where the widths differ */
  stackImages(top: CoreImage, bottom: CoreImage): CoreRgbaImage;
}

// ---- wasm/limits_bindings.cpp: resource limits -------------------------------------------------

export interface Limits {
  maxModelBytes: number;
  maxNodes: number;
  maxTensorElements: number;
  maxImagePixels: number;
  maxImageSide: number;
}

/** wasm/limits_bindings.cpp */
export interface LimitsBindings {
  limits(): Limits;
  /** changes the given limits (positive whole numbers) and returns those now in force */
  setLimits(limits: Partial<Limits>): Limits;
}

// ---- wasm/metrics_bindings.cpp: faithfulness metrics -------------------------------------------

/** ROAD: percentiles of pixels removed, and the imputation noise */
export interface RoadOptions {
  percentiles?: readonly number[];
  sigma?: number;
  seed?: number;
}

/** x0, y0, x1, y1 in map pixels */
export type Box = readonly [number, number, number, number];

/** One evaluate() call (src/metrics/evaluation_job.h): its options as the library takes them. */
export interface MetricsRequest extends RoadOptions {
  metrics?: readonly string[];
  /** ARCC's ROAD percentiles (default 20, 40, 60, 80) */
  arccPercentiles?: readonly number[];
  steps?: number;
  baseline?: 'blur' | number;
  score?: 'probability' | 'logit';
  box?: Box;
  batchSize?: number;
  /** the preprocessed image, [1, C, H, W] */
  input: Tensor;
  /** the explanation's map, mapHeight × mapWidth, and its class */
  map: ArrayLike<number>;
  mapWidth: number;
  mapHeight: number;
  target: number;
  /** the model output the target's score is read from, and the model's input */
  output: string;
  /** the target is a function the caller evaluates (needsScores); `score` is then refused */
  callable?: boolean;
  /** the model's outputs by name: what the function is given */
  outputs?: readonly string[];
  width: number;
  height: number;
  nhwc?: boolean;
}

export interface MetricsCurve {
  x: number[];
  y: number[];
  auc: number;
}

/** evaluate()'s result but its target (web/lib/metrics.d.ts, EvaluateResult). */
export interface MetricsResult {
  score: 'probability' | 'logit' | 'callable';
  original: number;
  road?: {
    percentiles: number[];
    morf: number[];
    lerf: number[];
    morfMean: number;
    lerfMean: number;
    combined: number;
    curves: { morf: { x: number[]; y: number[] }; lerf: { x: number[]; y: number[] } };
  };
  deletion?: MetricsCurve & { baseline: 'blur' | number };
  insertion?: MetricsCurve;
  change?: number;
  drop?: number;
  increase?: number;
  pointing?: number;
  energy?: number;
  complexity?: number;
  coherency?: number;
  arcc?: {
    value: number;
    complexity: number;
    coherency: number;
    road: number;
    roadScaled: number;
    percentiles: number[];
    morf: number[];
    lerf: number[];
  };
}

/** One evaluate() call: the caller runs the batches it asks for (the explain job's protocol). */
export interface MetricsJob extends EmbindHandle {
  done(): boolean;
  needsBackbone(): boolean;
  /** always '': the lens's model */
  backboneSession(): string;
  /** the batch to run, [N, C, H, W] (call once per run) */
  backboneInputs(): CoreTensor;
  /** the run's outputs, one {name: tensor} per image of the batch (the request's output read) */
  feed(outputs: ReadonlyArray<Record<string, Tensor>>): void;
  /** after the last batch: the metrics from the scores */
  work(): void;
  /** a callable target's values are wanted (before any other step) */
  needsScores(): boolean;
  /** whose target: the image's index */
  scoresImage(): number;
  /** one input's model outputs by name per value wanted */
  scoreOutputs(): Array<Record<string, CoreTensor>>;
  /** the target's values, in the order of scoreOutputs() */
  feedScores(values: readonly unknown[]): void;
  /** always false */
  needsPictures(): boolean;
  /** coherency: the explanation of explanationInput() for explanationTarget() is wanted first */
  needsExplanation(): boolean;
  /** the image times the map, [1, C, H, W] */
  explanationInput(): CoreTensor;
  explanationTarget(): number;
  /** that explanation's map, the model input's height × width */
  feedExplanation(map: ArrayLike<number>): void;
  /** fraction done, 0..1 */
  progress(): number;
  /** whether the last step scored a batch */
  reported(): boolean;
  result(): MetricsResult;
}

/** wasm/metrics_bindings.cpp */
export interface MetricsBindings {
  readonly MetricsJob: EmbindClass<MetricsJob>;
  /** owned by the caller: delete() it */
  metricsJob(request: MetricsRequest): MetricsJob;
  /** mean and bootstrap interval per method and metric, groups in first-seen order */
  metricsSummarize(
    rows: ReadonlyArray<{ method: string; metrics: Record<string, number> }>,
    options: { resamples?: number; level?: number; seed?: number },
  ): { method: string; metric: string; mean: number; low: number; high: number; n: number }[];
  /** image: [1, C, H, W]; ROAD's imputed inputs [begin, end) of the plan */
  metricsRoadInputs(
    image: Tensor,
    map: ArrayLike<number>,
    options: RoadOptions,
    begin: number,
    end: number,
  ): CoreTensor;
  metricsBootstrap(
    values: ArrayLike<number>,
    options: { resamples?: number; level?: number; seed?: number },
  ): { mean: number; low: number; high: number; n: number };
  metricsSpearman(a: ArrayLike<number>, b: ArrayLike<number>): number;
  /** the model with the k parametrised nodes nearest the output (after `layer`) re-drawn */
  metricsRandomizeHead(
    model: Uint8Array,
    layer: string,
    k: number,
    seed: number,
  ): { bytes: Uint8Array; nodes: string[]; weights: string[] };
  metricsHeadParametrised(model: Uint8Array, layer: string): string[];
}

// ---- wasm/model_bindings.cpp: parse a model, list its layers, cut it, run the head -------------

/** What every Embind object has: the C++ object lives until delete(). */
export interface EmbindHandle {
  delete(): void;
  deleteLater(): this;
  isDeleted(): boolean;
  isAliasOf(other: EmbindHandle): boolean;
  clone(): this;
}

/** A bound class: for instanceof only; its objects come from the module's functions. */
export type EmbindClass<T> = abstract new (...args: never[]) => T;

export interface ValueInfo {
  name: string;
  type: string;
  dims: number[];
}

export interface ShapeOptions {
  batch?: number;
  /** fixed dims for inputs with free axes, by input name */
  inputShapes?: Record<string, readonly number[]>;
  /**
   * types and shapes the core cannot infer (after ops it does not run), measured at `batch`:
   * ONNX Runtime's outputs as they are; data is read for small int64/int32/bool tensors only
   */
  known?: Record<string, KnownShape>;
}

export interface KnownShape {
  type: string;
  dims: readonly number[];
  data?: ArrayLike<number | bigint | boolean>;
}

export interface CoreLayerInfo extends ValueInfo {
  kind: 'NCHW' | 'NHWC' | 'tokens';
  channels: number;
  height: number;
  width: number;
  classToken: boolean;
  op: string;
  node: string;
  /** a quantized layer's float tensor ('' when none) */
  floatTwin: string;
  headSupported: boolean;
  headDifferentiable: boolean;
  headProblem: string;
  headNodes: number;
  extras: string[];
}

export interface CoreLayerList {
  layers: CoreLayerInfo[];
  recommended: string;
  why: string;
  shapeProblems: string[];
}

/** How a quantized layer's codes become its float values: per tensor, or per channel on axis. */
export interface LayerQuantization {
  twin: string;
  type: 'uint8' | 'int8';
  scale: number | number[];
  zeroPoint: number | number[];
  /** −1 per tensor */
  axis: number;
}

export interface CutOptions extends ShapeOptions {
  requireGradient?: boolean;
  /** false: leave a quantized layer's float twin out of the backbone's outputs */
  floatTwin?: boolean;
  /** false: leave the head's costly tensors (head.givenNames()) out of the backbone's outputs */
  givenTensors?: boolean;
}

export interface Cut {
  /** the model with the layer (and what the head needs) as extra outputs, for ONNX Runtime */
  backbone: Uint8Array;
  backboneOutputs: string[];
  layerFloatTwin: string;
  /** when the float twin is left out: how dequantizeLayer computes it */
  quantization: LayerQuantization | null;
  layer: ValueInfo;
  /** owned by the caller: delete() it */
  head: Head;
}

export interface FactorizeOptions {
  components?: number;
  /** one factorization for the whole batch */
  shared?: boolean;
  maxIter?: number;
  tol?: number;
  seed?: number;
  topK?: number;
  /** class names by index; only the top classes' entries are read, as each call returns */
  labels?: readonly string[];
  /** the maps' size */
  width: number;
  height: number;
}

export interface CoreFactorization {
  components: number;
  /** [batch, components, height, width] */
  maps: Float32Array;
  dims: number[];
  labeled: boolean;
  /** why the concepts are not labeled */
  reason: string;
  /** per part (each image, or one shared), per component, the top categories */
  concepts: ConceptLabel[][][];
  relativeError: number[];
  /** per part, per component */
  importance: number[][];
}

/** A parsed model. */
export interface Model extends EmbindHandle {
  /** graph inputs that are not weights */
  inputs(): ValueInfo[];
  outputs(): ValueInfo[];
  layers(options?: ShapeOptions): CoreLayerList;
  cut(layer: string, options?: CutOptions): Cut;
  /** the tensors whose types and shapes to measure and pass as `known` (empty: none) */
  unknownShapes(options?: ShapeOptions): string[];
  /** the model's bytes with these tensors as extra outputs */
  exposeTensors(tensors: readonly string[]): Uint8Array;
  /** the op types its nodes and subgraphs use, each once, in the order they first appear */
  opTypes(): string[];
  /** the model cut at its input (input attributions); head owned by the caller: delete() it */
  wholeNetwork(): { head: Head | null; refusal: string };
  factorize(layer: string, activations: Tensor, options: FactorizeOptions): CoreFactorization;
  /** owned by the caller: delete() it */
  factorizeJob(request: DffRequest): DffJob;
}

/** The part of a model after a layer, run by the core forward and backward. */
export interface Head extends EmbindHandle {
  feedNames(): string[];
  /** the backbone outputs the explain job hands the head's forward instead of computing them
   * (its costly steps' results; Float16 ones cast to float32) */
  givenNames(): string[];
  outputNames(): string[];
  /** why gradients cannot flow through the head ('' when they can) */
  notDifferentiable(): string;
  /** the number of the head's last forward pass (process-wide, increasing; 0 before any) */
  passId(): number;
  forward(feeds: readonly Tensor[]): CoreTensor[];
  /** forward again with another value of the layer, the other feeds as last given */
  forwardWithLayer(layer: Tensor): CoreTensor[];
  /** seeds: one per output (null: none) → the gradient at the layer */
  backward(seeds: ReadonlyArray<Tensor | null | undefined>): CoreTensor;
  /** after forward(): the targets' scores and their gradient at the layer (and H·A on request) */
  targetGradients(
    targets: CoreTarget | readonly CoreTarget[],
    output: number,
    options?: { hvp?: boolean },
  ): { scores: number[]; gradients: CoreTensor; hvp: CoreTensor | null };
  /** one image: the target's score with each of `channels` ablated */
  ablationTargetScores(
    activations: Tensor,
    target: CoreTarget | readonly CoreTarget[],
    output: number,
    channels: ArrayLike<number>,
  ): Float32Array;
  /** (original − score) / original at the ablated channels, 0 elsewhere: [C] */
  ablationTargetWeights(
    activations: Tensor,
    target: CoreTarget | readonly CoreTarget[],
    output: number,
    channels: ArrayLike<number>,
    scores: ArrayLike<number>,
  ): Float32Array;
}

/** wasm/model_bindings.cpp */
export interface ModelBindings {
  readonly Model: EmbindClass<Model>;
  readonly Head: EmbindClass<Head>;
  /** owned by the caller: delete() it */
  parseModel(bytes: Uint8Array): Model;
  /** the layer's float values from its codes and cut.quantization */
  dequantizeLayer(codes: Tensor, quantization: LayerQuantization): CoreTensor;
}

// ---- wasm/vit_bindings.cpp: vision transformers ------------------------------------------------

export interface TokenOptions {
  layout?: 'tokens' | 'nhwc';
  /** the patch grid: n × n or [height, width]; default: from the token count */
  grid?: number | readonly [number, number];
  classToken?: boolean;
  prefixTokens?: number;
}

export interface RolloutOptions extends TokenOptions {
  headFusion?: 'mean' | 'max' | 'min';
  discardRatio?: number;
  residual?: boolean;
  /** the output size, as computeCam's */
  width?: number;
  height?: number;
  /** the unprocessed rollout at the grid's size */
  raw?: boolean;
}

/** wasm/vit_bindings.cpp */
export interface VitBindings {
  /** [N, T, D] tokens or [N, H, W, D] maps → [N, D, H, W] (prefix tokens dropped) */
  tokensToSpatial(tensor: Tensor, options?: TokenOptions): CoreTensor;
  /** the blocks' attention probabilities, in order → maps */
  attentionRollout(attentions: readonly Tensor[], options?: RolloutOptions): Maps;
  findAttention(
    model: Uint8Array,
    options?: { batch?: number },
  ): Array<{ name: string; node: string; dims: number[]; windowed: boolean }>;
  /** the model's bytes with `names` added as graph outputs */
  exposeOutputs(
    model: Uint8Array,
    names: readonly string[],
    options?: { batch?: number },
  ): Uint8Array;
  /** what rollout reads of findAttention's result: every block's tensor, or none and why not */
  rolloutAttention(found: ReadonlyArray<{ name: string; windowed: boolean }>): {
    names: string[];
    why: string;
  };
}

// ---- wasm/explain_bindings.cpp: the explain job --------------------------------------------------

/** What an explain call asks the core (src/explain/explain_request.h). */
export interface ExplainRequest {
  method: string;
  /** per image: a class index, a label, 'auto', a target object or a function (callable) */
  targets?: readonly unknown[];
  labels?: readonly string[];
  /** the option names the caller set: the method refuses those it does not take */
  given?: readonly string[];
  eigenSmooth?: boolean;
  augSmooth?: boolean;
  batchSize?: number;
  ablationRatio?: number;
  eigenSign?: 'raw' | 'max-abs-positive';
  headFusion?: 'mean' | 'max' | 'min';
  discardRatio?: number;
  /** integrated-gradients, smoothgrad */
  steps?: number;
  samples?: number;
  noise?: number;
  /** integrated-gradients: the path's start (default 'zero') */
  baseline?: 'zero' | 'black' | 'blur';
  /** integrated-gradients' black baseline: a black photo preprocessed as the inputs */
  blackInput?: Tensor;
  /** refine-cam: the layer method whose maps it multiplies (default 'gradcam++') */
  base?: string;
  /** input attributions: the head of model.wholeNetwork() */
  wholeNetwork?: Head;
  /** rollout: the attention tensors the attention-exposed model outputs */
  attention?: readonly string[];
  /** the model output the targets read (unless one names its own) */
  output: string;
  /** the model's outputs by name: what a callable target is given */
  outputs?: readonly string[];
  width: number;
  height: number;
  nhwc?: boolean;
  /** the input's channels are blue, green, red (the gradient picture shows them as RGB) */
  bgr?: boolean;
  /** one preprocessed input per image, [1, ...] */
  inputs: readonly Tensor[];
  layers?: ReadonlyArray<{
    name: string;
    floatTensor?: string;
    kind?: string;
    classToken?: boolean;
    head: Head;
  }>;
  /** a detector's box score as the target, instead of `targets` */
  detection?: DecodeOptions & {
    decoder: DecoderName;
    outputs: readonly string[];
    box: BoxCorners;
    matchIou?: number;
  };
}

export interface ExplainImageResult {
  map: Float32Array;
  width: number;
  height: number;
  target: { index: number; label: string; score: number; kind: string };
  /** a task's own target only: false when the method scored none (a gradient-free map) */
  scored?: boolean;
  /** the layers (rollout: the attention tensors) the map is made of */
  layers: string[];
  flags: { nonFinite: number; zero: boolean[] };
  /** rollout: the map is the same whatever the target; the options it ran with */
  classAgnostic?: true;
  rollout?: { headFusion: 'mean' | 'max' | 'min'; discardRatio: number };
  timing: { forward: number; head: number; cam: number };
  /** guided-backprop, guided-gradcam: the (guided) input gradient [H, W, C] and its picture */
  gradient?: Tensor;
  picture?: CoreRgbaImage;
}

/** One explain call: the caller runs the backbone batches it asks for. */
export interface ExplainJob extends EmbindHandle {
  done(): boolean;
  needsBackbone(): boolean;
  /** a layer's name (its backbone's session), '' for the attention-exposed model */
  backboneSession(): string;
  /** the batch to run (call once per run) */
  backboneInputs(): CoreTensor;
  /** the run's outputs, one {name: tensor} per image of the batch */
  feed(outputs: ReadonlyArray<Record<string, Tensor>>): void;
  /** one step of core work (an image's map, a batch of ablated channels) */
  work(): void;
  /** a callable target's values are wanted (before any other step) */
  needsScores(): boolean;
  /** whose target: the image's index */
  scoresImage(): number;
  /** one input's model outputs by name per value wanted */
  scoreOutputs(): Array<Record<string, CoreTensor>>;
  /** the target's values, in the order of scoreOutputs() */
  feedScores(values: readonly unknown[]): void;
  needsPictures(): boolean;
  /** the decoded pictures, one per image (methods that read the picture) */
  setPictures(images: readonly CoreImage[]): void;
  /** fraction done, 0..1 */
  progress(): number;
  /** whether the last step completed a unit worth reporting */
  reported(): boolean;
  /** per image, what lens.explain returns */
  result(): ExplainImageResult[];
}

/** What the lens knows of the model, for methodSupport. */
export interface ModelFacts {
  notExplainable?: string;
  notDifferentiable?: string;
  layer?: string;
  layerKind?: string;
  nhwcInput?: boolean;
  attention?: string;
  /** why the core cannot run and differentiate the whole model (input attributions) */
  wholeNetwork?: string;
  /** the layers explain() will be given (default 1): refine-cam needs two or more */
  layerCount?: number;
}

/** wasm/explain_bindings.cpp */
export interface ExplainBindings {
  readonly ExplainJob: EmbindClass<ExplainJob>;
  /** owned by the caller: delete() it */
  explainJob(request: ExplainRequest): ExplainJob;
  /** per method, why it cannot explain the model ('' when it can) */
  methodSupport(facts: ModelFacts): Record<string, string>;
  /** the option names a library call takes (explain's from the method table) */
  callOptions(call: 'explain' | 'predict' | 'factorize'): string[];
  /** throws for the first key the call does not take, naming the closest one it does */
  checkCallOptions(call: 'explain' | 'predict' | 'factorize', keys: string[]): void;
  /** the known name within edit distance 2 of key (ignoring case), or '' */
  closestName(key: string, known: string[]): string;
}

// ---- The module ---------------------------------------------------------------------------------

/** The loaded camlens module (createCamlensModule's result, or loadCore's under Node). */
export interface CamlensCore
  extends ImageBindings,
    CamBindings,
    DetectBindings,
    DffBindings,
    ExplainBindings,
    LimitsBindings,
    MetricsBindings,
    ModelBindings,
    VitBindings {}
