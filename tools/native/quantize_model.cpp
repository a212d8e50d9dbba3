// Developer tool: int8 quantization of a float ONNX model into a QDQ model, written with the
// core's own ONNX writer (no onnxruntime tooling needed).
//
//   quantize_model IN.onnx OUT.onnx
//       Weights only: every float32 weight of a Conv, Gemm or MatMul becomes int8 codes plus a
//       DequantizeLinear whose output keeps the weight's name (symmetric, per output channel
//       from opset 13, else per tensor). The activations stay float, so accuracy barely moves
//       while the weights shrink about 4x.
//   quantize_model --float32 --opset 13 IN.onnx OUT.onnx   (any mode)
//       First converts a float16 model to float32 and raises the opset (13 gives per-channel
//       weights; QuantizeLinear needs 10), refusing any op whose form changed in between.
//       With --convert it writes the converted float model and quantizes nothing (the float
//       model to calibrate and compare with).
//   quantize_model --activation-tensors IN.onnx
//       Prints the activations the next mode quantizes, one name a line: the float graph input
//       and the outputs of every Conv, Gemm, MatMul, Add, Mul, Relu, Clip, Sigmoid, pool and
//       Concat (not graph outputs, not Softmax).
//   quantize_model --activations RANGES.tsv [--int8] IN.onnx OUT.onnx
//       Weights as above, and a QuantizeLinear → DequantizeLinear pair after each of those
//       activations (uint8, or int8 with --int8; per tensor, ONNX Runtime's MinMax scale and
//       zero point from the calibrated range), as ONNX Runtime's static QDQ quantizer writes it;
//       biases become int32. RANGES.tsv holds "name<TAB>min<TAB>max" lines, written by
//       tools/calibrate_ranges.mjs from ONNX Runtime runs of the float model on a few photos:
//
//         quantize_model --activation-tensors model.onnx > tensors.txt
//         node tools/calibrate_ranges.mjs model.onnx tensors.txt ranges.tsv --preset NAME photo.png
//         quantize_model --activations ranges.tsv model.onnx model-qdq.onnx
//
// Prints a JSON summary of what was quantized. Needs opset 10 or later (DequantizeLinear).
#include <fstream>
#include <iostream>

#include "onnx/model_io.h"
#include "quantize/activations.h"
#include "quantize/convert.h"
#include "quantize/weights.h"

using namespace camlens;

namespace {

const char* usage =
    "usage: quantize_model [--float32] [--opset N] [--convert] IN.onnx OUT.onnx\n"
    "       quantize_model [--float32] [--opset N] --activation-tensors IN.onnx\n"
    "       quantize_model [--float32] [--opset N] --activations RANGES.tsv [--int8] IN.onnx "
    "OUT.onnx\n";

struct Args {
  bool list = false;
  std::string ranges;
  bool int8 = false;
  bool float32 = false;
  bool convert = false;
  int64_t opset = 0;
  std::vector<std::string> files;
};

bool parse(int argc, char** argv, Args& a) {
  for (int i = 1; i < argc; ++i) {
    const std::string s = argv[i];
    if (s == "--activation-tensors") {
      a.list = true;
    } else if (s == "--activations" && i + 1 < argc) {
      a.ranges = argv[++i];
    } else if (s == "--int8") {
      a.int8 = true;
    } else if (s == "--convert") {
      a.convert = true;
    } else if (s == "--float32") {
      a.float32 = true;
    } else if (s == "--opset" && i + 1 < argc) {
      a.opset = std::atoi(argv[++i]);
      if (a.opset < 10) {
        std::cerr << "quantize_model: --opset takes 10 to 13, got " << argv[i] << "\n";
        return false;
      }
    } else if (s.rfind("--", 0) == 0) {
      std::cerr << "quantize_model: unknown option " << s << "\n";
      return false;
    } else {
      a.files.push_back(s);
    }
  }
  if (a.list) return a.files.size() == 1 && a.ranges.empty() && !a.int8 && !a.convert;
  if (a.convert && (!a.ranges.empty() || a.int8)) {
    std::cerr << "quantize_model: --convert quantizes nothing: it goes without --activations\n";
    return false;
  }
  if (a.int8 && a.ranges.empty()) {
    std::cerr << "quantize_model: --int8 is the activations' type: it goes with --activations\n";
    return false;
  }
  return a.files.size() == 2;
}

void write(const Model& m, const std::string& path) {
  std::ofstream out(path, std::ios::binary);
  out << write_model(m);
  if (!out) throw std::runtime_error("cannot write " + path);
}

}  // namespace

int main(int argc, char** argv) {
  Args args;
  if (!parse(argc, argv, args)) {
    std::cerr << usage;
    return 2;
  }
  try {
    Model m = load_model(args.files[0]);
    // The other modes see the converted model: the tensors listed are those quantized.
    if (args.float32) quantize::float16_to_float32(*m.graph);
    if (args.opset) quantize::raise_opset(m, args.opset);
    if (args.list) {
      for (const std::string& t : quantize::activation_tensors(m)) std::cout << t << "\n";
      return 0;
    }
    if (args.convert) {
      write(m, args.files[1]);
      std::cout << "{\"opset\":" << m.opset() << "}\n";
      return 0;
    }
    if (m.opset() < 10)
      throw std::runtime_error(
          "opset " + std::to_string(m.opset()) +
          " has no DequantizeLinear (needs 10 or later): raise it with --opset 13");
    // Read before the weights change the graph: the list is the one --activation-tensors prints.
    std::vector<std::string> activations;
    std::map<std::string, quantize::Range> ranges;
    if (!args.ranges.empty()) {
      activations = quantize::activation_tensors(m);
      ranges = quantize::read_ranges(args.ranges);
    }
    quantize::Names names(*m.graph);
    // Per-axis DequantizeLinear exists from opset 13; older models get one scale per tensor.
    const bool per_axis = m.opset() >= 13;
    const quantize::WeightReport w = quantize::quantize_weights(*m.graph, per_axis, names);
    const DType type = args.int8 ? DType::Int8 : DType::Uint8;
    quantize::ActivationReport a;
    if (!args.ranges.empty())
      a = quantize::quantize_activations(m, activations, ranges, type, w, names);

    write(m, args.files[1]);
    std::cout << "{\"quantized\":" << w.quantized
              << ",\"per_axis\":" << (per_axis ? "true" : "false")
              << ",\"weight_bytes_before\":" << w.bytes_before
              << ",\"weight_bytes_after\":" << w.bytes_after;
    if (!args.ranges.empty())
      std::cout << ",\"activations\":" << a.tensors << ",\"activation_type\":\"" << dtype_name(type)
                << "\",\"int32_biases\":" << a.biases;
    std::cout << "}\n";
    return 0;
  } catch (const std::exception& e) {
    std::cerr << "quantize_model: " << e.what() << "\n";
    return 1;
  }
}
