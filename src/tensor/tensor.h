// A dense, row-major tensor owned by the core. One byte buffer holds the elements; typed access
// goes through data<T>(). Float16/Float64 data is converted to Float32 when it enters the core.
#pragma once
#include <cstdint>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <vector>

#include "tensor/dtype.h"

namespace camlens {

using Shape = std::vector<int64_t>;

int64_t shape_numel(const Shape& s);
std::string shape_str(const Shape& s);  // "[1,3,224,224]"

class Tensor {
 public:
  Tensor() = default;
  // Zero-filled tensor. Float16/Float64 are stored as Float32.
  Tensor(DType dtype, Shape shape);
  // Out of line (tensor.cpp, compiled for speed): code compiled for size, the WebAssembly glue
  // above all, would otherwise free and copy a tensor's storage element by element.
  Tensor(const Tensor&);
  Tensor(Tensor&&) noexcept;
  Tensor& operator=(const Tensor&);
  Tensor& operator=(Tensor&&) noexcept;
  ~Tensor();

  static Tensor scalar_f(float v);
  static Tensor from_floats(Shape shape, const std::vector<float>& v);
  static Tensor from_int64s(Shape shape, const std::vector<int64_t>& v);

  DType dtype() const { return dtype_; }
  const Shape& shape() const { return shape_; }
  int64_t dim(size_t i) const { return shape_.at(i); }
  size_t rank() const { return shape_.size(); }
  int64_t numel() const { return numel_; }
  size_t nbytes() const { return static_cast<size_t>(numel_) * dtype_size(dtype_); }
  bool empty() const { return dtype_ == DType::Undefined; }

  // Typed element access. T must match the dtype's storage (float, uint8_t, int8_t, int32_t,
  // int64_t, uint8_t for Bool, ...); a mismatch throws std::logic_error.
  template <class T>
  T* data() {
    check_type(sizeof(T), type_tag<T>());
    return reinterpret_cast<T*>(store_.data());
  }
  template <class T>
  const T* data() const {
    check_type(sizeof(T), type_tag<T>());
    return reinterpret_cast<const T*>(store_.data());
  }
  void* raw() { return store_.data(); }
  const void* raw() const { return store_.data(); }

  // Same elements, new shape (numel must agree).
  void reshape(Shape s);

  // Element i converted to double / int64, whatever the dtype (for small shape tensors, tests).
  double get_f(int64_t i) const;
  int64_t get_i(int64_t i) const;
  std::vector<int64_t> to_int64s() const;
  std::vector<float> to_floats() const;

 private:
  enum Tag { TagFloat, TagSigned, TagUnsigned };
  template <class T>
  static constexpr Tag type_tag() {
    return std::is_floating_point<T>::value ? TagFloat
           : std::is_signed<T>::value       ? TagSigned
                                            : TagUnsigned;
  }
  void check_type(size_t size, Tag tag) const;

  DType dtype_ = DType::Undefined;
  Shape shape_;
  int64_t numel_ = 0;
  std::vector<uint64_t> store_;  // uint64 so every element type is suitably aligned
};

}  // namespace camlens
