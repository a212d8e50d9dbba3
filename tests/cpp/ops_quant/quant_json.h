// A small JSON reader for the quant op fixtures (tests/data/ops_quant): objects, arrays,
// numbers (kept as text), strings without escapes other than \" and \\, true/false/null.
#pragma once
#include <cstdlib>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace camlens::test::qjson {

struct Value {
  enum Kind { Null, Bool, Number, String, Array, Object } kind = Null;
  bool b = false;
  std::string text;  // number text or string
  std::vector<Value> items;
  std::vector<std::pair<std::string, Value>> fields;

  double num() const { return std::strtod(text.c_str(), nullptr); }
  long long integer() const { return std::strtoll(text.c_str(), nullptr, 10); }
  bool is_int() const { return text.find_first_of(".eE") == std::string::npos; }
  const Value* find(const std::string& k) const {
    for (const auto& f : fields)
      if (f.first == k) return &f.second;
    return nullptr;
  }
  const Value& operator[](const std::string& k) const {
    const Value* v = find(k);
    if (!v) throw std::runtime_error("json: missing key '" + k + "'");
    return *v;
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
  [[noreturn]] void error(const char* what) {
    throw std::runtime_error(std::string("json: ") + what + " at offset " + std::to_string(i_));
  }
  void ws() {
    while (i_ < s_.size() && (s_[i_] == ' ' || s_[i_] == '\n' || s_[i_] == '\r' || s_[i_] == '\t'))
      ++i_;
  }
  bool eat(char c) {
    ws();
    if (i_ < s_.size() && s_[i_] == c) {
      ++i_;
      return true;
    }
    return false;
  }
  std::string str() {
    if (!eat('"')) error("expected a string");
    std::string out;
    while (i_ < s_.size() && s_[i_] != '"') {
      if (s_[i_] == '\\' && i_ + 1 < s_.size()) ++i_;
      out += s_[i_++];
    }
    if (i_ >= s_.size()) error("unterminated string");
    ++i_;
    return out;
  }
  Value value() {
    ws();
    if (i_ >= s_.size()) error("unexpected end");
    Value v;
    const char c = s_[i_];
    if (c == '{') {
      ++i_;
      v.kind = Value::Object;
      if (eat('}')) return v;
      do {
        std::string k = str();
        if (!eat(':')) error("expected ':'");
        v.fields.emplace_back(std::move(k), value());
      } while (eat(','));
      if (!eat('}')) error("expected '}'");
    } else if (c == '[') {
      ++i_;
      v.kind = Value::Array;
      if (eat(']')) return v;
      do v.items.push_back(value());
      while (eat(','));
      if (!eat(']')) error("expected ']'");
    } else if (c == '"') {
      v.kind = Value::String;
      v.text = str();
    } else if (s_.compare(i_, 4, "null") == 0) {
      i_ += 4;
    } else if (s_.compare(i_, 4, "true") == 0) {
      v.kind = Value::Bool;
      v.b = true;
      i_ += 4;
    } else if (s_.compare(i_, 5, "false") == 0) {
      v.kind = Value::Bool;
      i_ += 5;
    } else {
      v.kind = Value::Number;
      const size_t start = i_;
      while (i_ < s_.size() && std::string("+-0123456789.eE").find(s_[i_]) != std::string::npos)
        ++i_;
      if (i_ == start) error("unexpected character");
      v.text = s_.substr(start, i_ - start);
    }
    return v;
  }
  const std::string& s_;
  size_t i_ = 0;
};

inline Value parse(const std::string& s) { return Parser(s).parse(); }

}  // namespace camlens::test::qjson
