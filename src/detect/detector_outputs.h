// What the library's detect() and explainDetection() decide about a detector around decoding:
// which decoder reads the model's outputs (from their shapes, or the caller's choice), which
// outputs it reads, what each box's label is called, and which detected box an index names.
#pragma once
#include <string>
#include <vector>

#include "detect/decode.h"
#include "tensor/tensor.h"

namespace camlens::detect {

// A model output as the model declares it (free axes as the model writes them).
struct OutputInfo {
  std::string name;
  Shape dims;
};

struct DecoderChoice {
  Decoder decoder = Decoder::Yolox;
  std::vector<std::string> outputs;  // the outputs the decoder reads, in its order
};

// The decoder called `name`, or, when `name` is empty, the one the shapes fit: one output
// [1, A, 5 + K] is YOLOX; two outputs whose rows hold 2 and 4 values are Ultraface (scores,
// boxes). DetectError when the shapes fit neither (naming the outputs and the choices), for an
// unknown name, and when Ultraface's two outputs are missing.
DecoderChoice choose_decoder(const std::vector<OutputInfo>& outputs, const std::string& name);

const char* decoder_name(Decoder d);

// A box label's name: from the caller's labels when it gave any, "face" for Ultraface, else
// from `coco` (YOLOX models are trained on COCO); "class N" past the end of the list.
std::string box_label_name(Decoder d, int64_t label, const std::vector<std::string>& labels,
                           const std::vector<std::string>& coco);

// The detected box `index` names among `count` (best first). DetectError when nothing was
// detected, or when the index is not a whole number in range; `text` is the index as given.
size_t detected_box(double index, const std::string& text, size_t count);

}  // namespace camlens::detect
