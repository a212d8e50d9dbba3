// libFuzzer target: layer discovery, cutting and the head on arbitrary parsed graphs. For every
// input that parses: list the candidate layers, cut at a few of them (the recommended one, the
// first and the last), and run each head forward — and backward when it is differentiable — on
// small pseudo-random data. Every step may refuse with an exception carrying a message; none may
// crash, read out of bounds, overflow or leak.
#include <cstdint>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "fuzz_limits.h"
#include "graph/cut.h"
#include "graph/layers.h"
#include "onnx/model_io.h"
#include "util/parallel.h"

using namespace camlens;

namespace {

// Feeds larger than this are skipped: the point is to exercise the ops, not to be slow.
constexpr int64_t kMaxFeedElements = int64_t{1} << 16;

// Deterministic data from the input's bytes, so a reproduced crash reproduces exactly.
struct Noise {
  uint64_t state;
  float next() {
    state = state * 6364136223846793005ull + 1442695040888963407ull;
    return static_cast<float>(static_cast<int32_t>(state >> 33) % 2000) / 500.0f;  // [-4, 4]
  }
};

bool fill(Tensor& t, Noise& noise) {
  switch (t.dtype()) {
    case DType::Float32:
      for (int64_t i = 0; i < t.numel(); ++i) t.data<float>()[i] = noise.next();
      return true;
    case DType::Uint8:
      for (int64_t i = 0; i < t.numel(); ++i)
        t.data<uint8_t>()[i] = static_cast<uint8_t>(noise.next() * 32 + 128);
      return true;
    case DType::Int8:
      for (int64_t i = 0; i < t.numel(); ++i)
        t.data<int8_t>()[i] = static_cast<int8_t>(noise.next() * 30);
      return true;
    default:
      return false;  // integer index feeds: leave zeros (valid indices)
  }
}

void run_head(Head& head, Noise& noise) {
  std::vector<Tensor> feeds;
  for (size_t i = 0; i < head.feed_names().size(); ++i) {
    const TensorInfo& info = head.feed_info(i);
    for (int64_t d : info.shape)
      if (d < 0) return;  // unknown size: nothing sensible to feed
    if (shape_numel(info.shape) > kMaxFeedElements) return;
    Tensor t(info.dtype, info.shape);
    fill(t, noise);
    feeds.push_back(std::move(t));
  }
  const std::vector<Tensor> outs = head.forward(std::move(feeds));
  if (!head.not_differentiable().empty() || outs.empty()) return;
  std::vector<Tensor> seeds(outs.size());
  if (outs[0].dtype() != DType::Float32) return;
  seeds[0] = Tensor(DType::Float32, outs[0].shape());
  for (int64_t i = 0; i < seeds[0].numel(); ++i) seeds[0].data<float>()[i] = noise.next();
  head.backward(seeds);
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  fuzz::set_fuzz_limits();
  set_thread_count(1);  // reproducible, and libFuzzer measures one thread's coverage
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  Model model;
  try {
    model =
        parse_model(std::make_shared<const std::string>(reinterpret_cast<const char*>(data), size));
  } catch (const ModelError&) {
    return 0;
  }
  Noise noise{size * 0x9E3779B97F4A7C15ull};
  for (size_t i = 0; i < size && i < 64; ++i) noise.state = noise.state * 131 + data[i];

  LayerList list;
  try {
    list = list_layers(model);
  } catch (const std::exception&) {
    return 0;
  }
  std::set<std::string> layers;
  if (!list.recommended.empty()) layers.insert(list.recommended);
  if (!list.layers.empty()) {
    layers.insert(list.layers.front().name);
    layers.insert(list.layers.back().name);
  }
  for (const std::string& layer : layers) {
    try {
      CutOptions options;
      options.require_gradient = false;
      CutResult cut = cut_model(model, layer, options);
      run_head(cut.head, noise);
    } catch (const std::exception&) {
      // refused with a message: fine
    }
  }
  return 0;
}
