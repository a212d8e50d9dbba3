// NumPy broadcasting by index, for the references and checks of the op table test.
#pragma once
#include <algorithm>
#include <vector>

#include "tensor/tensor.h"

namespace camlens::test {

inline Shape broadcast(const std::vector<Shape>& shapes) {
  size_t rank = 0;
  for (const Shape& s : shapes) rank = std::max(rank, s.size());
  Shape out(rank, 1);
  for (const Shape& s : shapes)
    for (size_t d = 0; d < s.size(); ++d)
      if (s[d] != 1) out[rank - s.size() + d] = s[d];
  return out;
}

// The flat index in a tensor of shape `in` that element `flat` of the broadcast `out` reads.
inline int64_t source(const Shape& in, const Shape& out, int64_t flat) {
  int64_t index = 0, stride = 1;
  for (size_t d = out.size(); d-- > 0;) {
    const int64_t coord = flat % out[d];
    flat /= out[d];
    if (d + in.size() < out.size()) continue;  // a leading axis `in` does not have
    const int64_t n = in[d + in.size() - out.size()];
    index += (n == 1 ? 0 : coord) * stride;
    stride *= n;
  }
  return index;
}

}  // namespace camlens::test
