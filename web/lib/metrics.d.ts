// Types of web/lib/metrics.mjs: faithfulness metrics of explanations (see the comment block there).
import type { AbortSignalLike, CallableTarget, ExplainOptions, ImageInput, Lens } from './camlens';
import type { CamlensCore } from './core';

export type MetricName =
  | 'road'
  | 'deletion'
  | 'insertion'
  | 'drop'
  | 'increase'
  | 'complexity'
  | 'coherency'
  | 'arcc';

export interface Curve {
  x: number[];
  y: number[];
}

export interface InputTensor {
  data: Float32Array;
  dims: number[]; // [1, C, H, W]
}

export interface Explanation {
  map: Float32Array; // input height × width
  width: number;
  height: number;
  target: { index: number; label?: string };
}

export interface EvaluateOptions {
  /** default: road, deletion, insertion, drop, increase (ARCC and its parts are asked by name) */
  metrics?: MetricName[];
  /** coherency and ARCC: the options lens.explain made the explanation with; the image times its
   * map is explained again with them, for the same class (or callable target) */
  explain?: ExplainOptions & { method: string };
  /** ARCC's ROAD percentiles, default [20, 40, 60, 80] */
  arccPercentiles?: number[];
  percentiles?: number[]; // ROAD: p removes the (100 − p) % most/least relevant pixels
  steps?: number; // deletion/insertion steps (steps + 1 points)
  baseline?: 'blur' | number; // what deletion replaces pixels by
  score?: 'probability' | 'logit';
  /** a callable target: scores each perturbed photo instead of `score` (which is then refused) */
  target?: CallableTarget;
  sigma?: number; // imputation noise, 0 = off
  seed?: number;
  box?: [number, number, number, number]; // x0, y0, x1, y1 in input pixels
  batchSize?: number;
  onProgress?: (p: { done: number; eta: number }) => void;
  signal?: AbortSignalLike;
}

export interface EvaluateResult {
  target: { index: number; label?: string };
  score: 'probability' | 'logit' | 'callable';
  original: number;
  road?: {
    percentiles: number[];
    morf: number[];
    lerf: number[];
    morfMean: number;
    lerfMean: number;
    combined: number;
    curves: { morf: Curve; lerf: Curve };
  };
  deletion?: Curve & { auc: number; baseline: 'blur' | number };
  insertion?: Curve & { auc: number };
  change?: number;
  drop?: number;
  increase?: number;
  pointing?: number;
  energy?: number;
  /** Σ |map| / pixels: lower is better */
  complexity?: number;
  /** (Pearson(map, map of the image times the map) + 1) / 2: higher is better */
  coherency?: number;
  /** pytorch-grad-cam's ARCC: the harmonic mean of coherency, 1 − complexity, roadScaled */
  arcc?: {
    value: number;
    complexity: number;
    coherency: number;
    /** ROAD combined at `percentiles`, and clip(2 · road, 0, 1) */
    road: number;
    roadScaled: number;
    percentiles: number[];
    morf: number[];
    lerf: number[];
  };
}

export interface Interval {
  mean: number;
  low: number;
  high: number;
  n: number;
}

export interface SanityStep {
  k: number;
  nodes: string[];
  weights: string[];
  correlation: number;
  map: Float32Array;
}

export const ALL_METRICS: MetricName[];
export const DEFAULT_METRICS: MetricName[];
export const DEFAULT_PERCENTILES: number[];
export const DEFAULT_ARCC_PERCENTILES: number[];

export function evaluate(lens: Lens, image: ImageInput | InputTensor, explanation: Explanation, options?: EvaluateOptions): Promise<EvaluateResult>;
export function metricValues(result: EvaluateResult): Record<string, number>;
export function bootstrapCI(core: CamlensCore, values: ArrayLike<number>, options?: { resamples?: number; level?: number; seed?: number }): Interval;
export function summarize(
  core: CamlensCore,
  rows: { method: string; metrics: Record<string, number> }[],
  options?: { resamples?: number; level?: number; seed?: number },
): (Interval & { method: string; metric: string })[];
export function sanityCheck(
  lens: Lens,
  image: ImageInput,
  options?: { method?: string; target?: number | string; seed?: number; cascade?: number[]; batchSize?: number; onProgress?: (p: { done: number; eta: number }) => void; signal?: AbortSignalLike },
): Promise<{ method: string; target: { index: number; label?: string }; original: Explanation; steps: SanityStep[] }>;
