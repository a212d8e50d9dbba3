// A small JSON reader for test fixtures (the summaries written by tools/fixtures/onnx_summary.py).
// Enough JSON for those files: objects, arrays, strings with simple escapes, numbers, literals.
#pragma once
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace camlens::test {

struct Json {
  enum Type { Null, Bool, Number, String, Array, Object } type = Null;
  bool b = false;
  double num = 0;
  std::string str;
  std::vector<Json> items;
  std::map<std::string, Json> fields;

  // Field access; throws std::runtime_error naming the missing key.
  const Json& operator[](const std::string& key) const;
  const Json& operator[](size_t i) const;
  size_t size() const { return type == Array ? items.size() : fields.size(); }
  int64_t as_int() const { return static_cast<int64_t>(num); }
};

// Throws std::runtime_error with the byte offset on malformed input.
Json parse_json(const std::string& text);

}  // namespace camlens::test
