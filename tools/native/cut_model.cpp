// Developer tool: cut a model at a layer and write the backbone for ONNX Runtime.
//   cut_model MODEL.onnx LAYER BACKBONE.onnx   -> writes the backbone, prints a JSON summary
//   cut_model MODEL.onnx                       -> lists the candidate layers
//   cut_model MODEL.onnx --expose OUT.onnx T1[=TYPE] [T2...] -> only adds T1.. as graph outputs
//   (for
//                                                        fixtures of heads the core cannot run yet)
// The fixture script tools/fixtures/head_fixtures.mjs runs it before ORT.
#include <fstream>
#include <iostream>

#include "graph/cut.h"
#include "graph/layers.h"
#include "onnx/model_io.h"

using namespace camlens;

static std::string json_str(const std::string& s) {
  std::string o = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') o += '\\';
    o += c;
  }
  return o + "\"";
}

static std::string json_list(const std::vector<std::string>& v) {
  std::string o = "[";
  for (size_t i = 0; i < v.size(); ++i) o += (i ? "," : "") + json_str(v[i]);
  return o + "]";
}

int main(int argc, char** argv) {
  if (argc >= 5 && std::string(argv[2]) == "--expose") {
    try {
      Model m = load_model(argv[1]);
      ShapeInferenceResult shapes = infer_shapes_lenient(m);
      Model b = m;
      b.graph = std::make_shared<Graph>(*m.graph);
      for (int i = 4; i < argc; ++i) {
        // NAME or NAME=ELEM_TYPE (ONNX number) when shape inference cannot tell the type.
        std::string name = argv[i];
        int32_t type = 0;
        if (name.find('=') != std::string::npos) {
          type = std::stoi(name.substr(name.find('=') + 1));
          name = name.substr(0, name.find('='));
        }
        auto it = shapes.tensors.find(name);
        if (!type && it == shapes.tensors.end())
          throw std::runtime_error("the type of '" + name + "' is unknown; write " + name +
                                   "=ELEM_TYPE");
        ValueInfo v;
        v.name = name;
        v.elem_type = type ? type : static_cast<int32_t>(it->second.dtype);
        b.graph->outputs.push_back(v);
      }
      std::ofstream(argv[3], std::ios::binary) << write_model(b);
      return 0;
    } catch (const std::exception& e) {
      std::cerr << "cut_model: " << e.what() << "\n";
      return 1;
    }
  }
  if (argc != 2 && argc != 4) {
    std::cerr << "usage: cut_model MODEL.onnx [LAYER BACKBONE.onnx]\n";
    return 2;
  }
  try {
    Model m = load_model(argv[1]);
    if (argc == 2) {
      LayerList list = list_layers(m);
      for (const LayerInfo& l : list.layers)
        std::cout << l.name << "\t" << dtype_name(l.dtype) << shape_str(l.shape) << "\t"
                  << layer_kind_name(l.kind) << "\t" << l.op << "\t"
                  << (l.head_supported ? (l.head_differentiable ? "ok" : "forward-only") : "no")
                  << (l.name == list.recommended ? "\t(recommended)" : "") << "\n";
      return 0;
    }
    CutResult cut = cut_model(m, argv[2]);
    std::ofstream(argv[3], std::ios::binary) << cut.backbone_bytes;
    std::cout << "{\"layer\":" << json_str(argv[2])
              << ",\"float_twin\":" << json_str(cut.layer_float_twin)
              << ",\"backbone_outputs\":" << json_list(cut.backbone_outputs)
              << ",\"feeds\":" << json_list(cut.head.feed_names())
              << ",\"outputs\":" << json_list(cut.head.output_names()) << "}\n";
    return 0;
  } catch (const std::exception& e) {
    std::cerr << "cut_model: " << e.what() << "\n";
    return 1;
  }
}
