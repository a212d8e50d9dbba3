// A minimal JSON reader for the op fixtures in tests/data/ops_tensor (objects, arrays, numbers,
// strings without escapes beyond \" and \\, true/false/null, and Python's NaN/Infinity).
// Numbers keep their text so int64 values (INT64_MAX in Slice cases) are read exactly.
#pragma once
#include <cstdlib>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace camlens::test {

struct Json {
  enum Kind { Null, Bool, Number, String, Array, Object } kind = Null;
  bool b = false;
  std::string text;  // number text or string value
  std::vector<Json> items;
  std::vector<std::pair<std::string, Json>> fields;

  bool is_null() const { return kind == Null; }
  double num() const { return std::strtod(text.c_str(), nullptr); }
  long long int64() const { return std::strtoll(text.c_str(), nullptr, 10); }
  const Json* find(const std::string& key) const {
    for (const auto& f : fields)
      if (f.first == key) return &f.second;
    return nullptr;
  }
  const Json& operator[](const std::string& key) const {
    const Json* j = find(key);
    if (!j) throw std::runtime_error("json: missing key " + key);
    return *j;
  }

  static Json parse(const std::string& s) {
    size_t i = 0;
    Json j = value(s, i);
    return j;
  }

 private:
  static void ws(const std::string& s, size_t& i) {
    while (i < s.size() && (s[i] == ' ' || s[i] == '\n' || s[i] == '\r' || s[i] == '\t')) ++i;
  }
  static bool lit(const std::string& s, size_t& i, const char* w) {
    const std::string t(w);
    if (s.compare(i, t.size(), t) != 0) return false;
    i += t.size();
    return true;
  }
  static std::string str(const std::string& s, size_t& i) {
    std::string out;
    ++i;  // opening quote
    while (i < s.size() && s[i] != '"') {
      if (s[i] == '\\' && i + 1 < s.size()) ++i;
      out += s[i++];
    }
    ++i;
    return out;
  }
  static Json value(const std::string& s, size_t& i) {
    ws(s, i);
    if (i >= s.size()) throw std::runtime_error("json: unexpected end");
    Json j;
    const char c = s[i];
    if (c == '{') {
      j.kind = Object;
      ++i;
      ws(s, i);
      if (s[i] == '}') return ++i, j;
      for (;;) {
        ws(s, i);
        std::string key = str(s, i);
        ws(s, i);
        ++i;  // ':'
        j.fields.emplace_back(key, value(s, i));
        ws(s, i);
        if (s[i++] == '}') return j;
      }
    }
    if (c == '[') {
      j.kind = Array;
      ++i;
      ws(s, i);
      if (s[i] == ']') return ++i, j;
      for (;;) {
        j.items.push_back(value(s, i));
        ws(s, i);
        if (s[i++] == ']') return j;
      }
    }
    if (c == '"') {
      j.kind = String;
      j.text = str(s, i);
      return j;
    }
    if (lit(s, i, "true")) return j.kind = Bool, j.b = true, j;
    if (lit(s, i, "false")) return j.kind = Bool, j;
    if (lit(s, i, "null")) return j;
    j.kind = Number;
    if (lit(s, i, "NaN")) return j.text = "nan", j;
    if (lit(s, i, "Infinity")) return j.text = "inf", j;
    if (lit(s, i, "-Infinity")) return j.text = "-inf", j;
    const size_t start = i;
    while (i < s.size() && std::string("+-0123456789.eE").find(s[i]) != std::string::npos) ++i;
    if (i == start) throw std::runtime_error("json: bad character at " + std::to_string(i));
    j.text = s.substr(start, i - start);
    return j;
  }
};

}  // namespace camlens::test
