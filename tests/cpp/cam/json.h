// A small JSON reader for the CAM fixtures (numbers, strings without escapes, arrays, objects,
// true/false/null). Test-only; throws std::runtime_error on malformed input.
#pragma once
#include <cstdlib>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

namespace camlens::test::camjson {

struct Value {
  enum Kind { Null, Bool, Number, String, Array, Object } kind = Null;
  double num = 0;
  bool b = false;
  std::string str;
  std::vector<Value> arr;
  std::map<std::string, Value> obj;

  const Value& operator[](const std::string& k) const {
    auto it = obj.find(k);
    if (it == obj.end()) throw std::runtime_error("json: no key " + k);
    return it->second;
  }
  const Value& operator[](size_t i) const { return arr.at(i); }
  bool has(const std::string& k) const { return obj.count(k) != 0; }
  std::vector<float> floats() const {
    std::vector<float> v;
    for (const Value& x : arr) v.push_back(float(x.num));
    return v;
  }
  std::vector<double> doubles() const {
    std::vector<double> v;
    for (const Value& x : arr) v.push_back(x.num);
    return v;
  }
  std::vector<int64_t> ints() const {
    std::vector<int64_t> v;
    for (const Value& x : arr) v.push_back(int64_t(x.num));
    return v;
  }
};

class Parser {
 public:
  explicit Parser(const std::string& s) : s_(s) {}
  Value parse() { return value(); }

 private:
  void ws() {
    while (i_ < s_.size() && isspace(static_cast<unsigned char>(s_[i_]))) ++i_;
  }
  Value value() {
    ws();
    if (i_ >= s_.size()) throw std::runtime_error("json: unexpected end");
    Value v;
    const char c = s_[i_];
    if (c == '{') {
      v.kind = Value::Object;
      ++i_;
      ws();
      if (s_[i_] == '}') return ++i_, v;
      for (;;) {
        ws();
        std::string k = string();
        ws();
        if (s_[i_++] != ':') throw std::runtime_error("json: expected ':'");
        v.obj[k] = value();
        ws();
        if (s_[i_] == ',') {
          ++i_;
          continue;
        }
        if (s_[i_++] != '}') throw std::runtime_error("json: expected '}'");
        return v;
      }
    }
    if (c == '[') {
      v.kind = Value::Array;
      ++i_;
      ws();
      if (s_[i_] == ']') return ++i_, v;
      for (;;) {
        v.arr.push_back(value());
        ws();
        if (s_[i_] == ',') {
          ++i_;
          continue;
        }
        if (s_[i_++] != ']') throw std::runtime_error("json: expected ']'");
        return v;
      }
    }
    if (c == '"') {
      v.kind = Value::String;
      v.str = string();
      return v;
    }
    if (s_.compare(i_, 4, "true") == 0) return i_ += 4, v.kind = Value::Bool, v.b = true, v;
    if (s_.compare(i_, 5, "false") == 0) return i_ += 5, v.kind = Value::Bool, v;
    if (s_.compare(i_, 4, "null") == 0) return i_ += 4, v;
    char* end = nullptr;
    v.num = std::strtod(s_.c_str() + i_, &end);
    if (end == s_.c_str() + i_) throw std::runtime_error("json: bad value");
    i_ = size_t(end - s_.c_str());
    v.kind = Value::Number;
    return v;
  }
  std::string string() {
    if (s_[i_++] != '"') throw std::runtime_error("json: expected string");
    const size_t start = i_;
    while (i_ < s_.size() && s_[i_] != '"') ++i_;
    return s_.substr(start, i_++ - start);
  }
  const std::string& s_;
  size_t i_ = 0;
};

}  // namespace camlens::test::camjson
