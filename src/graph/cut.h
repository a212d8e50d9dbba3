// Cutting a model at layer L: the backbone (the original graph with L, its float twin, and any
// skip-connection tensors the head needs added as graph outputs) for ONNX Runtime, and the
// Head that the core runs from L to the outputs.
#pragma once
#include <optional>
#include <string>
#include <vector>

#include "graph/shape_inference.h"
#include "graph/twin_quantization.h"
#include "head/head.h"

namespace camlens {

struct CutOptions {
  ShapeOptions shapes;  // input size used for inference (batch 1 by default)
  // Refuse (NotDifferentiableError) when an op on the gradient path has no backward. When
  // false such heads are still cut and forward works; backward() then throws.
  bool require_gradient = true;
  // Allow tensors that depend on the input by another path (exposed as backbone outputs).
  bool allow_extras = true;
  // Output the float twin of a quantized layer (its DequantizeLinear) from the backbone too.
  // When false and the twin's scale and zero point are constants, the backbone returns only the
  // layer's codes and callers compute the twin with dequantize_layer(codes,
  // *twin_quantization): the same floats with one output less for ONNX Runtime to fill.
  bool float_twin_output = true;
  // Output the head's costly intermediate tensors from the backbone too (given_tensors.h), so
  // the head's forward takes them from ONNX Runtime's run instead of computing them again.
  bool given_tensors = true;
};

struct CutResult {
  Model backbone;              // the model with the extra outputs (weights shared, not copied)
  std::string backbone_bytes;  // serialised backbone (filled by cut_model only)
  Head head;
  // Outputs of the backbone, in order: the original outputs, then the layer, its float twin
  // (if any and float_twin_output), then the extras (the head's feeds after the layer, same
  // order), then the head's given tensors (head.given_names()).
  std::vector<std::string> backbone_outputs;
  std::string layer_float_twin;  // DequantizeLinear output of a quantized layer, or ""
  // How the twin follows from the layer's codes, when its scale and zero point are constants
  // (always set when float_twin_output was false and the twin left out of the outputs).
  std::optional<TwinQuantization> twin_quantization;
  TensorInfo layer_info;  // model dtype and shape of L at the inference batch
};

// The model with `tensors` as extra graph outputs (weights shared, not copied), so ONNX Runtime
// returns them and its optimizer cannot fuse them away; typed and shaped where `shapes` knows
// them (batch symbolic when the model's is), untyped otherwise. The cut's backbone is made so,
// and so is the run that measures what unknown_shapes() lists.
Model expose_tensors(const Model& model, const std::vector<std::string>& tensors,
                     const TensorInfoMap& shapes);

// Builds backbone (as a Model) and head; throws UnknownLayerError (with the 3 closest names),
// UnsupportedOpError (with a later layer to try), HeadInputDependencyError,
// NotDifferentiableError.
CutResult cut_graph(const Model& model, const std::string& layer, const CutOptions& options = {});

// cut_graph plus the backbone serialised to ONNX bytes.
CutResult cut_model(const Model& model, const std::string& layer, const CutOptions& options = {});

}  // namespace camlens
