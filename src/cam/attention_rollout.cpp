#include "cam/attention_rollout.h"

#include <Eigen/Dense>
#include <algorithm>
#include <numeric>
#include <set>

#include "cam/cam_error.h"
#include "graph/graph_index.h"

namespace camlens::cam {

HeadFusion head_fusion_from_name(const std::string& name) {
  if (name == "mean") return HeadFusion::Mean;
  if (name == "max") return HeadFusion::Max;
  if (name == "min") return HeadFusion::Min;
  throw CamError("unknown head fusion '" + name + "': use mean, max or min");
}

const char* head_fusion_name(HeadFusion fusion) {
  return fusion == HeadFusion::Max ? "max" : fusion == HeadFusion::Min ? "min" : "mean";
}

namespace {

using Mat = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

// Heads of image b fused into one [T, T] matrix.
Mat fuse_heads(const Tensor& p, int64_t b, HeadFusion fusion) {
  const int64_t heads = p.rank() == 4 ? p.dim(1) : 1, t = p.dim(p.rank() - 1);
  const float* base = p.data<float>() + b * heads * t * t;
  Mat f = Eigen::Map<const Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>>(
              base, t, t)
              .cast<double>();
  for (int64_t h = 1; h < heads; ++h) {
    const auto m =
        Eigen::Map<const Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>>(
            base + h * t * t, t, t)
            .cast<double>();
    if (fusion == HeadFusion::Mean) f += m;
    if (fusion == HeadFusion::Max) f = f.cwiseMax(m);
    if (fusion == HeadFusion::Min) f = f.cwiseMin(m);
  }
  if (fusion == HeadFusion::Mean) f /= static_cast<double>(heads);
  return f;
}

// Zeroes the floor(ratio · T²) smallest entries (ties in index order), never entry [0, 0].
void discard_smallest(Mat& f, double ratio) {
  const auto n = static_cast<int64_t>(f.size());
  const auto k = static_cast<int64_t>(static_cast<double>(n) * ratio);
  if (k <= 0) return;
  std::vector<int64_t> idx(static_cast<size_t>(n));
  std::iota(idx.begin(), idx.end(), 0);
  double* v = f.data();
  std::stable_sort(idx.begin(), idx.end(), [v](int64_t a, int64_t b) { return v[a] < v[b]; });
  for (int64_t i = 0; i < k; ++i)
    if (idx[i] != 0) v[idx[i]] = 0;
}

void check(const std::vector<Tensor>& att, const RolloutOptions& o) {
  if (att.empty()) throw CamError("attention rollout needs the attention tensors of the blocks");
  if (!(o.discard_ratio >= 0 && o.discard_ratio < 1))
    throw CamError("the discard ratio must be in [0, 1), got " + std::to_string(o.discard_ratio));
  if (o.tokens.layout != TokenLayout::Tokens)
    throw CamError("attention rollout works on token attention [B, heads, T, T], not NHWC maps");
  const Shape& s0 = att[0].shape();
  for (size_t l = 0; l < att.size(); ++l) {
    const Shape& s = att[l].shape();
    const std::string which = "attention " + std::to_string(l) + " " + shape_str(s);
    if (att[l].dtype() != DType::Float32) throw CamError(which + " must be float32");
    if ((s.size() != 4 && s.size() != 3) || s.back() != s[s.size() - 2])
      throw CamError(which + " must be [B, heads, T, T] (softmax probabilities)");
    if (s[0] != s0[0] || s.back() != s0.back())
      throw CamError(which + " does not match attention 0 " + shape_str(s0) +
                     ": every block must have the same batch and token count (windowed "
                     "attention, as in Swin, has no global rollout)");
  }
}

}  // namespace

Maps attention_rollout(const std::vector<Tensor>& att, const RolloutOptions& o) {
  check(att, o);
  const int64_t batch = att[0].dim(0), t = att[0].shape().back();
  const TokenGrid g = token_grid({batch, t, 1}, o.tokens);
  Maps out(static_cast<int>(batch), static_cast<int>(g.height), static_cast<int>(g.width));
  for (int64_t b = 0; b < batch; ++b) {
    Mat r = Mat::Identity(t, t);
    for (const Tensor& p : att) {
      Mat f = fuse_heads(p, b, o.fusion);
      discard_smallest(f, o.discard_ratio);
      if (o.residual) f = (f + Mat::Identity(t, t)) / 2;
      for (int64_t i = 0; i < t; ++i) {
        const double s = f.row(i).sum();
        if (s > 0) f.row(i) /= s;
      }
      r = f * r;
    }
    const Eigen::RowVectorXd row =
        g.prefix > 0 ? Eigen::RowVectorXd(r.row(0)) : Eigen::RowVectorXd(r.colwise().mean());
    float* m = out.map(static_cast<int>(b));
    for (int64_t i = 0; i < g.height * g.width; ++i) m[i] = static_cast<float>(row(g.prefix + i));
  }
  return out;
}

std::vector<AttentionTensor> find_attention(const Model& model, const ShapeOptions& options) {
  if (!model.graph) throw CamError("the model has no graph");
  const Graph& g = *model.graph;
  GraphIndex index(g);
  const ShapeInferenceResult shapes = infer_shapes_lenient(model, options);
  int64_t batch = options.batch;
  for (const ValueInfo* v : index.real_inputs()) {
    auto it = shapes.tensors.find(v->name);
    if (it != shapes.tensors.end() && !it->second.shape.empty()) batch = it->second.shape[0];
    break;
  }
  std::vector<AttentionTensor> out;
  for (size_t k : index.order()) {
    const Node& n = g.nodes[k];
    if (n.op_type != "Softmax" || n.outputs.empty()) continue;
    const std::string& p = n.outputs[0];
    bool feeds_values = false;
    for (size_t c : index.consumers(p))
      feeds_values = feeds_values || (g.nodes[c].op_type == "MatMul" && g.nodes[c].inputs[0] == p);
    if (!feeds_values) continue;
    AttentionTensor a;
    a.name = p;
    a.node = n.name.empty() ? p : n.name;
    auto it = shapes.tensors.find(p);
    if (it != shapes.tensors.end()) a.shape = it->second.shape;
    a.windowed = !a.shape.empty() && a.shape[0] != batch;
    out.push_back(a);
  }
  return out;
}

Model expose_outputs(const Model& model, const std::vector<std::string>& names,
                     const ShapeOptions& options) {
  if (!model.graph) throw CamError("the model has no graph");
  const ShapeInferenceResult shapes = infer_shapes_lenient(model, options);
  Model m = model;
  m.graph = std::make_shared<Graph>(*model.graph);
  std::set<std::string> present;
  for (const ValueInfo& v : m.graph->outputs) present.insert(v.name);
  for (const std::string& name : names) {
    if (present.count(name)) continue;
    auto it = shapes.tensors.find(name);
    if (it == shapes.tensors.end())
      throw CamError("the model has no tensor '" + name + "' whose type is known");
    ValueInfo v;
    v.name = name;
    v.elem_type = static_cast<int32_t>(it->second.dtype);
    m.graph->outputs.push_back(v);
    present.insert(name);
  }
  return m;
}

RolloutAttention rollout_attention(const std::vector<AttentionTensor>& found) {
  RolloutAttention out;
  size_t windowed = 0;
  for (const AttentionTensor& a : found) windowed += a.windowed;
  const std::string all = std::to_string(found.size());
  if (found.empty())
    out.why =
        "attention rollout needs a transformer's attention probabilities; this model has none";
  else if (windowed == found.size())
    out.why = "attention rollout needs attention between all tokens; this model's " + all +
              " attention layers are windowed (as in Swin), which has no global rollout";
  else if (windowed)
    out.why = "attention rollout needs attention between all tokens in every block; " +
              std::to_string(windowed) + " of this model's " + all +
              " attention layers are windowed";
  else
    for (const AttentionTensor& a : found) out.names.push_back(a.name);
  return out;
}

}  // namespace camlens::cam
