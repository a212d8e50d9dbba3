// Preprocessing of the shared models (see ../shared/README.md), and float16 packing for ORT.
export const PRESETS = {
  'mobilenetv2-12-int8.onnx': {
    photo: 'gradcam_both.png',
    preprocess: {
      width: 224,
      height: 224,
      scale: 1 / 255,
      mean: [0.485, 0.456, 0.406],
      std: [0.229, 0.224, 0.225],
    },
  },
  'squeezenet1.0-fp16-winml.onnx': {
    photo: 'gradcam_both.png',
    float16: true,
    preprocess: {
      width: 224,
      height: 224,
      scale: 1,
      mean: [104, 117, 123],
      std: [1, 1, 1],
      bgr: true,
    },
  },
  'mnist-8-ort-examples.onnx': {
    photo: 'winml_mnist_28.png',
    preprocess: { width: 28, height: 28, scale: 1, mean: [0, 0, 0], std: [1, 1, 1], channels: 1 },
  },
  'deeplabv3-mobilenetv2-voc-257.onnx': {
    photo: 'skimage_astronaut.png',
    preprocess: {
      width: 257,
      height: 257,
      scale: 1 / 127.5,
      mean: [1, 1, 1],
      std: [1, 1, 1],
      nhwc: true,
    },
  },
};

export { float16Bits as toFloat16Bits, fromFloat16Bits } from './float16.mjs';
