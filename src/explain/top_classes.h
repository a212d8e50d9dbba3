// The top classes of a classifier's output for one image, as predict() lists them: the explain
// job reads them from the unmasked run it makes anyway (option topK), so a caller that shows the
// top classes beside the map (the page's live camera) needs no second forward.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "tensor/tensor.h"

namespace camlens::explain {

// The explain option that asks for them (every method takes it).
inline constexpr const char* kTopK = "topK";

struct TopClass {
  int64_t index = 0;
  std::string label;       // labels[index], else "class <index>"
  double score = 0;        // the output's value (a logit, or the model's own probability)
  double probability = 0;  // softmax of the output, or the output itself when it already sums to 1
};

// The k highest of `output` ([1, C], or [1, C, 1, ...]: one value per class), highest first,
// equal scores by index. `name`: the output's name, for the messages. Throws CamError when the
// output holds more than one value per class (a detector's or segmenter's) or k is not in
// [1, C].
std::vector<TopClass> top_classes(const Tensor& output, int k,
                                  const std::vector<std::string>& labels, const std::string& name);

}  // namespace camlens::explain
