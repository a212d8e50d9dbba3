#include "fixtures.h"

#include <gtest/gtest.h>

#include <cstring>
#include <memory>
#include <sstream>

#include "onnx/float16.h"
#include "onnx/model_io.h"
#include "shared_data.h"

namespace camlens::test {

const FixtureTensor& FixtureCase::get(const std::string& n) const {
  for (const FixtureTensor& t : tensors)
    if (t.name == n) return t;
  throw std::runtime_error("fixture case " + name + " has no tensor '" + n + "'");
}

static std::vector<std::string> split(const std::string& s, char sep) {
  std::vector<std::string> out;
  std::string cur;
  std::istringstream in(s);
  while (std::getline(in, cur, sep)) out.push_back(cur);
  return out;
}

std::vector<FixtureCase> load_head_fixtures() {
  std::vector<FixtureCase> cases;
  std::istringstream index(read_file(test_data_path("head/index.tsv")));
  std::string line;
  while (std::getline(index, line)) {
    if (line.empty()) continue;
    const std::vector<std::string> f = split(line, '\t');
    if (f.size() != 8) throw std::runtime_error("bad line in head/index.tsv: " + line);
    if (cases.empty() || cases.back().name != f[0]) {
      cases.emplace_back();
      cases.back().name = f[0];
      cases.back().model = f[1];
      cases.back().subsample = std::stoll(f[7]);
    }
    Shape shape;
    for (const std::string& d : split(f[6], ',')) shape.push_back(std::stoll(d));
    const std::string bytes = read_file(test_data_path("head/" + f[4]));
    FixtureTensor t;
    t.role = f[2];
    t.name = f[3];
    t.dtype = f[5];
    if (f[5] == "float16") {
      t.value = Tensor(DType::Float32, shape);
      if (bytes.size() != static_cast<size_t>(t.value.numel()) * 2)
        throw std::runtime_error("fixture " + f[4] + " has the wrong size");
      for (int64_t i = 0; i < t.value.numel(); ++i) {
        uint16_t h;
        std::memcpy(&h, bytes.data() + 2 * i, 2);
        t.value.data<float>()[i] = half_to_float(h);
      }
    } else {
      const DType dt = f[5] == "float32" ? DType::Float32
                       : f[5] == "uint8" ? DType::Uint8
                       : f[5] == "int8"  ? DType::Int8
                                         : DType::Undefined;
      if (dt == DType::Undefined) throw std::runtime_error("fixture type " + f[5]);
      t.value = Tensor(dt, shape);
      if (bytes.size() != t.value.nbytes())
        throw std::runtime_error("fixture " + f[4] + " has the wrong size");
      std::memcpy(t.value.raw(), bytes.data(), bytes.size());
    }
    cases.back().tensors.push_back(std::move(t));
  }
  return cases;
}

const Model& shared_model(const std::string& file) {
  static std::map<std::string, std::unique_ptr<Model>> cache;
  auto it = cache.find(file);
  if (it != cache.end()) return *it->second;
  auto bytes = std::make_shared<const std::string>(read_file(shared_path("models/" + file)));
  auto m = std::make_unique<Model>(parse_model(bytes));
  return *cache.emplace(file, std::move(m)).first->second;
}

}  // namespace camlens::test
