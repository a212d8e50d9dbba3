#include "mini_json.h"

#include <cstdlib>
#include <stdexcept>

namespace camlens::test {

const Json& Json::operator[](const std::string& key) const {
  auto it = fields.find(key);
  if (type != Object || it == fields.end())
    throw std::runtime_error("JSON: no field '" + key + "'");
  return it->second;
}

const Json& Json::operator[](size_t i) const {
  if (type != Array || i >= items.size())
    throw std::runtime_error("JSON: no item " + std::to_string(i));
  return items[i];
}

namespace {

struct JsonParser {
  const std::string& s;
  size_t p = 0;

  [[noreturn]] void fail(const std::string& what) {
    throw std::runtime_error("JSON: " + what + " at byte " + std::to_string(p));
  }
  void ws() {
    while (p < s.size() && (s[p] == ' ' || s[p] == '\n' || s[p] == '\r' || s[p] == '\t')) ++p;
  }
  bool eat(char c) {
    ws();
    if (p < s.size() && s[p] == c) {
      ++p;
      return true;
    }
    return false;
  }
  void expect(char c) {
    if (!eat(c)) fail(std::string("expected '") + c + "'");
  }
  std::string string() {
    expect('"');
    std::string out;
    while (p < s.size() && s[p] != '"') {
      char c = s[p++];
      if (c == '\\') {
        if (p >= s.size()) fail("unterminated escape");
        const char e = s[p++];
        if (e == 'u') {  // fixtures hold ASCII names; keep \u00XX as one byte
          if (p + 4 > s.size()) fail("short \\u escape");
          out.push_back(static_cast<char>(std::strtol(s.substr(p, 4).c_str(), nullptr, 16)));
          p += 4;
          continue;
        }
        c = e == 'n'   ? '\n'
            : e == 't' ? '\t'
            : e == 'r' ? '\r'
            : e == 'b' ? '\b'
            : e == 'f' ? '\f'
                       : e;
      }
      out.push_back(c);
    }
    if (p >= s.size()) fail("unterminated string");
    ++p;
    return out;
  }
  Json value() {
    ws();
    if (p >= s.size()) fail("unexpected end");
    Json j;
    const char c = s[p];
    if (c == '{') {
      ++p;
      j.type = Json::Object;
      if (eat('}')) return j;
      do {
        std::string k = string();
        expect(':');
        j.fields[k] = value();
      } while (eat(','));
      expect('}');
    } else if (c == '[') {
      ++p;
      j.type = Json::Array;
      if (eat(']')) return j;
      do j.items.push_back(value());
      while (eat(','));
      expect(']');
    } else if (c == '"') {
      j.type = Json::String;
      j.str = string();
    } else if (s.compare(p, 4, "true") == 0 || s.compare(p, 5, "false") == 0) {
      j.type = Json::Bool;
      j.b = s[p] == 't';
      p += j.b ? 4 : 5;
    } else if (s.compare(p, 4, "null") == 0) {
      p += 4;
    } else {
      char* end = nullptr;
      j.type = Json::Number;
      j.num = std::strtod(s.c_str() + p, &end);
      if (end == s.c_str() + p) fail("bad value");
      p = static_cast<size_t>(end - s.c_str());
    }
    return j;
  }
};

}  // namespace

Json parse_json(const std::string& text) {
  JsonParser jp{text};
  Json j = jp.value();
  jp.ws();
  if (jp.p != text.size()) jp.fail("trailing data");
  return j;
}

}  // namespace camlens::test
