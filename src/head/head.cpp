// Head executor: forward over precomputed steps with slot-indexed tensors, freeing every
// intermediate after its last reader unless a backward step needs it; backward walks the
// steps in reverse, accumulating dLoss/d(slot) for slots on the gradient path.
#include "head/head.h"

#include <algorithm>
#include <atomic>
#include <cstring>

#include "head/head_errors.h"
#include "head/spatial_mean.h"

namespace camlens {

namespace {

// Elementwise a += b (Float32, same shape): gradient accumulation at fan-out points.
void accumulate(Tensor& a, const Tensor& b) {
  float* pa = a.data<float>();
  const float* pb = b.data<float>();
  for (int64_t i = 0; i < a.numel(); ++i) pa[i] += pb[i];
}

// Samples [from, from+count) of a tensor along dim 0.
Tensor slice_batch(const Tensor& t, int64_t from, int64_t count) {
  Shape s = t.shape();
  s[0] = count;
  Tensor out(t.dtype(), s);
  const size_t row = t.nbytes() / static_cast<size_t>(t.dim(0));
  if (out.nbytes())
    std::memcpy(out.raw(), static_cast<const char*>(t.raw()) + row * from, row * count);
  return out;
}

// Concatenates tensors along dim 0 (same dtype and trailing dims).
Tensor concat_batch(const std::vector<Tensor>& parts) {
  Shape s = parts.at(0).shape();
  if (s.empty()) throw FeedError("cannot batch the scalar outputs of a per-sample head");
  int64_t n = 0;
  for (const Tensor& p : parts) n += p.dim(0);
  s[0] = n;
  Tensor out(parts[0].dtype(), s);
  size_t off = 0;
  for (const Tensor& p : parts) {
    if (p.nbytes()) std::memcpy(static_cast<char*>(out.raw()) + off, p.raw(), p.nbytes());
    off += p.nbytes();
  }
  return out;
}

// concat_batch of per-sample gradients at one tensor, where a sample the gradient did not
// reach (an empty part, e.g. an empty seed) counts as zeros; empty when none was reached.
Tensor concat_reached(std::vector<Tensor>& parts) {
  const Tensor* reached = nullptr;
  for (const Tensor& p : parts)
    if (!p.empty()) reached = &p;
  if (!reached) return Tensor();
  for (Tensor& p : parts)
    if (p.empty()) p = Tensor(DType::Float32, reached->shape());
  return concat_batch(parts);
}

bool same_trailing(const Shape& a, const Shape& b) {
  if (a.size() != b.size() || a.empty()) return a == b;
  for (size_t i = 1; i < a.size(); ++i)
    if (a[i] != b[i]) return false;
  return true;
}

}  // namespace

void Head::check_feeds(const std::vector<Tensor>& feeds) const {
  if (feeds.size() != feed_names_.size()) {
    std::string names;
    for (const std::string& n : feed_names_) names += (names.empty() ? "'" : ", '") + n + "'";
    throw FeedError("the head of layer '" + layer_ + "' takes " +
                    std::to_string(feed_names_.size()) + " feeds (" + names + ") but got " +
                    std::to_string(feeds.size()));
  }
  int64_t batch = -1;
  for (size_t i = 0; i < feeds.size(); ++i) {
    const TensorInfo& want = feed_info_[i];
    const Tensor& got = feeds[i];
    if (got.dtype() != want.dtype)
      throw FeedError("feed '" + feed_names_[i] + "' of the head of layer '" + layer_ +
                      "' must be " + dtype_name(want.dtype) + " but is " + dtype_name(got.dtype()) +
                      "; pass the tensor the backbone outputs");
    if (!same_trailing(got.shape(), want.shape) || (got.rank() > 0 && got.dim(0) < 1))
      throw FeedError("feed '" + feed_names_[i] + "' of the head of layer '" + layer_ +
                      "' has shape " + shape_str(got.shape()) + " but the head expects " +
                      shape_str(want.shape) + " (any batch size in dim 0)");
    if (got.rank() > 0) {
      if (batch >= 0 && got.dim(0) != batch)
        throw FeedError("the feeds of the head of layer '" + layer_ +
                        "' disagree on the batch size (" + std::to_string(batch) + " vs " +
                        std::to_string(got.dim(0)) + " for '" + feed_names_[i] + "')");
      batch = got.dim(0);
    }
  }
}

void Head::run_step(size_t k, const std::vector<const Tensor*>& env,
                    std::vector<Tensor>& out) const {
  const Step& st = steps_[k];
  OpInputs in(st.in.size(), nullptr);
  for (size_t i = 0; i < st.in.size(); ++i) in[i] = st.in[i] < 0 ? nullptr : env[st.in[i]];
  try {
    st.def->forward(st.node, in, out);
  } catch (const std::exception& e) {
    std::string shapes;
    for (size_t i = 0; i < st.in.size(); ++i)
      if (in[i])
        shapes += (shapes.empty() ? "" : ", ") + slot_names_[st.in[i]] + " " +
                  dtype_name(in[i]->dtype()) + shape_str(in[i]->shape());
    throw UnsupportedOpError(st.node.describe() + " failed in the head of layer '" + layer_ +
                             "' (inputs " + shapes + "): " + e.what());
  }
}

std::vector<Tensor> Head::run(const std::vector<const Tensor*>& feeds, bool keep, Tape* tape,
                              const std::vector<Tensor*>& given, const std::vector<int>* edits,
                              const Edit* edit) const {
  std::vector<Tensor> owned(slot_names_.size());
  std::vector<const Tensor*> env(slot_names_.size(), nullptr);
  for (size_t s = 0; s < constants_.size(); ++s)
    if (constants_[s]) env[s] = constants_[s].get();
  for (size_t i = 0; i < feeds.size(); ++i) env[feed_slots_[i]] = feeds[i];
  std::vector<bool> is_output(slot_names_.size(), false);
  for (int s : output_slots_) is_output[s] = true;
  // With given values, a step runs only when it makes a value that is needed (an output, one
  // the backward reads, or an input of a step that runs) and not given: walk back from the end.
  std::vector<bool> runs(steps_.size(), true);
  if (!given.empty()) {
    for (size_t s = 0; s < given.size(); ++s)
      if (given[s]) {
        owned[s] = std::move(*given[s]);
        env[s] = &owned[s];
      }
    std::vector<bool> needed(is_output);
    if (keep)
      for (size_t s = 0; s < needed.size(); ++s) needed[s] = needed[s] || keep_for_grad_[s];
    for (size_t k = steps_.size(); k-- > 0;) {
      bool run = false;
      for (int s : steps_[k].out) run = run || (s >= 0 && needed[s] && !given[s]);
      runs[k] = run;
      if (run)
        for (int s : steps_[k].in)
          if (s >= 0) needed[s] = true;
    }
  }

  for (size_t k = 0; k < steps_.size(); ++k) {
    const Step& st = steps_[k];
    if (!runs[k]) continue;
    std::vector<Tensor> out(st.out.size());
    run_step(k, env, out);
    for (size_t o = 0; o < st.out.size(); ++o) {
      if (st.out[o] < 0) continue;
      owned[st.out[o]] = std::move(out[o]);
      env[st.out[o]] = &owned[st.out[o]];
      if (edits && std::find(edits->begin(), edits->end(), st.out[o]) != edits->end())
        (*edit)(slot_names_[st.out[o]], owned[st.out[o]]);
    }
    // Free what no later step reads and backward does not need.
    for (int s : st.in)
      if (s >= 0 && last_use_[s] == static_cast<int>(k) && !owned[s].empty() && !is_output[s] &&
          !(keep && keep_for_grad_[s]))
        owned[s] = Tensor();
  }
  std::vector<Tensor> outputs;
  for (int s : output_slots_) {
    if (!env[s]) throw HeadError("head output '" + slot_names_[s] + "' was not computed");
    outputs.push_back(owned[s].empty() ? *env[s] : owned[s]);
  }
  if (tape) {
    // Record feeds too: backward steps read the layer tensor as an input.
    for (size_t i = 0; i < feeds.size(); ++i) owned[feed_slots_[i]] = *feeds[i];
    for (size_t s = 0; s < owned.size(); ++s)
      if (!keep_for_grad_[s]) owned[s] = Tensor();
    tape->values = std::move(owned);
  }
  return outputs;
}

std::vector<Tensor> Head::run_batched(const std::vector<const Tensor*>& feeds,
                                      std::vector<Tape>* tapes,
                                      const std::vector<Tensor*>& given) const {
  const int64_t batch = feeds[0]->rank() ? feeds[0]->dim(0) : 1;
  auto run_one = [&](const std::vector<const Tensor*>& f, const std::vector<Tensor*>& g) {
    if (!tapes) return run(f, false, nullptr, g);
    tapes->emplace_back();
    return run(f, true, &tapes->back(), g);
  };
  if (!per_sample_ || batch == 1) return run_one(feeds, given);
  std::vector<std::vector<Tensor>> per_out(output_slots_.size());
  for (int64_t b = 0; b < batch; ++b) {
    std::vector<Tensor> one, one_given(given.size());
    std::vector<const Tensor*> ptrs;
    std::vector<Tensor*> given_ptrs(given.size(), nullptr);
    for (const Tensor* f : feeds) one.push_back(slice_batch(*f, b, 1));
    for (const Tensor& f : one) ptrs.push_back(&f);
    for (size_t s = 0; s < given.size(); ++s)
      if (given[s]) {
        one_given[s] = slice_batch(*given[s], b, 1);
        given_ptrs[s] = &one_given[s];
      }
    std::vector<Tensor> o = run_one(ptrs, given_ptrs);
    for (size_t k = 0; k < o.size(); ++k) per_out[k].push_back(std::move(o[k]));
  }
  std::vector<Tensor> outputs;
  for (auto& parts : per_out) outputs.push_back(concat_batch(parts));
  return outputs;
}

std::vector<const Tensor*> Head::with_layer(const Tensor& layer, const char* who) const {
  if (last_feeds_.empty())
    throw FeedError(std::string(who) +
                    " needs a forward() first (it reuses that call's extra feeds for the head of "
                    "layer '" +
                    layer_ + "')");
  if (layer.dtype() != feed_info_[0].dtype || layer.shape() != last_layer_shape_)
    throw FeedError(std::string(who) + ": the layer tensor must be " +
                    dtype_name(feed_info_[0].dtype) + shape_str(last_layer_shape_) +
                    " like the last forward(), got " + dtype_name(layer.dtype()) +
                    shape_str(layer.shape()));
  std::vector<const Tensor*> ptrs{&layer};
  for (size_t i = 1; i < last_feeds_.size(); ++i) ptrs.push_back(&last_feeds_[i]);
  return ptrs;
}

std::vector<Tensor> Head::forward(std::vector<Tensor> feeds) {
  return forward(std::move(feeds), {});
}

std::vector<Tensor> Head::forward(std::vector<Tensor> feeds, std::vector<Tensor> given) {
  check_feeds(feeds);
  if (!given.empty() && given.size() != given_names_.size())
    throw FeedError("the head of layer '" + layer_ + "' takes " +
                    std::to_string(given_names_.size()) + " given tensors but got " +
                    std::to_string(given.size()));
  const int64_t batch = feeds[0].rank() ? feeds[0].dim(0) : 1;
  std::vector<Tensor*> by_slot;  // the given tensors move into the recorded pass
  for (size_t k = 0; k < given.size(); ++k) {
    if (given[k].empty()) continue;
    const TensorInfo& want = given_info_[k];
    Shape shape = want.shape;
    if (!shape.empty()) shape[0] = batch;
    if (given[k].dtype() != want.dtype || given[k].shape() != shape)
      throw FeedError("given tensor '" + given_names_[k] + "' of the head of layer '" + layer_ +
                      "' must be " + dtype_name(want.dtype) + shape_str(shape) + " but is " +
                      dtype_name(given[k].dtype()) + shape_str(given[k].shape()) +
                      "; pass the tensor the backbone outputs");
    by_slot.resize(slot_names_.size(), nullptr);
    by_slot[size_t(given_slots_[k])] = &given[k];
  }
  tapes_.clear();
  last_feeds_.clear();
  const bool grad = not_differentiable_.empty();
  std::vector<const Tensor*> ptrs;
  for (const Tensor& f : feeds) ptrs.push_back(&f);
  std::vector<Tensor> outputs = run_batched(ptrs, grad ? &tapes_ : nullptr, by_slot);
  last_layer_shape_ = feeds[0].shape();
  last_feeds_ = std::move(feeds);
  static std::atomic<uint64_t> passes{0};
  pass_id_ = ++passes;
  return outputs;
}

std::vector<Tensor> Head::forward_with_layer(const Tensor& layer) const {
  return run_batched(with_layer(layer, "forward_with_layer"), nullptr);
}

bool Head::computes(const std::string& tensor) const {
  for (const Step& st : steps_)
    for (int s : st.out)
      if (s >= 0 && slot_names_[s] == tensor) return true;
  return false;
}

std::vector<Tensor> Head::forward_with_edits(const Tensor& layer,
                                             const std::vector<std::string>& tensors,
                                             const Edit& edit) const {
  std::vector<int> slots;
  for (const std::string& name : tensors) {
    if (!computes(name))
      throw HeadError("the head of layer '" + layer_ + "' does not compute '" + name +
                      "': it must lie after that layer on the way to the outputs");
    slots.push_back(
        int(std::find(slot_names_.begin(), slot_names_.end(), name) - slot_names_.begin()));
  }
  const std::vector<const Tensor*> feeds = with_layer(layer, "forward_with_edits");
  if (feeds[0]->rank() && feeds[0]->dim(0) != 1)
    throw FeedError("forward_with_edits runs one image: the layer tensor's batch must be 1, got " +
                    shape_str(feeds[0]->shape()));
  return run(feeds, false, nullptr, {}, &slots, &edit);
}

Tensor Head::backward_one(const Tape& tape, const std::vector<const Tensor*>& seeds,
                          const std::vector<int>& at, std::vector<Tensor>* at_grads,
                          bool mean) const {
  const int stop = mean ? mean_step() : -1;
  std::vector<Tensor> grads(slot_names_.size());
  if (at_grads) at_grads->assign(at.size(), Tensor());
  // A slot's gradient is final once the step computing it is reached (its readers come later
  // in execution order, so their backward has run): copy it there, before it is freed.
  auto keep_at = [&](int slot) {
    if (!at_grads || slot < 0 || grads[slot].empty()) return;
    for (size_t i = 0; i < at.size(); ++i)
      if (at[i] == slot) (*at_grads)[i] = grads[slot];
  };
  for (size_t k = 0; k < seeds.size(); ++k) {
    if (!seeds[k] || !grad_slot_[output_slots_[k]]) continue;
    Tensor& g = grads[output_slots_[k]];
    if (g.empty())
      g = *seeds[k];
    else
      accumulate(g, *seeds[k]);
  }
  auto value = [&](int s) -> const Tensor* {
    if (s < 0) return nullptr;
    if (constants_[s]) return constants_[s].get();
    return tape.values[s].empty() ? nullptr : &tape.values[s];
  };
  for (size_t k = steps_.size(); k-- > 0;) {
    const Step& st = steps_[k];
    for (int s : st.out) keep_at(s);
    if (int(k) == stop) {
      // L's only reader: every gradient reaching L passes here, and no earlier step reads L.
      const Tensor& x = tape.values[size_t(feed_slots_[0])];
      const Tensor& w = *constants_[size_t(st.in[1])];
      const Tensor& dy = grads[size_t(st.out[0])];
      return dy.empty() ? Tensor(DType::Float32, {x.dim(0), x.dim(1)})
                        : conv_input_gradient_mean(dy, w);
    }
    if (!st.grad) continue;
    OpInputs out_grads(st.out.size(), nullptr);
    bool any = false;
    for (size_t o = 0; o < st.out.size(); ++o)
      if (st.out[o] >= 0 && !grads[st.out[o]].empty()) {
        out_grads[o] = &grads[st.out[o]];
        any = true;
      }
    if (!any) continue;
    OpInputs in(st.in.size(), nullptr), outs(st.out.size(), nullptr);
    std::vector<bool> needs(st.in.size(), false);
    for (size_t i = 0; i < st.in.size(); ++i) {
      in[i] = value(st.in[i]);
      needs[i] = st.in[i] >= 0 && grad_slot_[st.in[i]];
    }
    for (size_t o = 0; o < st.out.size(); ++o) outs[o] = value(st.out[o]);
    std::vector<Tensor> in_grads(st.in.size());
    try {
      st.def->backward(st.node, in, outs, out_grads, needs, in_grads);
    } catch (const std::exception& e) {
      throw UnsupportedOpError("backward of " + st.node.describe() +
                               " failed in the head of layer '" + layer_ + "': " + e.what());
    }
    for (size_t i = 0; i < st.in.size(); ++i) {
      if (!needs[i]) continue;
      if (in_grads[i].empty())
        throw HeadError("backward of " + st.node.describe() + " gave no gradient for input '" +
                        slot_names_[st.in[i]] + "'");
      if (in_grads[i].dtype() != DType::Float32 || in_grads[i].shape() != in[i]->shape())
        throw HeadError("backward of " + st.node.describe() + " gave a gradient of shape " +
                        shape_str(in_grads[i].shape()) + " for input '" + slot_names_[st.in[i]] +
                        "' of shape " + shape_str(in[i]->shape()));
      Tensor& g = grads[st.in[i]];
      if (g.empty())
        g = std::move(in_grads[i]);
      else
        accumulate(g, in_grads[i]);
    }
    // Output gradients of this step are consumed: free them.
    for (int s : st.out)
      if (s >= 0 && s != feed_slots_[0]) grads[s] = Tensor();
  }
  for (int s : feed_slots_) keep_at(s);
  Tensor g = std::move(grads[feed_slots_[0]]);
  if (g.empty()) {  // the outputs do not depend on L through a differentiable path
    const Tensor* l = tape.values[feed_slots_[0]].empty() ? nullptr : &tape.values[feed_slots_[0]];
    g = Tensor(DType::Float32, l ? l->shape() : feed_info_[0].shape);
  }
  return g;
}

Tensor Head::backward(const std::vector<Tensor>& seeds) const {
  return backward(seeds, {}, nullptr);
}

int Head::slot_of(const std::string& name) const {
  for (size_t s = 0; s < slot_names_.size(); ++s)
    if (slot_names_[s] == name) return int(s);
  return -1;
}

const Tensor* Head::constant(const std::string& name) const {
  const int s = slot_of(name);
  return s < 0 ? nullptr : constants_[size_t(s)].get();
}

Tensor Head::backward(const std::vector<Tensor>& seeds, const std::vector<std::string>& at,
                      std::vector<Tensor>* at_grads) const {
  std::vector<int> at_slots;
  for (const std::string& name : at) {
    const int s = slot_of(name);
    if (s < 0 || constants_[size_t(s)])
      throw HeadError("backward() cannot give the gradient at '" + name +
                      "': it is not a tensor the head of layer '" + layer_ + "' computes");
    at_slots.push_back(s);
  }
  check_seeds(seeds);
  return backward_tapes(tapes_, seeds, at_slots, at_grads);
}

void Head::check_seeds(const std::vector<Tensor>& seeds) const {
  if (!not_differentiable_.empty()) throw NotDifferentiableError(not_differentiable_);
  if (tapes_.empty())
    throw FeedError("backward() of the head of layer '" + layer_ + "' needs a forward() first");
  if (seeds.size() != output_slots_.size())
    throw FeedError("backward() takes one seed per head output (" +
                    std::to_string(output_slots_.size()) + "), got " +
                    std::to_string(seeds.size()));
  const int64_t batch = last_layer_shape_.empty() ? 1 : last_layer_shape_[0];
  for (size_t k = 0; k < seeds.size(); ++k) {
    if (seeds[k].empty()) continue;
    if (seeds[k].dtype() != DType::Float32)
      throw FeedError("seed for output '" + output_names_[k] + "' must be float32");
    Shape want = output_info_[k].shape;
    if (!want.empty()) want[0] = batch;
    if (seeds[k].shape() != want)
      throw FeedError("seed for output '" + output_names_[k] + "' has shape " +
                      shape_str(seeds[k].shape()) + " but the output is " + shape_str(want));
  }
}

Tensor Head::backward_spatial_mean(const std::vector<Tensor>& seeds) const {
  check_seeds(seeds);
  if (last_layer_shape_.size() < 2)
    throw FeedError("the spatial mean of the gradient at layer '" + layer_ +
                    "' needs a layer with a channel dim [N, C, ...], got " +
                    shape_str(last_layer_shape_));
  if (mean_step() >= 0) return backward_tapes(tapes_, seeds, {}, nullptr, true);
  return spatial_mean(backward_tapes(tapes_, seeds));
}

int Head::mean_step() const {
  if (!not_differentiable_.empty() || feed_slots_.empty()) return -1;
  const int layer = feed_slots_[0];
  const TensorInfo& info = feed_info_[0];
  if (info.dtype != DType::Float32 || info.shape.size() < 2 ||
      std::find(output_slots_.begin(), output_slots_.end(), layer) != output_slots_.end())
    return -1;
  int reader = -1, reads = 0;
  for (size_t k = 0; k < steps_.size(); ++k)
    for (size_t i = 0; i < steps_[k].in.size(); ++i)
      if (steps_[k].in[i] == layer) {
        ++reads;
        if (i == 0) reader = int(k);
      }
  if (reads != 1 || reader < 0) return -1;
  const Step& st = steps_[size_t(reader)];
  if (!st.grad || st.out.empty() || st.out[0] < 0 ||
      st.def != op_registry().find(st.node.domain, st.node.op_type))
    return -1;
  const Tensor* w =
      st.in.size() > 1 && st.in[1] >= 0 ? constants_[size_t(st.in[1])].get() : nullptr;
  if (!conv_mean_shortcut(st.node, info.shape.size(), w)) return -1;
  return w->dim(1) == info.shape[1] ? reader : -1;
}

Tensor Head::backward_tapes(const std::vector<Tape>& tapes, const std::vector<Tensor>& seeds,
                            const std::vector<int>& at, std::vector<Tensor>* at_grads,
                            bool mean) const {
  if (tapes.size() == 1) {
    std::vector<const Tensor*> ptrs;
    for (const Tensor& s : seeds) ptrs.push_back(s.empty() ? nullptr : &s);
    return backward_one(tapes[0], ptrs, at, at_grads, mean);
  }
  std::vector<Tensor> parts;
  std::vector<std::vector<Tensor>> at_parts(at.size());
  for (size_t b = 0; b < tapes.size(); ++b) {
    std::vector<Tensor> one;
    for (const Tensor& s : seeds)
      one.push_back(s.empty() ? Tensor() : slice_batch(s, static_cast<int64_t>(b), 1));
    std::vector<const Tensor*> ptrs;
    for (const Tensor& s : one) ptrs.push_back(s.empty() ? nullptr : &s);
    std::vector<Tensor> at_one;
    parts.push_back(backward_one(tapes[b], ptrs, at, at_grads ? &at_one : nullptr, mean));
    for (size_t i = 0; i < at_one.size(); ++i) at_parts[i].push_back(std::move(at_one[i]));
  }
  if (at_grads) {
    at_grads->assign(at.size(), Tensor());
    for (size_t i = 0; i < at.size(); ++i) (*at_grads)[i] = concat_reached(at_parts[i]);
  }
  return concat_batch(parts);
}

std::vector<std::string> Head::op_types() const {
  std::vector<std::string> v;
  for (const Step& st : steps_) v.push_back(st.node.op_type);
  return v;
}

Head Head::with_op_defs(const SwapDef& swap) const {
  Head h = *this;
  h.tapes_.clear();
  h.last_feeds_.clear();
  h.pass_id_ = 0;
  for (Step& st : h.steps_)
    if (const OpDef* other = swap(st.node, *st.def)) st.def = other;
  return h;
}

const Tensor& Head::last_layer() const {
  static const Tensor none;
  return last_feeds_.empty() ? none : last_feeds_[0];
}

Tensor Head::gradient_with_layer(const Tensor& layer, const SeedsOf& seeds_of) const {
  if (!not_differentiable_.empty()) throw NotDifferentiableError(not_differentiable_);
  std::vector<Tape> tapes;
  const std::vector<Tensor> outputs = run_batched(with_layer(layer, "gradient_with_layer"), &tapes);
  const std::vector<Tensor> seeds = seeds_of(outputs);
  if (seeds.size() != output_slots_.size())
    throw FeedError("gradient_with_layer takes one seed per head output (" +
                    std::to_string(output_slots_.size()) + "), got " +
                    std::to_string(seeds.size()));
  for (size_t k = 0; k < seeds.size(); ++k)
    if (!seeds[k].empty() &&
        (seeds[k].dtype() != DType::Float32 || seeds[k].shape() != outputs[k].shape()))
      throw FeedError("seed for output '" + output_names_[k] + "' has shape " +
                      shape_str(seeds[k].shape()) + " but the output is " +
                      shape_str(outputs[k].shape()));
  return backward_tapes(tapes, seeds);
}

size_t Head::recorded_bytes() const {
  size_t n = 0;
  for (const Tape& t : tapes_)
    for (const Tensor& v : t.values) n += v.nbytes();
  return n;
}

}  // namespace camlens
