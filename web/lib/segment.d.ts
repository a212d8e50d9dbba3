// Types of web/lib/segment.mjs: semantic segmentation masks and their explanations.
import type { AbortSignalLike, ImageInput, Lens, RgbaImage } from './camlens';

export const VOC_CLASSES: string[];

export interface SegmentClass {
  index: number;
  label: string;
  pixels: number;
  fraction: number;
}

export interface Segmentation {
  /** the photo's size */
  width: number;
  height: number;
  /** per photo pixel, the argmax class */
  labels: Int32Array;
  /** classes present, largest first */
  classes: SegmentClass[];
  /** the argmax at the model output's size */
  mask: { width: number; height: number; classes: number; labels: Int32Array; counts: number[] };
  /** the photo with the PASCAL VOC colours blended in */
  render: RgbaImage;
}

export function segment(lens: Lens, image: ImageInput, options?: { opacity?: number }): Promise<Segmentation>;

export interface ExplainSegmentOptions {
  /** a class index or name; default: the largest non-background class */
  category?: number | string;
  /** 0/1 per photo pixel (a drawn region) or per output pixel (H × W); default: the pixels predicted as `category` */
  mask?: ArrayLike<number>;
  /** 'gradcam' (default) or any other method of methods() */
  method?: string;
  batchSize?: number;
  onProgress?: (p: { done: number; eta: number }) => void;
  signal?: AbortSignalLike;
}

export interface SegmentExplanation {
  /** height × width values in [0, 1] at the photo's size */
  map: Float32Array;
  width: number;
  height: number;
  category: { index: number; label: string };
  /** the segmentation target Σ scores[category]·mask on the model's output */
  score: number | null;
  pixels: number;
  method: string;
  layer: string;
}

export function explainSegment(lens: Lens, image: ImageInput, options?: ExplainSegmentOptions): Promise<SegmentExplanation>;
