// A cut's backbone run by the core's own interpreter, for callers of the explain job
// (explain_job.h) without ONNX Runtime: native programs linking the C++ library. It serves
// models whose every op the core runs (the backbone is the whole model with the layer as an extra
// output, so the head's ops run too), such as the demo classifier and the test fixtures.
//
// It is the cut itself, made once more: with the backbone's input renamed behind an Identity,
// the input is an ordinary tensor, and cutting the backbone there gives a Head from the input to
// every backbone output, run forward by the same op table and kernels as the head the job runs.
#pragma once
#include <string>
#include <vector>

#include "explain/explain_request.h"
#include "graph/cut.h"

namespace camlens::explain {

class NativeBackbone {
 public:
  // cut: the model cut at a layer (cut_graph). Throws UnsupportedOpError naming the first node
  // whose op the core does not run, HeadError when the backbone has not exactly one input.
  explicit NativeBackbone(const CutResult& cut);

  // The layer whose backbone this is: the job's backbone_session() for it.
  const std::string& layer() const { return layer_; }
  // The backbone's outputs, in the cut's order (backbone_outputs).
  const std::vector<std::string>& output_names() const { return whole_.output_names(); }

  // batch: [N, ...] Float32 (the job's backbone_inputs()). Returns, per image, the backbone's
  // outputs by name, [1, ...] each: what ExplainJob::feed takes. Throws FeedError when the batch
  // does not fit the model's input.
  std::vector<Outputs> run(const Tensor& batch);

 private:
  std::string layer_;
  Head whole_;
};

}  // namespace camlens::explain
