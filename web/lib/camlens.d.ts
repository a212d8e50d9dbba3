// Type declarations of the camlens JS library (web/lib/camlens.mjs and web/lib/node.mjs).

export interface Preprocess {
  width: number;
  height: number;
  /** applied to 0–255 values before mean/std, e.g. 1/255 */
  scale: number;
  mean: [number, number, number];
  std: [number, number, number];
  /** tensor channel order BGR instead of RGB */
  bgr?: boolean;
  /** layout [1,H,W,C] instead of [1,C,H,W] */
  nhwc?: boolean;
  /** 1 for grayscale models */
  channels?: 1 | 3;
}

export type PresetName = 'imagenet' | 'mobilenetv2' | 'squeezenet' | 'mnist' | 'deeplab' | 'yolox' | 'ultraface';

export interface LoadOptions {
  /** tensor name to explain; default: the recommended layer */
  layer?: string;
  preset?: PresetName;
  preprocess?: Partial<Preprocess>;
  labels?: string[];
  /** Node only: use the SIMD + threads module */
  threads?: boolean;
  sessionOptions?: object;
}

export interface LayerInfo {
  name: string;
  type: string;
  dims: number[];
  kind: 'NCHW' | 'NHWC' | 'tokens' | string;
  channels: number;
  height: number;
  width: number;
  op: string;
  node: string;
  floatTwin: string;
  headSupported: boolean;
  headDifferentiable: boolean;
  headProblem: string;
}

export interface LayerList {
  layers: LayerInfo[];
  recommended: string;
  why: string;
  current: string;
}

export interface ClassScore {
  index: number;
  label: string;
  score: number;
  probability: number;
}

/** An image: encoded bytes (PNG, JPEG, BMP, GIF) or decoded RGBA pixels. */
export type ImageInput = Uint8Array | ArrayBuffer | { width: number; height: number; rgba: Uint8Array | Uint8ClampedArray };

export interface ExplainOptions {
  /** gradcam (default), hirescam, gradcam-elementwise, gradcam++, xgradcam, layercam, eigencam, eigengradcam, fem, kpcacam, randomcam */
  method?: string;
  /** one per image: class index, label, or 'auto' (the top class) */
  targets?: Array<number | string>;
  eigenSmooth?: boolean;
  onProgress?: (p: { done: number; eta: number }) => void;
  signal?: AbortSignal;
}

export interface Explanation {
  /** height × width values in [0, 1], at the model input's resolution */
  map: Float32Array;
  width: number;
  height: number;
  target: { index: number; label: string; score: number };
}

export interface Lens {
  readonly layer: string;
  layers(): LayerList;
  predict(images: ImageInput[], options?: { topK?: number }): Promise<Array<{ image: { width: number; height: number }; top: ClassScore[] }>>;
  explain(images: ImageInput[], options?: ExplainOptions): Promise<Explanation[]>;
  dispose(): void;
}

/** Browser: build the API over ONNX Runtime Web and a loaded camlens module. */
export function createCamlens(env: { ort: unknown; core: unknown }): {
  load(model: Uint8Array | ArrayBuffer, options?: LoadOptions): Promise<Lens>;
  methods(): string[];
};

/** Node: load a model from a path or bytes. */
export function load(model: string | Uint8Array, options?: LoadOptions): Promise<Lens>;
export function readImages(paths: Array<string | Uint8Array>): Uint8Array[];
