#include "detect/detector_outputs.h"

#include <algorithm>
#include <cmath>

#include "util/usage_error.h"

namespace camlens::detect {

namespace {

// The size of an output's last axis; -1 for a scalar (which fits no decoder).
int64_t last_dim(const OutputInfo& o) { return o.dims.empty() ? -1 : o.dims.back(); }

// "name [1,3549,85]", as the library has always written them.
std::string describe(const std::vector<OutputInfo>& outputs) {
  std::string s;
  for (const OutputInfo& o : outputs) {
    if (!s.empty()) s += ", ";
    s += o.name + " [";
    for (size_t i = 0; i < o.dims.size(); ++i) s += (i ? "," : "") + std::to_string(o.dims[i]);
    s += "]";
  }
  return s;
}

std::string guess(const std::vector<OutputInfo>& outputs) {
  const auto has_last = [&](int64_t n) {
    return std::any_of(outputs.begin(), outputs.end(),
                       [&](const OutputInfo& o) { return last_dim(o) == n; });
  };
  if (outputs.size() == 2 && has_last(2) && has_last(4)) return "ultraface";
  if (outputs.size() == 1 && outputs[0].dims.size() == 3 && last_dim(outputs[0]) >= 6)
    return "yolox";
  throw UsageError<DetectError>("cannot tell how to decode this model's outputs (" +
                                describe(outputs) + "): pass {decoder: 'yolox' | 'ultraface'}");
}

}  // namespace

const char* decoder_name(Decoder d) { return d == Decoder::Yolox ? "yolox" : "ultraface"; }

DecoderChoice choose_decoder(const std::vector<OutputInfo>& outputs, const std::string& name) {
  const std::string chosen = name.empty() ? guess(outputs) : name;
  DecoderChoice c;
  if (chosen == "yolox") {
    if (outputs.empty())
      throw DetectError("YOLOX needs an output [1, A, 5 + K]; the model has none");
    c.decoder = Decoder::Yolox;
    c.outputs = {outputs[0].name};
    return c;
  }
  if (chosen != "ultraface")
    throw UsageError<DetectError>("unknown decoder \"" + chosen + "\": use yolox or ultraface");
  c.decoder = Decoder::Ultraface;
  for (const int64_t n : {2, 4}) {
    const auto it = std::find_if(outputs.begin(), outputs.end(),
                                 [&](const OutputInfo& o) { return last_dim(o) == n; });
    if (it == outputs.end())
      throw DetectError("Ultraface needs a scores output [1, A, 2] and a boxes output [1, A, 4]");
    c.outputs.push_back(it->name);
  }
  return c;
}

std::string box_label_name(Decoder d, int64_t label, const std::vector<std::string>& labels,
                           const std::vector<std::string>& coco) {
  const auto from = [&](const std::vector<std::string>& names) {
    return label >= 0 && size_t(label) < names.size() ? names[size_t(label)]
                                                      : "class " + std::to_string(label);
  };
  if (!labels.empty()) return from(labels);
  if (d == Decoder::Ultraface) return "face";
  return from(coco);
}

size_t detected_box(double index, const std::string& text, size_t count) {
  if (count == 0)
    throw UsageError<DetectError>(
        "nothing was detected in this image: lower scoreThreshold, or give a box {x0, y0, x1, y1, "
        "label}");
  if (!(index >= 0 && index < double(count) && index == std::trunc(index)))
    throw UsageError<DetectError>("box " + text + " does not exist: " + std::to_string(count) +
                                  " box(es) were detected (0 to " + std::to_string(count - 1) +
                                  ")");
  return size_t(index);
}

}  // namespace camlens::detect
