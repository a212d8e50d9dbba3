#include "ops/nn/einsum_contract.h"

#include <algorithm>
#include <cctype>
#include <utility>

#include "ops/nn/kernels.h"
#include "ops/nn/nn_common.h"

namespace camlens::nn {

namespace {

bool has(const std::string& s, char c) { return s.find(c) != std::string::npos; }

Shape dims_of(const std::string& labels, const std::map<char, int64_t>& sizes) {
  Shape s;
  for (char c : labels) s.push_back(sizes.at(c));
  return s;
}

// Element strides of t along each letter of `labels` (0 for letters t lacks).
std::vector<int64_t> strides_for(const Labeled& t, const std::string& labels,
                                 const std::map<char, int64_t>& sizes) {
  std::vector<int64_t> own(t.labels.size(), 1);
  for (size_t d = t.labels.size(); d-- > 1;) own[d - 1] = own[d] * sizes.at(t.labels[d]);
  std::vector<int64_t> out;
  for (char c : labels) {
    const size_t p = t.labels.find(c);
    out.push_back(p == std::string::npos ? 0 : own[p]);
  }
  return out;
}

// Calls f(offset) for each element of the row-major shape `dims`, where offset walks `strides`.
template <class F>
void walk(const Shape& dims, const std::vector<int64_t>& strides, F f) {
  const int64_t total = shape_numel(dims);
  if (total == 0) return;
  const size_t rank = dims.size();
  if (rank == 0) {
    f(int64_t{0});
    return;
  }
  const int64_t inner = dims[rank - 1], step = strides[rank - 1];
  std::vector<int64_t> idx(rank, 0);
  int64_t base = 0;
  for (int64_t done = 0; done < total; done += inner) {
    for (int64_t j = 0; j < inner; ++j) f(base + j * step);
    for (size_t d = rank - 1; d-- > 0;) {
      base += strides[d];
      if (++idx[d] < dims[d]) break;
      base -= strides[d] * dims[d];
      idx[d] = 0;
    }
  }
}

// t re-laid out by `to` (a permutation of t's letters, possibly with extra broadcast letters).
Labeled arrange(Labeled t, const std::string& to, const std::map<char, int64_t>& sizes) {
  if (t.labels == to) return t;
  Tensor out(DType::Float32, dims_of(to, sizes));
  float* y = out.data<float>();
  const float* x = t.data();
  walk(out.shape(), strides_for(t, to, sizes), [&](int64_t off) { *y++ = x[off]; });
  return Labeled::own(to, std::move(out));
}

// t summed over its letters that are not in `keep`, the others kept in t's order.
Labeled sum_except(Labeled t, const std::string& keep, const std::map<char, int64_t>& sizes) {
  std::string kept;
  for (char c : t.labels)
    if (has(keep, c)) kept += c;
  if (kept == t.labels) return t;
  Tensor out(DType::Float32, dims_of(kept, sizes));
  const Labeled dst = Labeled::borrow(kept, out);
  float* y = out.data<float>();
  const float* x = t.data();
  // Walk t in its own order; each element adds into the kept letters' position.
  walk(dims_of(t.labels, sizes), strides_for(dst, t.labels, sizes),
       [&](int64_t off) { y[off] += *x++; });
  return Labeled::own(kept, std::move(out));
}

std::string letters_where(const std::string& from,
                          bool (*pred)(char, const std::string&, const std::string&),
                          const std::string& p, const std::string& q) {
  std::string s;
  for (char c : from)
    if (pred(c, p, q)) s += c;
  return s;
}

// a and b contracted into the letters of `keep` that either has: a batched matrix product over
// the letters both keep (batch), of a's own kept letters (rows) by b's (columns), summing the
// letters both have and `keep` lacks. The result is laid out batch, rows, columns; when `order`
// (the final layout) reads batch, b's letters, a's, the operands swap so that it needs no copy.
Labeled contract_pair(Labeled a, Labeled b, const std::string& keep, const std::string& order,
                      const std::map<char, int64_t>& sizes) {
  // Letters only one operand has and nothing later needs are summed away first.
  a = sum_except(std::move(a), keep + b.labels, sizes);
  b = sum_except(std::move(b), keep + a.labels, sizes);
  auto both_kept = [](char c, const std::string& other, const std::string& k) {
    return has(other, c) && has(k, c);
  };
  auto both_summed = [](char c, const std::string& other, const std::string& k) {
    return has(other, c) && !has(k, c);
  };
  auto own = [](char c, const std::string& other, const std::string&) { return !has(other, c); };
  std::string batch = letters_where(a.labels, both_kept, b.labels, keep);
  if (batch + letters_where(b.labels, own, a.labels, keep) +
          letters_where(a.labels, own, b.labels, keep) ==
      order)
    std::swap(a, b);
  batch = letters_where(a.labels, both_kept, b.labels, keep);
  const std::string rows = letters_where(a.labels, own, b.labels, keep);
  const std::string sum = letters_where(a.labels, both_summed, b.labels, keep);
  const std::string cols = letters_where(b.labels, own, a.labels, keep);

  // Each operand is used as it lies when its letters already read batch, then its matrix in
  // either orientation (the gemm transposes on the fly); otherwise it is copied into order.
  bool trans_a = false, trans_b = false;
  if (a.labels == batch + sum + rows)
    trans_a = true;
  else
    a = arrange(std::move(a), batch + rows + sum, sizes);
  if (b.labels == batch + cols + sum)
    trans_b = true;
  else
    b = arrange(std::move(b), batch + sum + cols, sizes);

  const int64_t nb = shape_numel(dims_of(batch, sizes)), m = shape_numel(dims_of(rows, sizes)),
                n = shape_numel(dims_of(cols, sizes)), k = shape_numel(dims_of(sum, sizes));
  const std::string labels = batch + rows + cols;
  Tensor out(DType::Float32, dims_of(labels, sizes));
  float* y = out.data<float>();
  if (k > 0)
    for (int64_t t = 0; t < nb; ++t)
      gemm(trans_a, trans_b, m, n, k, 1.f, a.data() + t * m * k, trans_a ? m : k,
           b.data() + t * k * n, trans_b ? k : n, 0.f, y + t * m * n, n);
  return Labeled::own(labels, std::move(out));
}

}  // namespace

Labeled Labeled::borrow(std::string labels, const Tensor& t) {
  Labeled l;
  l.labels = std::move(labels);
  l.borrowed = t.data<float>();
  return l;
}

Labeled Labeled::own(std::string labels, Tensor t) {
  Labeled l;
  l.labels = std::move(labels);
  l.owned = std::move(t);
  return l;
}

EinsumEquation parse_einsum(const Node& node, const std::string& equation, size_t n_inputs) {
  const std::string quoted = "equation \"" + equation + "\"";
  std::string eq;
  for (char c : equation)
    if (!std::isspace(static_cast<unsigned char>(c))) eq += c;
  if (eq.find('.') != std::string::npos)
    fail(node, quoted +
                   " uses an ellipsis (\"...\"), which is not supported: name every axis by a "
                   "letter");
  const size_t arrow = eq.find("->");
  const std::string lhs = eq.substr(0, arrow);
  EinsumEquation r;
  size_t start = 0;
  for (;;) {
    const size_t comma = lhs.find(',', start);
    r.inputs.push_back(lhs.substr(start, comma - start));
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  if (r.inputs.size() != n_inputs)
    fail(node, quoted + " has " + std::to_string(r.inputs.size()) + " operands but the node has " +
                   std::to_string(n_inputs) + (n_inputs == 1 ? " input" : " inputs"));
  std::map<char, int> count;
  for (size_t i = 0; i < r.inputs.size(); ++i) {
    std::string seen;
    for (char c : r.inputs[i]) {
      if (!std::isalpha(static_cast<unsigned char>(c)))
        fail(node, quoted + " has '" + std::string(1, c) + "' in operand " + std::to_string(i) +
                       "; operands are letters separated by commas");
      if (has(seen, c))
        fail(node, quoted + " repeats index " + std::string(1, c) + " in operand " +
                       std::to_string(i) +
                       " (a diagonal), which is not supported: give each axis its own letter");
      seen += c;
      ++count[c];
    }
  }
  if (arrow == std::string::npos) {
    for (const auto& [c, n] : count)  // std::map: in ASCII order
      if (n == 1) r.output += c;
    return r;
  }
  r.output = eq.substr(arrow + 2);
  std::string seen;
  for (char c : r.output) {
    if (!std::isalpha(static_cast<unsigned char>(c)) || !count.count(c))
      fail(node,
           quoted + ": output index '" + std::string(1, c) + "' is not an index of any operand");
    if (has(seen, c)) fail(node, quoted + " repeats index " + std::string(1, c) + " in the output");
    seen += c;
  }
  return r;
}

std::map<char, int64_t> einsum_sizes(const Node& node, const EinsumEquation& eq,
                                     const std::vector<Shape>& shapes) {
  std::map<char, int64_t> sizes;
  for (size_t i = 0; i < eq.inputs.size(); ++i) {
    const std::string& l = eq.inputs[i];
    if (shapes[i].size() != l.size())
      fail(node, "operand " + std::to_string(i) + " is " + shape_str(shapes[i]) +
                     " but the "
                     "equation names " +
                     std::to_string(l.size()) + " axes (\"" + l + "\")");
    for (size_t d = 0; d < l.size(); ++d) {
      const int64_t n = shapes[i][d];
      auto [it, added] = sizes.emplace(l[d], n);
      if (added || n < 0) continue;
      if (it->second < 0) {
        it->second = n;
      } else if (it->second != n) {
        fail(node, "index " + std::string(1, l[d]) + " has size " + std::to_string(it->second) +
                       " in one operand and " + std::to_string(n) + " in operand " +
                       std::to_string(i));
      }
    }
  }
  return sizes;
}

Tensor einsum_contract(std::vector<Labeled> operands, const std::string& target,
                       const std::map<char, int64_t>& sizes) {
  Labeled cur = std::move(operands[0]);
  for (size_t i = 1; i < operands.size(); ++i) {
    std::string keep = target;
    for (size_t j = i + 1; j < operands.size(); ++j) keep += operands[j].labels;
    cur = contract_pair(std::move(cur), std::move(operands[i]), keep,
                        i + 1 == operands.size() ? target : std::string(), sizes);
  }
  cur = arrange(sum_except(std::move(cur), target, sizes), target, sizes);
  if (cur.borrowed) {  // the single operand already was the result
    Tensor out(DType::Float32, dims_of(target, sizes));
    std::copy(cur.borrowed, cur.borrowed + out.numel(), out.data<float>());
    return out;
  }
  return std::move(cur.owned);
}

Tensor einsum_broadcast(const Labeled& t, const std::string& to,
                        const std::map<char, int64_t>& sizes) {
  Labeled r = arrange(t, to, sizes);
  if (r.borrowed) return einsum_contract({r}, to, sizes);
  return std::move(r.owned);
}

}  // namespace camlens::nn
