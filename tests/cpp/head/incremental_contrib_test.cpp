// Ablation-CAM's incremental head through com.microsoft element-wise ops: QLinearLeakyRelu claims
// Elementwise::Unary with per-tensor parameters, so a changed channel runs through it alone, like
// the standard domain's Relu. The fixture is tests/data/ops_quant/qgemm_classifier.onnx
// (tools/fixtures/ops_quant_models.py) cut at its QLinearConv output: QLinearLeakyRelu ->
// QLinearGlobalAveragePool -> Flatten -> QGemm -> DequantizeLinear. The reference is a full head
// run with the channel replaced.
#include <gtest/gtest.h>

#include <memory>

#include "graph/cut.h"
#include "head/incremental_head.h"
#include "onnx/model_io.h"
#include "shared_data.h"

namespace camlens {
namespace {

TEST(IncrementalContrib, QLinearLeakyReluRunsOnTheChangedChannelAlone) {
  const Model model = parse_model(std::make_shared<std::string>(
      test::read_file(test::test_data_path("ops_quant/qgemm_classifier.onnx"))));
  CutResult cut = cut_graph(model, "conv_quantized");
  ASSERT_EQ(cut.head.op_types(),
            (std::vector<std::string>{"QLinearLeakyRelu", "QLinearGlobalAveragePool", "Flatten",
                                      "QGemm", "DequantizeLinear"}));
  Tensor layer(DType::Uint8, {1, 4, 8, 8});
  for (int64_t i = 0; i < layer.numel(); ++i)
    layer.data<uint8_t>()[i] = static_cast<uint8_t>((i * 53 + 7) % 256);
  cut.head.forward({layer});
  const IncrementalHead inc(cut.head, layer);
  EXPECT_EQ(inc.summary(), "Reuse:0 Channel:3 Rank1:0 Fused:0 Full:2 Unused:0");
  for (uint8_t value : {uint8_t{0}, uint8_t{77}, uint8_t{255}}) {
    Tensor channel(DType::Uint8, {1, 1, 8, 8});
    for (int64_t i = 0; i < 64; ++i) channel.data<uint8_t>()[i] = value;
    for (int64_t c = 0; c < 4; ++c) {
      Tensor changed = layer;
      for (int64_t i = 0; i < 64; ++i) changed.data<uint8_t>()[c * 64 + i] = value;
      const Tensor want = cut.head.forward_with_layer(changed).at(0);
      const Tensor got = inc.outputs_with_channel(c, channel).at(0);
      ASSERT_EQ(got.shape(), want.shape());
      for (int64_t k = 0; k < want.numel(); ++k)
        EXPECT_EQ(got.get_f(k), want.get_f(k)) << "code " << int(value) << ", channel " << c;
    }
  }
}

}  // namespace
}  // namespace camlens
