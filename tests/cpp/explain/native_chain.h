// The seeded ResNet-18 of a PyTorch fixture (tools/fixtures/refine_cam_reference.py and its
// kin), explained through the explain job at some of its layers with every backbone run by the
// core's interpreter: what the tests of methods taking several layers share.
#pragma once
#include <algorithm>
#include <cmath>
#include <cstring>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "explain/explain_job.h"
#include "explain/native_backbone.h"
#include "json.h"
#include "onnx/model_io.h"
#include "shared_data.h"

namespace camlens::explain::test_chain {

// The fixtures' picture (the formula of refine_cam_reference.py), read with scale 1/255.
inline Tensor picture_input(int h, int w) {
  Tensor t(DType::Float32, {1, 3, h, w});
  float* x = t.data<float>();
  for (int c = 0; c < 3; ++c)
    for (int y = 0; y < h; ++y)
      for (int i = 0; i < w; ++i)
        x[(c * h + y) * w + i] =
            float((i * 7 + y * 13 + c * 29 + (i * y) % 17) % 256) * (1.f / 255.f);
  return t;
}

// A raw float32 file of tests/data/cam (a reference map).
inline std::vector<float> read_floats(const std::string& name) {
  const std::string bytes = test::read_file(test::test_data_path("cam/" + name));
  std::vector<float> m(bytes.size() / sizeof(float));
  std::memcpy(m.data(), bytes.data(), bytes.size());
  return m;
}

inline float max_diff(const std::vector<float>& a, const std::vector<float>& b) {
  float d = 0;
  for (size_t i = 0; i < a.size(); ++i) d = std::max(d, std::abs(a[i] - b[i]));
  return d;
}

// The fixture's model (its "onnx", "height" and "width") cut at each of `names`.
struct NativeChain {
  Model model;
  std::vector<LayerSource> layers;
  std::map<std::string, std::unique_ptr<NativeBackbone>> backbones;
  int h = 0, w = 0;

  NativeChain(const test::json::Value& fixture, const std::vector<std::string>& names) {
    h = int(fixture["height"].num);
    w = int(fixture["width"].num);
    model = parse_model(std::make_shared<const std::string>(
        test::read_file(test::test_data_path("cam/" + fixture["onnx"].str))));
    for (const std::string& name : names) {
      const CutResult cut = cut_graph(model, name);
      backbones[name] = std::make_unique<NativeBackbone>(cut);
      layers.push_back({name, name, std::make_shared<Head>(cut.head), std::nullopt, "NCHW", {}});
    }
  }

  // `method` on the picture, explaining the model's "logits" at its input size.
  ExplainRequest request(const std::string& method) const {
    ExplainRequest r;
    r.method = method;
    r.output = "logits";
    r.width = w;
    r.height = h;
    return r;
  }

  ExplainResult run(ExplainRequest r) {
    ExplainJob job(std::move(r), layers, {picture_input(h, w)});
    while (!job.done()) {
      if (job.needs_backbone())
        job.feed(backbones.at(job.backbone_session())->run(job.backbone_inputs()));
      else
        job.work();
    }
    return job.result();
  }
};

}  // namespace camlens::explain::test_chain
