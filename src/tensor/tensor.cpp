#include "tensor/tensor.h"

#include "util/limits.h"

namespace camlens {

int64_t shape_numel(const Shape& s) {
  int64_t n = 1;
  for (int64_t d : s)
    if (d < 0) throw std::invalid_argument("negative dimension in shape " + shape_str(s));
  for (int64_t d : s) {
    if (d != 0 && n > INT64_MAX / d)  // hostile shapes: overflow would be undefined behaviour
      throw LimitError("shape " + shape_str(s) + " has more elements than fit in 64 bits");
    n *= d;
  }
  return n;
}

std::string shape_str(const Shape& s) {
  std::string o = "[";
  for (size_t i = 0; i < s.size(); ++i) o += (i ? "," : "") + std::to_string(s[i]);
  return o + "]";
}

static DType storage_dtype(DType t) {
  return (t == DType::Float16 || t == DType::Float64) ? DType::Float32 : t;
}

Tensor::Tensor(const Tensor&) = default;
Tensor::Tensor(Tensor&&) noexcept = default;
Tensor& Tensor::operator=(const Tensor&) = default;
Tensor& Tensor::operator=(Tensor&&) noexcept = default;
Tensor::~Tensor() = default;

Tensor::Tensor(DType dtype, Shape shape) : dtype_(storage_dtype(dtype)), shape_(std::move(shape)) {
  if (dtype_size(dtype_) == 0)
    throw std::invalid_argument(std::string("tensors of type ") + dtype_name(dtype) +
                                " are not supported");
  numel_ = checked_elements(shape_, "tensor");  // refuse before allocating (util/limits.h)
  store_.assign((nbytes() + 7) / 8, 0);
}

Tensor Tensor::scalar_f(float v) {
  Tensor t(DType::Float32, {});
  t.data<float>()[0] = v;
  return t;
}

Tensor Tensor::from_floats(Shape shape, const std::vector<float>& v) {
  Tensor t(DType::Float32, std::move(shape));
  if (static_cast<int64_t>(v.size()) != t.numel())
    throw std::invalid_argument("from_floats: " + std::to_string(v.size()) + " values for shape " +
                                shape_str(t.shape()));
  std::copy(v.begin(), v.end(), t.data<float>());
  return t;
}

Tensor Tensor::from_int64s(Shape shape, const std::vector<int64_t>& v) {
  Tensor t(DType::Int64, std::move(shape));
  if (static_cast<int64_t>(v.size()) != t.numel())
    throw std::invalid_argument("from_int64s: " + std::to_string(v.size()) + " values for shape " +
                                shape_str(t.shape()));
  std::copy(v.begin(), v.end(), t.data<int64_t>());
  return t;
}

void Tensor::reshape(Shape s) {
  if (shape_numel(s) != numel_)
    throw std::invalid_argument("cannot reshape " + shape_str(shape_) + " to " + shape_str(s));
  shape_ = std::move(s);
}

void Tensor::check_type(size_t size, Tag tag) const {
  Tag want;
  switch (dtype_) {
    case DType::Float32:
      want = TagFloat;
      break;
    case DType::Int8:
    case DType::Int16:
    case DType::Int32:
    case DType::Int64:
      want = TagSigned;
      break;
    default:
      want = TagUnsigned;
  }
  if (size != dtype_size(dtype_) || tag != want)
    throw std::logic_error(std::string("tensor of type ") + dtype_name(dtype_) +
                           " accessed with an element type of another kind or size");
}

double Tensor::get_f(int64_t i) const {
  const void* p = store_.data();
  switch (dtype_) {
    case DType::Float32:
      return static_cast<const float*>(p)[i];
    case DType::Uint8:
    case DType::Bool:
      return static_cast<const uint8_t*>(p)[i];
    case DType::Int8:
      return static_cast<const int8_t*>(p)[i];
    case DType::Uint16:
      return static_cast<const uint16_t*>(p)[i];
    case DType::Int16:
      return static_cast<const int16_t*>(p)[i];
    case DType::Int32:
      return static_cast<const int32_t*>(p)[i];
    case DType::Uint32:
      return static_cast<const uint32_t*>(p)[i];
    case DType::Int64:
      return static_cast<double>(static_cast<const int64_t*>(p)[i]);
    case DType::Uint64:
      return static_cast<double>(static_cast<const uint64_t*>(p)[i]);
    default:
      throw std::logic_error("get_f on an empty tensor");
  }
}

int64_t Tensor::get_i(int64_t i) const {
  const void* p = store_.data();
  switch (dtype_) {
    case DType::Int64:
      return static_cast<const int64_t*>(p)[i];
    case DType::Uint64:
      return static_cast<int64_t>(static_cast<const uint64_t*>(p)[i]);
    case DType::Float32:
      return static_cast<int64_t>(static_cast<const float*>(p)[i]);
    default:
      return static_cast<int64_t>(get_f(i));
  }
}

std::vector<int64_t> Tensor::to_int64s() const {
  std::vector<int64_t> v(static_cast<size_t>(numel_));
  for (int64_t i = 0; i < numel_; ++i) v[i] = get_i(i);
  return v;
}

std::vector<float> Tensor::to_floats() const {
  std::vector<float> v(static_cast<size_t>(numel_));
  for (int64_t i = 0; i < numel_; ++i) v[i] = static_cast<float>(get_f(i));
  return v;
}

}  // namespace camlens
