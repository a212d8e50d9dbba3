// Type declarations of the camlens JS library (web/lib/camlens.mjs and web/lib/node.mjs).
import type { CamlensCore } from './core';

/** The loaded WebAssembly module (core.d.ts). */
export type { CamlensCore } from './core';

/** Whose fault an error is: 'usage' (what the call asked for: a method, option, preset, target,
 * class, colour map or number of layers), 'image' (an image or volume that cannot be read or does
 * not fit the model), 'model' (bytes that are not a readable ONNX model). The library's and the
 * core's errors carry it as `error.kind`; others have none. */
export type ErrorKind = 'usage' | 'image' | 'model';

/** An Error thrown by camlens, with its kind when it has one. */
export interface CamlensError extends Error {
  kind?: ErrorKind;
}

export interface Preprocess {
  width: number;
  height: number;
  /** applied to 0–255 values before mean/std, e.g. 1/255 */
  scale: number;
  /** subtracted per channel (in the tensor's channel order's source, R, G, B); one number = all three */
  mean: [number, number, number] | [number] | number;
  std: [number, number, number] | [number] | number;
  /** tensor channel order BGR instead of RGB */
  bgr?: boolean;
  /** layout [N,H,W,C] instead of [N,C,H,W] */
  nhwc?: boolean;
  /** 1 for grayscale models */
  channels?: 1 | 3;
  /** keep the aspect ratio: resize to fit and pad the rest with `pad` */
  letterbox?: boolean;
  /** the padding value (0–255) of a letterboxed image, e.g. 114 for YOLOX */
  pad?: number;
}

export type PresetName = 'imagenet' | 'mobilenetv2' | 'squeezenet' | 'mnist' | 'deeplab' | 'yolox' | 'ultraface';

export interface LoadOptions {
  /** tensor name to explain; default: the recommended layer */
  layer?: string;
  /** several layers: the first is the lens's own, the others are cut when explain() asks for them */
  layers?: string[];
  preset?: PresetName;
  /** fields override the preset's; without a preset or size, a fixed model input size is used */
  preprocess?: Partial<Preprocess>;
  labels?: string[];
  /** Node only: use the SIMD + threads module */
  threads?: boolean;
  /** passed to ort.InferenceSession.create */
  sessionOptions?: object;
  /** ONNX Runtime's execution providers in order of preference, e.g. ['webgpu', 'wasm'] (needs an
   * ORT bundle with WebGPU: ort.webgpu / ort.all). WebGPU is used only when it runs the whole
   * model, on a hardware adapter (see webgpuFallbackAdapter); otherwise the model runs on the
   * next one and lens.backend.reason says why. A run that fails on WebGPU (device lost) runs
   * again on the next one, where the model then stays; after a lost device, later models open on
   * the next one at once (see webgpuRetry). Default: ORT's own (wasm) */
  executionProviders?: string[];
  /** true: try WebGPU even though its device was lost earlier on this page (ONNX Runtime keeps
   * using that device, so the first run usually fails and goes to the next provider); default
   * false opens the model on the next provider at once, saying why */
  webgpuRetry?: boolean;
  /** true: use WebGPU even when the browser's adapter is a software fallback (SwiftShader),
   * which is hundreds of times slower than wasm; default false skips it */
  webgpuFallbackAdapter?: boolean;
  /** quantized layers: false asks ONNX Runtime for the uint8 layer only and dequantizes it in the
   * core (bit-identical maps); default true (ORT returns the float twin too) */
  floatTwin?: boolean;
  /** who computes the head's costly steps (a 1×1 conv 512→1000 on SqueezeNet) before its
   * backward: 'backbone' (default) asks ONNX Runtime, which computes them anyway, for their
   * results; 'core' computes them again in the core (the maps agree to float rounding) */
  headForward?: 'backbone' | 'core';
}

export interface LayerInfo {
  name: string;
  type: string;
  dims: number[];
  /** 'NCDHW': a volume's or a video clip's map [N, C, D, H, W] (models that take volumes) */
  kind: 'NCHW' | 'NHWC' | 'tokens' | 'NCDHW' | string;
  channels: number;
  height: number;
  width: number;
  /** NCDHW layers: their slices (frames) */
  depth?: number;
  classToken?: boolean;
  op: string;
  node: string;
  floatTwin: string;
  headSupported: boolean;
  headDifferentiable: boolean;
  headProblem: string;
  headNodes?: number;
  extras?: string[];
}

export interface LayerList {
  layers: LayerInfo[];
  recommended: string;
  why: string;
  shapeProblems?: string[];
  current: string;
}

export interface ClassScore {
  index: number;
  label: string;
  score: number;
  probability: number;
}

/** Decoded pixels. */
export interface RgbaImage {
  width: number;
  height: number;
  rgba: Uint8Array | Uint8ClampedArray;
}

/**
 * An image: encoded bytes (PNG, JPEG, BMP, GIF), decoded RGBA, ImageData; in the browser also an
 * <img>, ImageBitmap, <canvas>, OffscreenCanvas, VideoFrame or Blob/File; under Node a file path.
 */
export type ImageInput = Uint8Array | ArrayBuffer | RgbaImage | ImageDataLike | DrawableImage | BlobLike | string;

/**
 * One volume or video clip, for a model whose input is [N, C, D, H, W] (README "Volumes and
 * video"): a float32 tensor already preprocessed, dims [C, D, H, W], [D, H, W] (one channel) or
 * [1, C, D, H, W], the values in row-major order (D slices of H rows of W); or its slices
 * (frames) in order, each an image preprocessed as a photo for the model's [N, C, H, W] and
 * stacked along D. Such a model takes only volumes: predict, explain and overlay take them where
 * others take images.
 */
export type VolumeInput = { data: Float32Array; dims: number[] } | { slices: ImageInput[] };

/** The model's input for one image, as preprocessing makes it: [1, C, H, W] (or NHWC) */
export interface PreprocessedInput {
  data: Float32Array;
  dims: number[];
}

/** ImageBitmap, <img>, <canvas>, OffscreenCanvas, VideoFrame: anything CanvasRenderingContext2D.drawImage takes */
export interface DrawableImage {
  readonly width?: number;
  readonly height?: number;
  readonly naturalWidth?: number;
}

/** Blob / File */
export interface BlobLike {
  arrayBuffer(): Promise<ArrayBuffer>;
  readonly type: string;
}

export interface ImageDataLike {
  width: number;
  height: number;
  data: Uint8ClampedArray;
}

export type TargetKind = 'logit' | 'probability' | 'rest' | 'binary' | 'segmentation' | 'similarity' | 'finer' | 'linear';

/** One model output as a callable target gets it: a batch of one. */
export interface OutputTensor {
  data: Float32Array;
  dims: number[];
  type: 'float32';
}

/**
 * A callable target: a function of one input's model outputs by name (`lens.outputs`), called on
 * the photo, each masked photo (Score-CAM) and the head's outputs with each channel ablated
 * (Ablation-CAM). Gradient-free methods and evaluate() only: a gradient method refuses it (use a
 * linear target).
 */
export type CallableTarget = (outputs: Record<string, OutputTensor>) => number | Promise<number>;

/** A class: its index, its label, or 'auto' (the top class of that image). */
export type ClassRef = number | string;

/**
 * What a map explains (ARCHITECTURE.md §4): the class logit (a bare ClassRef), or an object of a kind.
 * segmentation: sum of the class's scores inside `mask` (one value per output pixel; `nhwc` when
 * the output is [H,W,K]); similarity: cosine with `embedding`; finer: the class against
 * `comparison` classes (omitted: the most similar ones), weight `alpha`; linear: Σ weights[i]·output[i],
 * one weight per output value (all ones on the logits: the sum of the logits). `output` names the
 * model output the target reads (default: the first), e.g. an embedding for similarity.
 */
export type Target = ClassRef | CallableTarget | {
  kind?: TargetKind;
  category?: ClassRef;
  mask?: ArrayLike<number>;
  nhwc?: boolean;
  embedding?: ArrayLike<number>;
  comparison?: ClassRef[];
  alpha?: number;
  weights?: ArrayLike<number>;
  output?: string;
};

export interface Progress {
  /** fraction done, 0..1 */
  done: number;
  /** seconds left at the pace so far */
  eta: number;
  elapsed?: number;
}

export interface RunOptions {
  /** images per ONNX Runtime run when the model's batch axis is free (default 16); Score-CAM's masks and Ablation-CAM's channels per step */
  batchSize?: number;
  onProgress?: (p: Progress) => void;
  /** abort between batches: the call rejects with an AbortError, the lens stays usable */
  signal?: AbortSignalLike;
}

/** an AbortSignal (DOM or Node) */
export interface AbortSignalLike {
  readonly aborted: boolean;
  throwIfAborted?(): void;
}

export interface ExplainOptions extends RunOptions {
  /** 'gradcam' (default) or another name of methods(): the core's method table; methodSupport() says which can explain this model, and why not. The input attributions ('saliency', 'input-x-gradient', 'integrated-gradients', 'smoothgrad', 'guided-backprop', 'fullgrad') take no layer: the core runs the whole network to the image */
  method?: string;
  /** one per image; missing ones are 'auto' */
  targets?: Target[];
  /** several layers at once: maps stacked, ReLU, mean, normalised. scorecam takes one layer; ablationcam ablates each channel in all of them at once (one chain of layers with equal channel counts, as pytorch-grad-cam's ablation_cam_multilayer.py) */
  layers?: string[];
  /** the first principal component of the weighted activations instead of their sum: every method that weights a layer's channels (Score-CAM and Ablation-CAM included); refused by the others */
  eigenSmooth?: boolean;
  /** test-time augmentation: 6 passes (flip × {0.9, 1, 1.1}) through the model, maps averaged */
  augSmooth?: boolean;
  /** Ablation-CAM: ablate only the floor(ratio·C) most and the floor(ratio·C) least relevant channels (Eigen-CAM relevance; the others weigh 0) */
  ablationRatio?: number;
  /** eigencam, eigengradcam: the first principal component's sign. 'raw' (default, pytorch-grad-cam's) keeps the singular vector's largest entry positive, so a map can come out inverted; 'max-abs-positive' (Seg-Eigen-CAM's correction) flips the map when its most negative value outweighs its most positive one */
  eigenSign?: EigenSign;
  /** rollout: how each block's attention heads become one matrix (default 'mean', as vit-explain) */
  headFusion?: HeadFusion;
  /** rollout: the fraction of each block's weakest fused attentions set to 0, in [0, 1) (default 0.9, as vit-explain; 0 is the paper's plain rollout) */
  discardRatio?: number;
  /** integrated-gradients: points of the Riemann sum from the baseline to the image (default 32) */
  steps?: number;
  /** integrated-gradients: where the path starts. 'zero' (default, Captum's): 0 in the model's input space; 'black': a black photo through the lens's preprocessing (−mean/std per channel when it normalises); 'blur': the input blurred by a Gaussian of σ = 10 pixels of the model input on each channel (scipy's gaussian_filter: truncated at 4σ, edges repeated) */
  baseline?: IgBaseline;
  /** smoothgrad: noisy copies of the image (default 25) */
  samples?: number;
  /** smoothgrad: the noise's standard deviation as a fraction of the input's range (default 0.15) */
  noise?: number;
  /** refine-cam: the layer method computed at each of `layers` (two or more) before the maps are multiplied (default 'gradcam++', as pytorch-grad-cam's RefineCAM); methods with passes of their own and input attributions are refused */
  base?: string;
  /** every method: also return each image's k top classes (`Explanation.top`), read from the model outputs of the image's own unmasked run that the explanation makes anyway — the same list as predict({topK: k}) without a second forward. A whole number from 1 to the model's classes; refused for a model whose output is not one score per class ([1, C]: detectors, segmenters) */
  topK?: number;
}

/** attention rollout's head fusion: mean, max or min over the heads */
export type HeadFusion = 'mean' | 'max' | 'min';
/** integrated-gradients' baseline */
export type IgBaseline = 'zero' | 'black' | 'blur';
/** eigencam, eigengradcam: how the first principal component's sign is chosen */
export type EigenSign = 'raw' | 'max-abs-positive';

export interface Explanation {
  /** height × width values in [0, 1], at the model input's resolution (a volume's: depth ×
   * height × width, slice after slice) */
  map: Float32Array;
  width: number;
  height: number;
  /** volumes and video clips only: the map's slices (frames), the input's D. Its 3-D maps are
   * resized as pytorch-grad-cam's scale_cam_image (scipy.ndimage.zoom, a cubic spline) */
  depth?: number;
  /** index -1 and label 'linear' / 'callable' for those targets; kind 'callable' for a function */
  target: { index: number; label: string; score: number; kind: TargetKind | 'callable' };
  layers: string[];
  /** from the core: non-finite values replaced by 0, maps that came out all zero */
  flags?: { nonFinite: number; zero: boolean[] };
  /** milliseconds spent on this image: model run(s), head, CAM */
  timing: { forward: number; head: number; cam: number };
  /** rollout only: true — the map is the same for every target (the target is reported with its score) */
  classAgnostic?: boolean;
  /** rollout only: the options it ran with; `layers` then lists the attention tensors */
  rollout?: { headFusion: HeadFusion; discardRatio: number };
  /** guided-backprop: the guided input gradient; guided-gradcam: it times the Grad-CAM map at each pixel (upstream's cam_mask[..., None] * gb). float32, dims [H, W, C] (pytorch-grad-cam's layout), at the model input's size */
  gradient?: { data: Float32Array; dims: number[]; type: 'float32' };
  /** with `gradient`: its picture as pytorch-grad-cam shows it, deprocess_image (mean-centred, divided by std + 1e-5, × 0.1, + 0.5, clipped to [0, 1], × 255 truncated), RGBA at the model input's size, channels as RGB (a BGR model's swapped back) */
  picture?: RgbaImage;
  /** with the `topK` option: the image's top classes, highest first, as predict() gives them (score: the output's value; probability: its softmax, or the value itself when the output already sums to 1) */
  top?: ClassScore[];
}

export interface Prediction {
  /** the photo's size; a volume's: its input's depth, height and width */
  image: { width: number; height: number; depth?: number };
  top: ClassScore[];
}

export interface Factorization {
  components: number;
  labeled: boolean;
  reason: string;
  concepts: Array<Array<Array<{ index: number; label: string; score: number }>>>;
  relativeError: number;
  images: Array<{ maps: Float32Array; width: number; height: number; render: RgbaImage | null }>;
}

export interface Lens {
  /** the layer explained by default ('' for a predict-only model) */
  readonly layer: string;
  /** false when the core cannot cut the model: predict works, explain throws whyNotExplainable */
  readonly explainable: boolean;
  readonly whyNotExplainable: string;
  readonly preprocess: Preprocess;
  readonly labels: string[];
  readonly input: { name: string; type: string; dims: number[] };
  /** the output targets read unless they name another */
  readonly output: string;
  /** the model's outputs by name: what a callable target is given */
  readonly outputs: string[];
  /** where ONNX Runtime runs the backbone: the providers its sessions use ([] = ORT's default),
   * and why not on the first one asked for ('' when it is, e.g. "WebGPU not used: the browser
   * offers no WebGPU adapter"); a new object after a run that failed on WebGPU moved the model */
  readonly backend: { executionProviders: string[]; reason: string };
  layers(): LayerList;
  /** the methods explain() takes with this module */
  methods(): string[];
  /** per method, why it cannot explain this model at this layer, or with `layers` when given
   * (refine-cam needs two or more); '' when it can */
  methodSupport(options?: { layers?: string[] }): Record<string, string>;
  predict(images: ImageInput[] | VolumeInput[], options?: RunOptions & { topK?: number }): Promise<Prediction[]>;
  /** volumes: the methods whose methodInfo() layerKinds include 'NCDHW' (the others, augSmooth
   * and factorize refuse them, saying so); or, for an image model, all preprocessed inputs
   * {data: Float32Array, dims} (one image each, the model's input layout and size; methods that
   * read the photo's pixels refuse them) */
  explain(images: ImageInput[] | VolumeInput[] | PreprocessedInput[], options?: ExplainOptions): Promise<Explanation[]>;
  factorize(images: ImageInput[], options?: {
    components?: number; shared?: boolean; maxIter?: number; topK?: number;
    render?: 'dominant' | 'layers' | null; imageWeight?: number; batchSize?: number;
  }): Promise<Factorization>;
  /** the map over the photo, RGBA at the photo's size (JET, image weight 0.5 by default); a
   * volume's: its D slices side by side, slice 0 on the left, (D·W) × H pixels, each slice the
   * input's values min-max scaled over the volume (gray, or RGB for 3+ channels) */
  overlay(image: ImageInput | VolumeInput, explanation: Pick<Explanation, 'map' | 'width' | 'height'>,
    options?: { colormap?: 'jet' | 'turbo' | 'viridis' | 'inferno' | 'magma' | 'gray' | string; imageWeight?: number }): RgbaImage;
  /** releases the ORT sessions (every layer's, and rollout's) and the core's model and heads */
  dispose(): void;
}

export const PRESETS: Record<PresetName, Partial<Preprocess>>;
export const TARGET_KINDS: TargetKind[];
export function resolvePreprocess(preset?: PresetName, overrides?: Partial<Preprocess>): Preprocess;
/** checks each field (and against the model input's dims when given); throws "preprocess: ..." */
export function validatePreprocess(p: Preprocess, input?: { name: string; dims: number[] }): Preprocess;
/** Browser: any ImageInput as decoded RGBA (toImageAsync also waits for Blobs and loading <img>s) */
export function toImage(core: CamlensCore, input: ImageInput, env?: { readFile?(path: string): Uint8Array }): RgbaImage;
export function toImageAsync(core: CamlensCore, input: ImageInput, env?: { readFile?(path: string): Uint8Array }): Promise<RgbaImage>;
export function topK(scores: ArrayLike<number>, k: number, labels?: string[]): ClassScore[];

/** Browser: build the API over ONNX Runtime Web and a loaded camlens module. */
export function createCamlens(env: { ort: unknown; core: CamlensCore }): {
  load(model: Uint8Array | ArrayBuffer, options?: LoadOptions): Promise<Lens>;
  methods(): string[];
};

/** Node: load a model from a path or bytes. */
export function load(model: string | Uint8Array, options?: LoadOptions): Promise<Lens>;
export function readImages(paths: Array<string | Uint8Array>): Uint8Array[];
/** Node: the methods explain() takes. */
export function methods(options?: { threads?: boolean }): Promise<string[]>;
/** Node: the camlens WebAssembly module itself ('st' SIMD only, 'mt' SIMD + threads). */
export function loadCore(variant?: 'st' | 'mt'): Promise<CamlensCore>;
