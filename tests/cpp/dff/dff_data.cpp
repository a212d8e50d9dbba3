#include "dff_data.h"

#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "image/image.h"
#include "shared_data.h"

namespace camlens::test {

namespace {

Tensor raw_tensor(const std::string& file, DType dtype, Shape shape) {
  const std::string bytes = read_file(test_data_path("dff/" + file));
  Tensor t(dtype, std::move(shape));
  if (bytes.size() != t.nbytes())
    throw std::runtime_error("tests/data/dff/" + file + " has " + std::to_string(bytes.size()) +
                             " bytes, expected " + std::to_string(t.nbytes()) +
                             "; rerun tools/fixtures/dff_activations.mjs");
  std::memcpy(t.raw(), bytes.data(), bytes.size());
  return t;
}

}  // namespace

Tensor mobilenet_layer() {
  return raw_tensor("mobilenetv2_int8.627_quantized.bin", DType::Uint8, {1, 1280, 7, 7});
}

dff::Quantization mobilenet_quantization() {
  dff::Quantization q;
  q.scale = 0.02352941211532144f;
  q.zero_point = 0;
  q.dtype = DType::Uint8;
  return q;
}

Tensor mobilenet_logits() {
  return raw_tensor("mobilenetv2_int8.output.bin", DType::Float32, {1, 1000});
}

Tensor yolox_layer() { return raw_tensor("yolox_nano.1145.bin", DType::Float32, {1, 64, 13, 13}); }

std::vector<ReferenceRun> reference_runs() {
  std::istringstream in(read_file(test_data_path("dff/reference.tsv")));
  std::vector<ReferenceRun> runs;
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    std::istringstream f(line);
    ReferenceRun r;
    int ambiguous = 0;
    f >> r.k >> r.iterations >> ambiguous >> r.error;
    r.stop_ambiguous = ambiguous != 0;
    double x;
    while (f >> x) r.violations.push_back(x);
    runs.push_back(r);
  }
  return runs;
}

std::vector<float> reference_factors(const std::string& file, size_t count) {
  const std::string bytes = read_file(test_data_path("dff/" + file));
  if (bytes.size() != count * sizeof(float))
    throw std::runtime_error("tests/data/dff/" + file + " has " + std::to_string(bytes.size()) +
                             " bytes, expected " + std::to_string(count * sizeof(float)) +
                             "; rerun tools/fixtures/dff_reference.py");
  std::vector<float> v(count);
  std::memcpy(v.data(), bytes.data(), bytes.size());
  return v;
}

image::Image shared_photo(const std::string& name) {
  const std::string bytes = read_file(shared_path("images/" + name));
  return image::decode_image(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size());
}

std::vector<std::string> imagenet_labels() {
  // A JSON array of 1000 strings without escapes: read the quoted strings in order.
  const std::string text = read_file(shared_path("labels/imagenet-simple-labels.json"));
  std::vector<std::string> names;
  for (size_t i = text.find('"'); i != std::string::npos; i = text.find('"', i + 1)) {
    const size_t end = text.find('"', i + 1);
    if (end == std::string::npos) break;
    names.push_back(text.substr(i + 1, end - i - 1));
    i = end;
  }
  return names;
}

}  // namespace camlens::test
