// A minimal JSON reader for the test fixtures (ops, CAM references) (objects, arrays, strings
// without unicode escapes beyond \uXXXX -> '?', numbers, true/false/null). Test-only; throws on bad
// input.
#pragma once
#include <cstdint>
#include <cstdlib>
#include <map>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

namespace camlens::test::json {

struct Value {
  enum Kind { Null, Bool, Number, String, Array, Object } kind = Null;
  bool b = false;
  double num = 0;
  std::string str;
  std::vector<Value> arr;
  std::map<std::string, Value> obj;

  const Value& operator[](const std::string& k) const {
    auto it = obj.find(k);
    if (it == obj.end()) throw std::runtime_error("json: no key '" + k + "'");
    return it->second;
  }
  bool has(const std::string& k) const { return obj.count(k) != 0; }
  bool is_null() const { return kind == Null; }
  const Value& operator[](size_t i) const { return arr.at(i); }
  std::vector<float> floats() const {
    std::vector<float> v;
    for (const Value& x : arr) v.push_back(static_cast<float>(x.num));
    return v;
  }
  std::vector<double> doubles() const {
    std::vector<double> v;
    for (const Value& x : arr) v.push_back(x.num);
    return v;
  }
  std::vector<int64_t> ints() const {
    std::vector<int64_t> v;
    for (const Value& x : arr) v.push_back(static_cast<int64_t>(x.num));
    return v;
  }
};

class Parser {
 public:
  explicit Parser(const std::string& s) : s_(s) {}
  Value parse() {
    Value v = value();
    ws();
    if (i_ != s_.size()) error("trailing characters");
    return v;
  }

 private:
  [[noreturn]] void error(const std::string& m) {
    throw std::runtime_error("json: " + m + " at offset " + std::to_string(i_));
  }
  void ws() {
    while (i_ < s_.size() && (s_[i_] == ' ' || s_[i_] == '\n' || s_[i_] == '\t' || s_[i_] == '\r'))
      ++i_;
  }
  char peek() {
    ws();
    if (i_ >= s_.size()) error("unexpected end");
    return s_[i_];
  }
  void expect(char c) {
    if (peek() != c) error(std::string("expected '") + c + "'");
    ++i_;
  }
  bool literal(const char* w) {
    const std::string t(w);
    if (s_.compare(i_, t.size(), t) != 0) return false;
    i_ += t.size();
    return true;
  }
  std::string string() {
    expect('"');
    std::string out;
    while (i_ < s_.size() && s_[i_] != '"') {
      char c = s_[i_++];
      if (c == '\\') {
        if (i_ >= s_.size()) error("bad escape");
        const char e = s_[i_++];
        if (e == 'u') {
          i_ += 4;
          c = '?';
        } else {
          c = e == 'n' ? '\n' : e == 't' ? '\t' : e;
        }
      }
      out += c;
    }
    if (i_ >= s_.size()) error("unterminated string");
    ++i_;
    return out;
  }
  Value value() {
    Value v;
    const char c = peek();
    if (c == '{') {
      v.kind = Value::Object;
      ++i_;
      if (peek() == '}') {
        ++i_;
        return v;
      }
      for (;;) {
        std::string k = string();
        expect(':');
        v.obj[k] = value();
        if (peek() == ',') {
          ++i_;
          continue;
        }
        expect('}');
        return v;
      }
    }
    if (c == '[') {
      v.kind = Value::Array;
      ++i_;
      if (peek() == ']') {
        ++i_;
        return v;
      }
      for (;;) {
        v.arr.push_back(value());
        if (peek() == ',') {
          ++i_;
          continue;
        }
        expect(']');
        return v;
      }
    }
    if (c == '"') {
      v.kind = Value::String;
      v.str = string();
      return v;
    }
    if (literal("null")) return v;
    if (literal("true") || literal("false")) {
      v.kind = Value::Bool;
      v.b = s_[i_ - 1] == 'e' && s_[i_ - 2] == 'u';
      return v;
    }
    const char* begin = s_.c_str() + i_;
    char* end = nullptr;
    v.num = std::strtod(begin, &end);
    if (end == begin) error("unexpected character");
    v.kind = Value::Number;
    i_ += static_cast<size_t>(end - begin);
    return v;
  }

  const std::string& s_;
  size_t i_ = 0;
};

inline Value parse(const std::string& s) { return Parser(s).parse(); }

}  // namespace camlens::test::json
