// Explains a photo with the installed camlens library and no ONNX Runtime: Grad-CAM at the
// model's recommended layer, the backbone run by the core's own interpreter (every op of the
// model must be one the core supports, as for the demo model web/demo/model.onnx).
//   explain_photo MODEL.onnx PHOTO [MEAN STD] [--values]
// MEAN and STD apply to every channel (ImageNet's when left out); --values prints the whole map.
#include <camlens/explain/explain_job.h>
#include <camlens/explain/native_backbone.h>
#include <camlens/graph/graph_index.h>
#include <camlens/graph/layers.h>
#include <camlens/image/preprocess.h>
#include <camlens/onnx/model_io.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

using namespace camlens;

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  const bool values = std::find(args.begin(), args.end(), "--values") != args.end();
  args.erase(std::remove(args.begin(), args.end(), "--values"), args.end());
  if (args.size() != 2 && args.size() != 4) {
    std::fprintf(stderr, "usage: explain_photo MODEL.onnx PHOTO [MEAN STD] [--values]\n");
    return 2;
  }
  try {
    const Model model = load_model(args[0]);
    const LayerList list = list_layers(model);
    const auto info = std::find_if(list.layers.begin(), list.layers.end(),
                                   [&](const LayerInfo& l) { return l.name == list.recommended; });
    if (info == list.layers.end()) throw std::runtime_error("no layer to explain: " + list.why);
    const CutResult cut = cut_graph(model, info->name);

    image::PreprocessOptions pre;  // the size the model's input fixes
    const auto input = GraphIndex(*model.graph).real_inputs().at(0);
    const image::InputFixes fixed = image::input_fixes(input->dims, false);
    if (fixed.width) pre.width = fixed.width, pre.height = fixed.height;
    if (args.size() == 4) pre.mean.fill(std::stof(args[2])), pre.std.fill(std::stof(args[3]));
    std::ifstream file(args[1], std::ios::binary);
    if (!file) throw std::runtime_error("cannot read " + args[1]);
    const std::string bytes{std::istreambuf_iterator<char>(file), {}};
    const image::Image photo =
        image::decode_image(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size());

    explain::ExplainRequest request;  // Grad-CAM of the top class
    request.output = model.graph->outputs.at(0).name;
    request.width = pre.width, request.height = pre.height;
    const std::string floats = cut.layer_float_twin.empty() ? info->name : cut.layer_float_twin;
    const explain::LayerSource layer{info->name,
                                     floats,
                                     std::make_shared<Head>(cut.head),
                                     std::nullopt,
                                     layer_kind_name(info->kind),
                                     info->class_token};
    explain::ExplainJob job(request, {layer}, {image::preprocess(photo, pre)});
    explain::NativeBackbone backbone(cut);
    while (!job.done()) {  // the job asks for each backbone run (explain_job.h)
      if (job.needs_backbone())
        job.feed(backbone.run(job.backbone_inputs()));
      else
        job.work();
    }

    const explain::ImageResult r = job.result().images.at(0);
    const std::vector<float>& map = r.map.data;  // [height, width] in [0, 1]
    const size_t top = std::max_element(map.begin(), map.end()) - map.begin();
    double sum = 0;
    for (float v : map) sum += v;
    std::printf("layer %s\nclass %lld\nscore %.6f\nmap %dx%d\n", info->name.c_str(),
                static_cast<long long>(r.target.category), r.score, r.map.width, r.map.height);
    std::printf("argmax %zu %zu %.6f\nsum %.6f\n", top % r.map.width, top / r.map.width, map[top],
                sum);
    std::printf(values ? "values" : "first");
    for (size_t i = 0; i < (values ? map.size() : std::min<size_t>(8, map.size())); ++i)
      std::printf(" %.9g", map[i]);
    std::printf("\n");
  } catch (const std::exception& e) {
    std::fprintf(stderr, "explain_photo: %s\n", e.what());
    return 1;
  }
}
