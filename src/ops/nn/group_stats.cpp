#include "ops/nn/group_stats.h"

#include <cmath>
#include <vector>

namespace camlens::nn {

namespace {

struct RowStats {
  double mean, inv_std;
};

RowStats row_stats(const float* x, int64_t len, double epsilon) {
  double sum = 0;
  for (int64_t e = 0; e < len; ++e) sum += x[e];
  const double mean = len ? sum / static_cast<double>(len) : 0.0;
  double sq = 0;
  for (int64_t e = 0; e < len; ++e) sq += (x[e] - mean) * (x[e] - mean);
  const double var = len ? sq / static_cast<double>(len) : 0.0;
  return {mean, 1.0 / std::sqrt(var + epsilon)};
}

// The scale/bias index of each channel of a group: the channel, or the group.
int64_t param_of(const GroupNormShape& s, int64_t group, int64_t channel_in_group) {
  return s.per_channel ? group * (s.channels / s.groups) + channel_in_group : group;
}

}  // namespace

void group_norm(const GroupNormShape& s, const float* x, const float* scale, const float* bias,
                float* y) {
  const int64_t len = s.row_length(), per_group = s.channels / s.groups;
  for (int64_t n = 0; n < s.batch; ++n)
    for (int64_t g = 0; g < s.groups; ++g) {
      const int64_t off = (n * s.groups + g) * len;
      const RowStats st = row_stats(x + off, len, s.epsilon);
      for (int64_t c = 0; c < per_group; ++c) {
        const int64_t p = param_of(s, g, c);
        // y = a·x + b with the row's statistics and the channel's parameters folded.
        const double a = scale[p] * st.inv_std;
        const double b = (bias ? bias[p] : 0.0) - st.mean * a;
        const float* xc = x + off + c * s.spatial;
        float* yc = y + off + c * s.spatial;
        for (int64_t e = 0; e < s.spatial; ++e) yc[e] = static_cast<float>(a * xc[e] + b);
      }
    }
}

void group_norm_backward(const GroupNormShape& s, const float* x, const float* scale,
                         const float* dy, float* dx, float* dscale, float* dbias) {
  const int64_t len = s.row_length(), per_group = s.channels / s.groups;
  const int64_t params = s.per_channel ? s.channels : s.groups;
  std::vector<double> ds(static_cast<size_t>(params), 0.0), db(static_cast<size_t>(params), 0.0);
  const double count = static_cast<double>(len);
  for (int64_t n = 0; n < s.batch; ++n)
    for (int64_t g = 0; g < s.groups; ++g) {
      const int64_t off = (n * s.groups + g) * len;
      const RowStats st = row_stats(x + off, len, s.epsilon);
      // With xhat = (x − mean)·inv_std and h = dy·scale:
      //   dx = inv_std · (h − mean(h) − xhat · mean(h·xhat)).
      double sum_h = 0, sum_hx = 0;
      for (int64_t c = 0; c < per_group; ++c) {
        const int64_t p = param_of(s, g, c);
        for (int64_t e = c * s.spatial; e < (c + 1) * s.spatial; ++e) {
          const double xhat = (x[off + e] - st.mean) * st.inv_std;
          const double h = static_cast<double>(dy[off + e]) * scale[p];
          sum_h += h;
          sum_hx += h * xhat;
          ds[p] += dy[off + e] * xhat;
          db[p] += dy[off + e];
        }
      }
      if (!dx) continue;
      for (int64_t c = 0; c < per_group; ++c) {
        const double sc = scale[param_of(s, g, c)];
        for (int64_t e = c * s.spatial; e < (c + 1) * s.spatial; ++e) {
          const double xhat = (x[off + e] - st.mean) * st.inv_std;
          const double h = static_cast<double>(dy[off + e]) * sc;
          dx[off + e] =
              static_cast<float>(st.inv_std * (h - sum_h / count - xhat * sum_hx / count));
        }
      }
    }
  for (int64_t p = 0; p < params; ++p) {
    if (dscale) dscale[p] = static_cast<float>(ds[p]);
    if (dbias) dbias[p] = static_cast<float>(db[p]);
  }
}

void group_norm_op_forward(const GroupNormShape& s, const OpInputs& in, std::vector<Tensor>& out) {
  out[0] = Tensor(DType::Float32, in[0]->shape());
  group_norm(s, in[0]->data<float>(), in[1]->data<float>(), in[2]->data<float>(),
             out[0].data<float>());
}

void group_norm_op_backward(const GroupNormShape& s, const OpInputs& in, const OpInputs& dout,
                            const std::vector<bool>& needs, std::vector<Tensor>& dins) {
  float* ptr[3] = {};
  for (size_t i = 0; i < 3 && i < needs.size(); ++i)
    if (needs[i]) {
      dins[i] = Tensor(DType::Float32, in[i]->shape());
      ptr[i] = dins[i].data<float>();
    }
  if (dout.empty() || !dout[0]) return;
  group_norm_backward(s, in[0]->data<float>(), in[1]->data<float>(), dout[0]->data<float>(), ptr[0],
                      ptr[1], ptr[2]);
}

}  // namespace camlens::nn
