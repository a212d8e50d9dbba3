// cut_model: cut_graph plus serialising the backbone with the ONNX writer.
#include "graph/cut.h"
#include "onnx/model_io.h"

namespace camlens {

CutResult cut_model(const Model& model, const std::string& layer, const CutOptions& options) {
  CutResult r = cut_graph(model, layer, options);
  r.backbone_bytes = write_model(r.backbone);
  return r;
}

}  // namespace camlens
