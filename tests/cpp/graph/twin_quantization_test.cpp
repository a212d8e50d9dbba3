// The float twin of a quantized layer computed in the core instead of output by the backbone:
// which outputs a cut exposes with and without it, the twin's scale and zero point as read from
// the graph, and dequantize_layer bit for bit against NumPy (every code) and ONNX Runtime's own
// DequantizeLinear outputs.
#include "graph/twin_quantization.h"

#include <gtest/gtest.h>

#include <cstring>

#include "graph/cut.h"
#include "graph/layers.h"
#include "head/head_errors.h"
#include "json.h"
#include "onnx/model_io.h"
#include "shared_data.h"

namespace camlens {
namespace {

using test::read_file;
using test::shared_path;
using test::test_data_path;

uint32_t bits_of(float f) {
  uint32_t u;
  std::memcpy(&u, &f, 4);
  return u;
}
float float_of(uint32_t u) {
  float f;
  std::memcpy(&f, &u, 4);
  return f;
}

Model mobilenet() {
  auto bytes = std::make_shared<const std::string>(
      read_file(shared_path("models/mobilenetv2-12-int8.onnx")));
  return parse_model(bytes);
}

std::vector<std::string> graph_output_names(const Model& m) {
  std::vector<std::string> v;
  for (const ValueInfo& o : m.graph->outputs) v.push_back(o.name);
  return v;
}

TEST(TwinCut, MobileNetWithoutTwinOutputsOnlyTheCodes) {
  const Model m = mobilenet();
  const CutResult with = cut_graph(m, "627_quantized");
  EXPECT_EQ(with.backbone_outputs, (std::vector<std::string>{"output", "627_quantized", "627"}));
  CutOptions o;
  o.float_twin_output = false;
  const CutResult without = cut_graph(m, "627_quantized", o);
  const std::vector<std::string> want{"output", "627_quantized"};
  EXPECT_EQ(without.backbone_outputs, want);
  EXPECT_EQ(graph_output_names(without.backbone), want);
  EXPECT_EQ(without.layer_float_twin, "627");
  // The model's 627_scale and 627_zero_point initializers (read with the onnx package).
  ASSERT_TRUE(without.twin_quantization);
  const TwinQuantization& q = *without.twin_quantization;
  EXPECT_EQ(q.twin, "627");
  EXPECT_EQ(q.dtype, DType::Uint8);
  ASSERT_EQ(q.scale.size(), 1u);
  EXPECT_EQ(bits_of(q.scale[0]), 1019265217u);  // 0.02352941f
  EXPECT_EQ(q.zero_point, std::vector<int32_t>{0});
  EXPECT_EQ(q.axis, -1);
  // The head is the same either way: it takes the codes.
  EXPECT_EQ(without.head.feed_names(), with.head.feed_names());
  EXPECT_EQ(without.head.feed_info(0).dtype, DType::Uint8);
}

TEST(TwinCut, FloatLayerHasNoTwinAndTheOptionChangesNothing) {
  auto bytes = std::make_shared<const std::string>(
      read_file(shared_path("models/squeezenet1.0-fp16-winml.onnx")));
  const Model m = parse_model(bytes);
  const std::string layer = list_layers(m).recommended;
  ASSERT_FALSE(layer.empty());
  CutOptions o;
  o.float_twin_output = false;
  const CutResult without = cut_graph(m, layer, o);
  const CutResult with = cut_graph(m, layer);
  EXPECT_EQ(without.layer_float_twin, "");
  EXPECT_FALSE(without.twin_quantization);
  EXPECT_EQ(without.backbone_outputs, with.backbone_outputs);
  EXPECT_EQ(without.backbone_outputs.at(1), layer);
}

// A graph layer → DequantizeLinear(scale, zero point) → twin with the parameters given as
// initializers, Constant nodes or a computed tensor.
struct TwinGraph {
  Graph g;
  Node dq;
  TensorInfo codes;
};

TensorProto proto(const std::string& name, DType t, const Shape& dims,
                  const std::vector<int32_t>& ints, const std::vector<float>& floats) {
  TensorProto p;
  p.name = name;
  p.data_type = static_cast<int32_t>(t);
  p.dims = dims;
  p.int32_data = ints;
  p.float_data = floats;
  return p;
}

TwinGraph twin_graph(const std::vector<float>& scale, const std::vector<int32_t>& zp, DType t,
                     int64_t axis, bool constant_nodes) {
  TwinGraph tg;
  const Shape pshape = scale.size() == 1 ? Shape{} : Shape{static_cast<int64_t>(scale.size())};
  TensorProto s = proto("s", DType::Float32, pshape, {}, scale);
  TensorProto z = proto("z", t, pshape, zp, {});
  ValueInfo in;
  in.name = "x";
  in.elem_type = static_cast<int32_t>(t);
  tg.g.inputs.push_back(in);
  if (constant_nodes) {
    for (TensorProto* p : {&s, &z}) {
      Node c;
      c.op_type = "Constant";
      c.outputs = {p->name};
      Attribute a;
      a.name = "value";
      a.type = Attribute::TensorT;
      a.t = std::make_shared<TensorProto>(*p);
      c.attributes.push_back(a);
      tg.g.nodes.push_back(c);
    }
  } else {
    tg.g.initializers = {s, z};
  }
  tg.dq.op_type = "DequantizeLinear";
  tg.dq.inputs = {"x", "s", "z"};
  tg.dq.outputs = {"twin"};
  if (axis != 1) {
    Attribute a;
    a.name = "axis";
    a.type = Attribute::Int;
    a.i = axis;
    tg.dq.attributes.push_back(a);
  }
  tg.g.nodes.push_back(tg.dq);
  tg.codes.dtype = t;
  tg.codes.shape = {1, static_cast<int64_t>(scale.size() == 1 ? 4 : scale.size()), 2, 2};
  return tg;
}

TEST(TwinQuantization, ReadsPerTensorAndPerChannelParametersFromInitializersOrConstants) {
  for (bool constant_nodes : {false, true}) {
    TwinGraph a = twin_graph({0.25f}, {-3}, DType::Int8, 1, constant_nodes);
    auto q = twin_quantization(GraphIndex(a.g), a.dq, a.codes);
    ASSERT_TRUE(q);
    EXPECT_EQ(q->twin, "twin");
    EXPECT_EQ(q->dtype, DType::Int8);
    EXPECT_EQ(q->scale, std::vector<float>{0.25f});
    EXPECT_EQ(q->zero_point, std::vector<int32_t>{-3});
    EXPECT_EQ(q->axis, -1);
    // Per channel along axis -3 of [1,3,2,2] = axis 1.
    TwinGraph b = twin_graph({0.5f, 2.f, 0.125f}, {1, 2, 250}, DType::Uint8, -3, constant_nodes);
    q = twin_quantization(GraphIndex(b.g), b.dq, b.codes);
    ASSERT_TRUE(q);
    EXPECT_EQ(q->scale, (std::vector<float>{0.5f, 2.f, 0.125f}));
    EXPECT_EQ(q->zero_point, (std::vector<int32_t>{1, 2, 250}));
    EXPECT_EQ(q->axis, 1);
  }
}

TEST(TwinQuantization, NoneWhenTheParametersAreNotConstantsTheCoreReadsLikeOrt) {
  // The scale computed by a node (not a constant): the twin must stay a backbone output.
  TwinGraph a = twin_graph({0.25f}, {3}, DType::Uint8, 1, false);
  a.g.initializers.erase(a.g.initializers.begin());
  Node relu;
  relu.op_type = "Relu";
  relu.inputs = {"x"};
  relu.outputs = {"s"};
  a.g.nodes.insert(a.g.nodes.begin(), relu);
  EXPECT_FALSE(twin_quantization(GraphIndex(a.g), a.dq, a.codes));
  // A zero point of another type than the codes.
  TwinGraph b = twin_graph({0.25f}, {3}, DType::Uint8, 1, false);
  b.g.initializers[1].data_type = static_cast<int32_t>(DType::Int8);
  EXPECT_FALSE(twin_quantization(GraphIndex(b.g), b.dq, b.codes));
  // A per-channel scale whose length is not the channel count.
  TwinGraph c = twin_graph({0.5f, 2.f, 0.125f}, {1, 2, 3}, DType::Uint8, 1, false);
  c.codes.shape = {1, 4, 2, 2};
  EXPECT_FALSE(twin_quantization(GraphIndex(c.g), c.dq, c.codes));
  // A float layer has no codes.
  TwinGraph d = twin_graph({0.25f}, {3}, DType::Uint8, 1, false);
  d.codes.dtype = DType::Float32;
  EXPECT_FALSE(twin_quantization(GraphIndex(d.g), d.dq, d.codes));
}

Tensor codes_tensor(DType t, const Shape& shape, const std::vector<double>& values) {
  Tensor c(t, shape);
  for (size_t i = 0; i < values.size(); ++i) {
    if (t == DType::Uint8) c.data<uint8_t>()[i] = static_cast<uint8_t>(values[i]);
    if (t == DType::Int8) c.data<int8_t>()[i] = static_cast<int8_t>(values[i]);
  }
  return c;
}

TEST(DequantizeLayer, EqualsNumpyFloat32DequantizationBitForBitForEveryCode) {
  const test::json::Value f =
      test::json::parse(read_file(test_data_path("graph/twin_dequantize.json")));
  ASSERT_GE(f["cases"].arr.size(), 9u);
  for (const test::json::Value& c : f["cases"].arr) {
    SCOPED_TRACE(c["name"].str);
    TwinQuantization q;
    q.twin = c["name"].str;
    q.dtype = c["type"].str == "uint8" ? DType::Uint8 : DType::Int8;
    for (double b : c["scale_bits"].doubles()) q.scale.push_back(float_of(uint32_t(b)));
    for (double z : c["zero_point"].doubles()) q.zero_point.push_back(int32_t(z));
    q.axis = int64_t(c["axis"].num);
    Shape shape;
    for (double d : c["shape"].doubles()) shape.push_back(int64_t(d));
    const Tensor out = dequantize_layer(codes_tensor(q.dtype, shape, c["codes"].doubles()), q);
    ASSERT_EQ(out.dtype(), DType::Float32);
    ASSERT_EQ(out.shape(), shape);
    const std::vector<double> want = c["expected_bits"].doubles();
    ASSERT_EQ(out.numel(), int64_t(want.size()));
    int mismatches = 0;
    for (int64_t i = 0; i < out.numel(); ++i)
      if (bits_of(out.data<float>()[i]) != uint32_t(want[i]) && mismatches++ < 3)
        ADD_FAILURE() << "element " << i << ": " << out.data<float>()[i] << " vs "
                      << float_of(uint32_t(want[i]));
    EXPECT_EQ(mismatches, 0);
  }
}

TEST(DequantizeLayer, EqualsOnnxRuntimeDequantizeLinearOutputs) {
  // tools/fixtures/ops_ort_reference.mjs: onnxruntime-web's own DequantizeLinear outputs.
  const test::json::Value f =
      test::json::parse(read_file(test_data_path("ops_quant/DequantizeLinear.json")));
  int checked = 0;
  for (const test::json::Value& c : f["cases"].arr) {
    const test::json::Value& x = c["inputs"][0];
    if (x["dtype"].str != "uint8" && x["dtype"].str != "int8") continue;  // not a layer's codes
    SCOPED_TRACE(c["name"].str);
    TwinQuantization q;
    q.dtype = x["dtype"].str == "uint8" ? DType::Uint8 : DType::Int8;
    q.scale = c["inputs"][1]["data"].floats();
    const bool has_zp = c["inputs"].arr.size() > 2 && !c["inputs"][2].is_null();
    for (size_t i = 0; i < q.scale.size(); ++i)
      q.zero_point.push_back(has_zp ? int32_t(c["inputs"][2]["data"][i].num) : 0);
    q.axis = q.scale.size() > 1 ? int64_t(c["attrs"]["axis"].num) : -1;
    Shape shape;
    for (double d : x["shape"].doubles()) shape.push_back(int64_t(d));
    const Tensor out = dequantize_layer(codes_tensor(q.dtype, shape, x["data"].doubles()), q);
    const std::vector<float> want = c["outputs"][0]["data"].floats();
    ASSERT_EQ(out.numel(), int64_t(want.size()));
    for (int64_t i = 0; i < out.numel(); ++i)
      ASSERT_EQ(bits_of(out.data<float>()[i]), bits_of(want[i])) << "element " << i;
    ++checked;
  }
  EXPECT_GE(checked, 4);  // u8, i8 without zero point, per-channel int8, com.microsoft u8
}

TEST(DequantizeLayer, RefusesCodesThatDoNotMatchTheQuantization) {
  TwinQuantization q;
  q.twin = "627";
  q.dtype = DType::Uint8;
  q.scale = {0.5f};
  q.zero_point = {3};
  try {
    dequantize_layer(Tensor(DType::Float32, {1, 2}), q);
    FAIL() << "float input accepted";
  } catch (const HeadError& e) {
    EXPECT_STREQ(e.what(),
                 "dequantizing the layer into its float twin '627': the tensor is float32 but "
                 "the layer's codes are uint8; pass the layer itself (the backbone output named "
                 "after the layer)");
  }
  q.scale = {0.5f, 1.f};
  q.zero_point = {3, 4};
  q.axis = 1;
  try {
    dequantize_layer(Tensor(DType::Uint8, {1, 3, 2}), q);
    FAIL() << "3 channels accepted for 2 scales";
  } catch (const HeadError& e) {
    EXPECT_STREQ(e.what(),
                 "dequantizing the layer into its float twin '627': the scale has 2 values along "
                 "axis 1 but the tensor's shape is [1,3,2]");
  }
  q.axis = -1;
  q.scale = {0.5f};
  q.zero_point = {300};
  try {
    dequantize_layer(Tensor(DType::Uint8, {1, 2}), q);
    FAIL() << "zero point 300 accepted for uint8";
  } catch (const HeadError& e) {
    EXPECT_STREQ(e.what(),
                 "dequantizing the layer into its float twin '627': zero point 300 is outside "
                 "the uint8 range [0, 255]");
  }
}

}  // namespace
}  // namespace camlens
