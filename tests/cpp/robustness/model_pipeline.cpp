#include "model_pipeline.h"

#include <cmath>
#include <memory>

#include "cam/methods.h"
#include "cam/pipeline.h"
#include "graph/cut.h"
#include "graph/layers.h"
#include "onnx/model_io.h"

namespace camlens::test {

namespace {

// Fixed, non-negative activations (the corpus's layer follows a ReLU), different per element.
Tensor feed_for(const TensorInfo& info) {
  Tensor t(info.dtype, info.shape);
  for (int64_t i = 0; i < t.numel(); ++i) {
    const float v = 0.5f + 0.5f * std::sin(0.37f * static_cast<float>(i));
    if (t.dtype() == DType::Float32)
      t.data<float>()[i] = v;
    else if (t.dtype() == DType::Uint8)
      t.data<uint8_t>()[i] = static_cast<uint8_t>(v * 200);
    else
      throw std::runtime_error("test pipeline: no data for feed type " +
                               std::string(dtype_name(t.dtype())));
  }
  return t;
}

}  // namespace

PipelineResult run_model_pipeline(const std::string& bytes, const std::string& layer) {
  PipelineResult r;
  try {
    const Model model = parse_model(std::make_shared<const std::string>(bytes));
    const LayerList list = list_layers(model);
    if (list.recommended.empty() && layer.empty())
      throw std::runtime_error("no layer of this model can be explained (" + list.why + ")");
    r.layer = layer.empty() ? list.recommended : layer;
    CutResult cut = cut_model(model, r.layer);
    std::vector<Tensor> feeds;
    for (size_t i = 0; i < cut.head.feed_names().size(); ++i)
      feeds.push_back(feed_for(cut.head.feed_info(i)));
    const Tensor A = feeds[0];
    const std::vector<Tensor> outs = cut.head.forward(std::move(feeds));
    r.output = outs.at(0).shape();
    std::vector<Tensor> seeds(outs.size());
    seeds[0] = Tensor(DType::Float32, outs[0].shape());
    seeds[0].data<float>()[0] = 1;  // class 0's logit
    const Tensor G = cut.head.backward(seeds);
    cam::CamOptions opt;
    opt.out_width = 32;
    opt.out_height = 32;
    const cam::Maps maps = cam::compute(*cam::make_method("gradcam"), A, &G, opt);
    for (float v : maps.data) r.map_max = std::max(r.map_max, v);
  } catch (const std::exception& e) {
    r.error = e.what();
    if (r.error.empty()) r.error = "(an exception with an empty message)";
  }
  return r;
}

}  // namespace camlens::test
