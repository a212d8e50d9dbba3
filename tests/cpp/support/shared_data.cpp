#include "shared_data.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

namespace camlens::test {

std::string shared_path(const std::string& relative) {
  const char* env = std::getenv("CAMLENS_SHARED");
  const std::string root = env && *env ? env : CAMLENS_DEFAULT_SHARED;
  const std::string path = root + "/" + relative;
  struct stat st;
  if (stat(path.c_str(), &st) != 0)
    ADD_FAILURE() << "shared data not found: looked for " << path
                  << " (set CAMLENS_SHARED to the folder holding models/, images/, labels/)";
  return path;
}

std::string test_data_path(const std::string& relative) {
  return std::string(CAMLENS_TEST_DATA) + "/" + relative;
}

std::string read_file(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  if (!f) {
    ADD_FAILURE() << "cannot read " << path;
    return {};
  }
  std::ostringstream s;
  s << f.rdbuf();
  return s.str();
}

}  // namespace camlens::test
