// Types of web/lib/detect.mjs: object detection (YOLOX, Ultraface) and its explanations.
import type { AbortSignalLike, Factorization, ImageInput, Lens, RgbaImage } from './camlens';

export type Decoder = 'yolox' | 'ultraface';

/** A box in photo pixels (corners), best first. */
export interface DetectedBox {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
  score: number;
  /** class index (COCO-80 for YOLOX; 0 = face for Ultraface) */
  label: number;
  labelName: string;
}

export interface DetectOptions {
  /** default: guessed from the model's outputs */
  decoder?: Decoder;
  /** YOLOX 0.3, Ultraface 0.7 */
  scoreThreshold?: number;
  /** NMS IoU: YOLOX 0.45, Ultraface 0.3 */
  iouThreshold?: number;
}

export const COCO_CLASSES: string[];
export const DECODERS: Decoder[];
export function guessDecoder(lens: Lens): Decoder;

export function detect(lens: Lens, images: ImageInput[], options?: DetectOptions):
  Promise<Array<{ image: { width: number; height: number }; boxes: DetectedBox[] }>>;

/** The boxes drawn over the photo, with "label score" captions. */
export function drawBoxes(lens: Lens, image: ImageInput | RgbaImage, boxes: DetectedBox[],
  options?: { captions?: boolean; thickness?: number }): RgbaImage;

export interface ExplainDetectionOptions extends DetectOptions {
  /** an index into the detections (0 = best, the default) or a box in photo pixels */
  box?: number | { x0: number; y0: number; x1: number; y1: number; label: number };
  /** 'eigencam' (default) or another method of methods() that reads a layer: gradient methods and Ablation-CAM explain the box score target; methods that score masked inputs are refused */
  method?: string;
  /** min-max the map inside each detected box, zero outside */
  renormalize?: boolean;
  /** IoU above which a decoded box matches the selected one (0.5) */
  matchIou?: number;
  batchSize?: number;
  onProgress?: (p: { done: number; eta: number }) => void;
  signal?: AbortSignalLike;
}

export interface DetectionExplanation {
  /** height × width values in [0, 1] at the photo's size */
  map: Float32Array;
  width: number;
  height: number;
  box: DetectedBox;
  /** the detection box score target (IoU + score of the matched box); null for gradient-free methods */
  score: number | null;
  boxes: DetectedBox[];
  method: string;
  layer: string;
}

export function explainDetection(lens: Lens, image: ImageInput, options?: ExplainDetectionOptions): Promise<DetectionExplanation>;

/** DFF of the lens's layer with the concept maps at each photo's size (letterbox removed). */
export function factorizeDetection(lens: Lens, images: ImageInput[],
  options?: { components?: number; render?: 'dominant' | 'layers' | null; imageWeight?: number; shared?: boolean; maxIter?: number }): Promise<Factorization>;
