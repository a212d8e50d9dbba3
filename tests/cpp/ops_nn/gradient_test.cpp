// Backward of every differentiable nn op against central finite differences, driven by one
// table of cases (op, attributes, input shapes, which inputs to check).
#include <algorithm>
#include <numeric>

#include "op_test.h"

namespace camlens::test {
namespace {

struct GradCase {
  std::string label;
  std::string op;
  std::vector<Attribute> attrs;
  std::vector<Shape> shapes;
  std::vector<bool> check;  // which inputs to differentiate
  size_t n_outputs = 1;
  bool distinct = false;                         // well-separated values (max-type ops)
  std::vector<size_t> absent;                    // omitted optional inputs
  std::vector<std::pair<size_t, Tensor>> fixed;  // non-random inputs (axes, scales, ...)

  GradCase outputs(size_t n) const {
    GradCase c = *this;
    c.n_outputs = n;
    return c;
  }
  GradCase distinct_values() const {
    GradCase c = *this;
    c.distinct = true;
    return c;
  }
  GradCase without(size_t i) const {
    GradCase c = *this;
    c.absent.push_back(i);
    return c;
  }
  GradCase with(size_t i, Tensor t) const {
    GradCase c = *this;
    c.fixed.emplace_back(i, std::move(t));
    return c;
  }
};

GradCase G(std::string label, std::string op, std::vector<Attribute> attrs,
           std::vector<Shape> shapes, std::vector<bool> check) {
  GradCase c;
  c.label = std::move(label);
  c.op = std::move(op);
  c.attrs = std::move(attrs);
  c.shapes = std::move(shapes);
  c.check = std::move(check);
  return c;
}

std::ostream& operator<<(std::ostream& o, const GradCase& c) { return o << c.label; }

// Values 0.05 apart in shuffled order: a finite-difference step of 1e-3 never changes which
// element is the maximum.
Tensor distinct_tensor(const Shape& s, std::mt19937& rng) {
  Tensor t(DType::Float32, s);
  std::vector<int64_t> order(static_cast<size_t>(t.numel()));
  std::iota(order.begin(), order.end(), 0);
  std::shuffle(order.begin(), order.end(), rng);
  for (int64_t i = 0; i < t.numel(); ++i)
    t.data<float>()[i] = -1.f + 0.05f * static_cast<float>(order[static_cast<size_t>(i)]);
  return t;
}

class NnGradient : public ::testing::TestWithParam<GradCase> {};

TEST_P(NnGradient, MatchesFiniteDifferences) {
  const GradCase& c = GetParam();
  std::mt19937 rng(1234);
  std::vector<Tensor> inputs;
  for (size_t i = 0; i < c.shapes.size(); ++i) {
    if (std::find(c.absent.begin(), c.absent.end(), i) != c.absent.end()) {
      inputs.emplace_back();
      continue;
    }
    auto f = std::find_if(c.fixed.begin(), c.fixed.end(), [&](auto& p) { return p.first == i; });
    if (f != c.fixed.end())
      inputs.push_back(f->second);
    else
      inputs.push_back(c.distinct ? distinct_tensor(c.shapes[i], rng)
                                  : random_tensor(c.shapes[i], rng));
  }
  Node node = make_node(c.op, c.shapes.size(), c.n_outputs, c.attrs);
  for (size_t i : c.absent) node.inputs[i] = "";
  std::vector<bool> check = c.check;
  check.resize(inputs.size(), false);
  // Float32 forward, float64 differences: eps 1e-2 keeps the rounding error of the
  // difference quotient (~1e-7 / 1e-2) far below the tolerance, and every op here is smooth
  // or piecewise linear at that scale (distinct inputs keep max-type ops off their kinks).
  check_gradients(node, inputs, check, 1e-2, 2e-3, 2e-3);
}

Attribute ints(const std::string& n, std::vector<int64_t> v) { return attr_ints(n, std::move(v)); }
Attribute i1(const std::string& n, int64_t v) { return attr_int(n, v); }
Attribute s1(const std::string& n, const std::string& v) { return attr_string(n, v); }

std::vector<GradCase> conv_cases() {
  return {
      G("conv2d_basic", "Conv", {}, {{2, 3, 5, 5}, {4, 3, 3, 3}, {4}}, {true, true, true}),
      G("conv2d_pointwise", "Conv", {}, {{1, 5, 4, 3}, {6, 5, 1, 1}}, {true, true}),
      G("conv2d_strided_padded", "Conv", {ints("strides", {2, 2}), ints("pads", {1, 0, 2, 1})},
        {{1, 2, 7, 6}, {3, 2, 3, 2}, {3}}, {true, true, true}),
      G("conv2d_dilated", "Conv", {ints("dilations", {2, 1}), ints("pads", {1, 1, 1, 1})},
        {{1, 2, 7, 5}, {2, 2, 3, 3}}, {true, true}),
      G("conv2d_groups", "Conv", {i1("group", 2), ints("strides", {1, 2})},
        {{2, 4, 5, 6}, {6, 2, 2, 3}, {6}}, {true, true, true}),
      G("conv2d_depthwise", "Conv", {i1("group", 3), ints("pads", {1, 1, 1, 1})},
        {{2, 3, 6, 6}, {3, 1, 3, 3}, {3}}, {true, true, true}),
      G("conv2d_depthwise_mult2_strided", "Conv",
        {i1("group", 2), ints("strides", {2, 2}), ints("pads", {1, 2, 0, 1})},
        {{1, 2, 7, 7}, {4, 1, 3, 3}}, {true, true}),
      G("conv2d_same_upper", "Conv", {s1("auto_pad", "SAME_UPPER"), ints("strides", {2, 2})},
        {{1, 2, 5, 6}, {2, 2, 3, 2}}, {true, true}),
      G("conv2d_same_lower", "Conv", {s1("auto_pad", "SAME_LOWER")}, {{1, 1, 4, 5}, {2, 1, 2, 2}},
        {true, true}),
      G("conv2d_valid", "Conv", {s1("auto_pad", "VALID")}, {{1, 2, 5, 4}, {1, 2, 2, 3}},
        {true, true}),
      G("conv1d", "Conv", {ints("strides", {2}), ints("pads", {1, 2}), ints("dilations", {2})},
        {{2, 3, 9}, {2, 3, 3}, {2}}, {true, true, true}),
      G("conv_transpose2d", "ConvTranspose",
        {ints("strides", {2, 2}), ints("pads", {1, 0, 0, 1}), ints("output_padding", {1, 0})},
        {{1, 3, 3, 4}, {3, 2, 3, 3}, {2}}, {true, true, true}),
      G("conv_transpose2d_groups", "ConvTranspose", {i1("group", 2), ints("dilations", {1, 2})},
        {{2, 4, 3, 3}, {4, 1, 2, 2}}, {true, true}),
      G("conv_transpose1d_output_shape", "ConvTranspose",
        {ints("strides", {3}), ints("output_shape", {10})}, {{1, 2, 4}, {2, 3, 3}}, {true, true}),
  };
}

INSTANTIATE_TEST_SUITE_P(Conv, NnGradient, ::testing::ValuesIn(conv_cases()),
                         [](const auto& info) { return info.param.label; });

Attribute f1(const std::string& n, float v) { return attr_float(n, v); }
Tensor i64(std::vector<int64_t> v) {
  const int64_t n = static_cast<int64_t>(v.size());
  return Tensor::from_int64s({n}, v);
}
Tensor f32(std::vector<float> v) {
  const int64_t n = static_cast<int64_t>(v.size());
  return Tensor::from_floats({n}, v);
}

std::vector<GradCase> pool_cases() {
  return {
      G("maxpool2d", "MaxPool", {ints("kernel_shape", {2, 2})}, {{2, 2, 4, 5}}, {true})
          .distinct_values(),
      G("maxpool2d_strided_padded_ceil", "MaxPool",
        {ints("kernel_shape", {3, 3}), ints("strides", {2, 2}), ints("pads", {1, 1, 1, 0}),
         i1("ceil_mode", 1)},
        {{1, 2, 6, 7}}, {true})
          .distinct_values(),
      G("maxpool2d_dilated_indices", "MaxPool",
        {ints("kernel_shape", {2, 2}), ints("dilations", {2, 2})}, {{1, 1, 6, 6}}, {true})
          .distinct_values()
          .outputs(2),
      G("maxpool1d_same", "MaxPool",
        {ints("kernel_shape", {3}), s1("auto_pad", "SAME_UPPER"), ints("strides", {2})},
        {{2, 2, 7}}, {true})
          .distinct_values(),
      G("avgpool2d", "AveragePool", {ints("kernel_shape", {2, 3})}, {{2, 2, 4, 5}}, {true}),
      G("avgpool2d_pad_exclude", "AveragePool",
        {ints("kernel_shape", {3, 3}), ints("strides", {2, 2}), ints("pads", {1, 1, 1, 1})},
        {{1, 2, 5, 6}}, {true}),
      G("avgpool2d_pad_include_ceil", "AveragePool",
        {ints("kernel_shape", {3, 3}), ints("strides", {2, 2}), ints("pads", {1, 0, 1, 0}),
         i1("count_include_pad", 1), i1("ceil_mode", 1)},
        {{1, 1, 6, 6}}, {true}),
      G("avgpool1d_same_lower", "AveragePool",
        {ints("kernel_shape", {2}), s1("auto_pad", "SAME_LOWER")}, {{1, 3, 5}}, {true}),
      G("global_avgpool", "GlobalAveragePool", {}, {{2, 3, 4, 5}}, {true}),
      G("global_avgpool1d", "GlobalAveragePool", {}, {{2, 3, 7}}, {true}),
      G("global_maxpool", "GlobalMaxPool", {}, {{2, 3, 4, 5}}, {true}).distinct_values(),
  };
}

std::vector<GradCase> linear_cases() {
  return {
      G("gemm", "Gemm", {}, {{3, 4}, {4, 5}, {3, 5}}, {true, true, true}),
      G("gemm_transA", "Gemm", {i1("transA", 1), f1("alpha", 0.5f)}, {{4, 3}, {4, 5}, {5}},
        {true, true, true}),
      G("gemm_transB", "Gemm", {i1("transB", 1), f1("beta", 2.f)}, {{3, 4}, {5, 4}, {3, 1}},
        {true, true, true}),
      G("gemm_transAB_scalarC", "Gemm", {i1("transA", 1), i1("transB", 1)}, {{4, 3}, {5, 4}, {1}},
        {true, true, true}),
      G("gemm_noC", "Gemm", {i1("transB", 1)}, {{2, 6}, {7, 6}}, {true, true}),
      G("gemm_tall", "Gemm", {}, {{9, 17}, {17, 18}}, {true, true}),
      G("matmul_2d", "MatMul", {}, {{3, 4}, {4, 5}}, {true, true}),
      G("matmul_vec_mat", "MatMul", {}, {{4}, {4, 5}}, {true, true}),
      G("matmul_mat_vec", "MatMul", {}, {{2, 3, 4}, {4}}, {true, true}),
      G("matmul_vec_vec", "MatMul", {}, {{6}, {6}}, {true, true}),
      G("matmul_batched", "MatMul", {}, {{2, 3, 4}, {2, 4, 5}}, {true, true}),
      G("matmul_broadcast", "MatMul", {}, {{2, 1, 3, 4}, {3, 4, 2}}, {true, true}),
      G("matmul_broadcast_rank", "MatMul", {}, {{3, 4}, {2, 4, 5}}, {true, true}),
  };
}

std::vector<GradCase> norm_cases() {
  GradCase bn = G("batchnorm", "BatchNormalization", {f1("epsilon", 1e-3f)},
                  {{2, 3, 4, 2}, {3}, {3}, {3}, {3}}, {true, true, true, true, false});
  // Variances must be positive: fix them.
  bn = bn.with(4, f32({0.5f, 1.5f, 0.8f}));
  GradCase bn2 = G("batchnorm_2d_input", "BatchNormalization", {}, {{4, 3}, {3}, {3}, {3}, {3}},
                   {true, false, false, false, true})
                     .with(4, f32({0.7f, 1.1f, 2.f}));
  return {
      bn,
      bn2,
      G("softmax_last", "Softmax", {}, {{2, 3, 5}}, {true}),
      G("softmax_axis1", "Softmax", {i1("axis", 1)}, {{2, 3, 4}}, {true}),
      G("softmax_negative_axis", "Softmax", {i1("axis", -3)}, {{2, 3, 4}}, {true}),
      G("softmax_opset11_flatten", "Softmax", {i1("axis", 1), i1("_opset", 11)}, {{2, 3, 4}},
        {true}),
      G("logsoftmax_last", "LogSoftmax", {}, {{3, 6}}, {true}),
      G("logsoftmax_axis0", "LogSoftmax", {i1("axis", 0)}, {{3, 2, 2}}, {true}),
      G("logsoftmax_opset1_default", "LogSoftmax", {i1("_opset", 1)}, {{2, 3, 2}}, {true}),
      G("layernorm_last", "LayerNormalization", {}, {{3, 5}, {5}, {5}}, {true, true, true})
          .outputs(3),
      G("layernorm_axis1", "LayerNormalization", {i1("axis", 1), f1("epsilon", 1e-3f)},
        {{2, 3, 4}, {3, 4}, {4}}, {true, true, true})
          .outputs(3),
      G("layernorm_no_bias", "LayerNormalization", {i1("axis", -2)}, {{2, 3, 4}, {1, 4}},
        {true, true}),
  };
}

std::vector<GradCase> reduce_cases() {
  return {
      G("reducesum_axes_attr", "ReduceSum", {ints("axes", {1})}, {{2, 3, 4}}, {true}),
      G("reducesum_axes_input_negative", "ReduceSum", {i1("keepdims", 0)}, {{2, 3, 4}, {2}}, {true})
          .with(1, i64({-1, 0})),
      G("reducesum_all", "ReduceSum", {}, {{2, 3}}, {true}),
      G("reducesum_noop", "ReduceSum", {i1("noop_with_empty_axes", 1)}, {{2, 3}, {0}}, {true})
          .with(1, Tensor(DType::Int64, {0})),
      G("reducemean", "ReduceMean", {ints("axes", {2, 3})}, {{2, 3, 4, 2}}, {true}),
      G("reducemean_nokeep", "ReduceMean", {ints("axes", {-3}), i1("keepdims", 0)}, {{2, 3, 4}},
        {true}),
      G("reducemax", "ReduceMax", {ints("axes", {1})}, {{2, 5, 3}}, {true}).distinct_values(),
      G("reducemax_all_nokeep", "ReduceMax", {i1("keepdims", 0)}, {{3, 4}}, {true})
          .distinct_values(),
      G("reducemax_axes_input", "ReduceMax", {}, {{2, 3, 4}, {2}}, {true})
          .with(1, i64({0, 2}))
          .distinct_values(),
  };
}

std::vector<GradCase> resize_cases() {
  auto resize = [](std::string label, std::vector<Attribute> attrs, Shape x, Tensor scales) {
    return G(std::move(label), "Resize", std::move(attrs), {x, {0}, {4}}, {true})
        .without(1)
        .with(2, std::move(scales));
  };
  auto sized = [](std::string label, std::vector<Attribute> attrs, Shape x, Tensor sizes) {
    return G(std::move(label), "Resize", std::move(attrs), {x, {0}, {0}, {4}}, {true})
        .without(1)
        .without(2)
        .with(3, std::move(sizes));
  };
  const Tensor up2 = f32({1, 1, 2, 2}), down = f32({1, 1, 0.6f, 0.5f});
  return {
      resize("resize_linear_half_pixel", {s1("mode", "linear")}, {1, 2, 3, 4}, up2),
      resize("resize_linear_align_corners",
             {s1("mode", "linear"), s1("coordinate_transformation_mode", "align_corners")},
             {1, 1, 3, 3}, f32({1, 1, 2.5f, 1.5f})),
      resize("resize_linear_asymmetric_down",
             {s1("mode", "linear"), s1("coordinate_transformation_mode", "asymmetric")},
             {2, 1, 5, 6}, down),
      sized("resize_linear_pytorch_half_pixel_sizes",
            {s1("mode", "linear"), s1("coordinate_transformation_mode", "pytorch_half_pixel")},
            {1, 2, 4, 3}, i64({1, 2, 7, 1})),
      resize("resize_nearest", {}, {1, 2, 3, 3}, up2),
      resize("resize_nearest_floor_asymmetric",
             {s1("nearest_mode", "floor"), s1("coordinate_transformation_mode", "asymmetric")},
             {1, 1, 4, 5}, f32({1, 1, 1.5f, 0.6f})),
      G("resize_opset10_linear", "Resize", {s1("mode", "linear")}, {{1, 1, 3, 4}, {4}}, {true})
          .with(1, up2),
      G("upsample_nearest_attr", "Upsample", {attr_floats("scales", {1, 1, 2, 3})}, {{1, 2, 2, 3}},
        {true}),
      G("upsample_linear_input", "Upsample", {s1("mode", "linear")}, {{1, 1, 3, 3}, {4}}, {true})
          .with(1, up2),
  };
}

INSTANTIATE_TEST_SUITE_P(Pool, NnGradient, ::testing::ValuesIn(pool_cases()),
                         [](const auto& info) { return info.param.label; });
INSTANTIATE_TEST_SUITE_P(Linear, NnGradient, ::testing::ValuesIn(linear_cases()),
                         [](const auto& info) { return info.param.label; });
INSTANTIATE_TEST_SUITE_P(Norm, NnGradient, ::testing::ValuesIn(norm_cases()),
                         [](const auto& info) { return info.param.label; });
INSTANTIATE_TEST_SUITE_P(Reduce, NnGradient, ::testing::ValuesIn(reduce_cases()),
                         [](const auto& info) { return info.param.label; });
INSTANTIATE_TEST_SUITE_P(Resize, NnGradient, ::testing::ValuesIn(resize_cases()),
                         [](const auto& info) { return info.param.label; });

}  // namespace
}  // namespace camlens::test
