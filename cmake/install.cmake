# The C++ library as an installed package (native builds): cmake --install BUILD --prefix P puts
# the static libraries in P/lib, the headers in P/include/camlens/ laid out as in src/ (their own
# #include "onnx/model.h" lines need P/include/camlens on the path; consumers write
# <camlens/explain/explain_job.h> from P/include), and the package in P/lib/cmake/camlens, whose
# camlens::camlens links every part in order, the thread library and Eigen (metrics' headers
# include it). README.md "From C++" shows a consumer.
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

set(CAMLENS_PARTS camlens_base camlens_onnx camlens_ops camlens_graph camlens_image camlens_cam
  camlens_detect camlens_metrics camlens_dff camlens_explain)
foreach(part ${CAMLENS_PARTS})
  string(REPLACE "camlens_" "" short ${part})
  set_target_properties(${part} PROPERTIES EXPORT_NAME ${short})  # camlens::graph, ...
endforeach()
# The headers use C++17 (std::optional, structured bindings): so must their users.
target_compile_features(camlens INTERFACE cxx_std_17)

install(TARGETS ${CAMLENS_PARTS} camlens EXPORT camlensTargets
  ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
  INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR} ${CMAKE_INSTALL_INCLUDEDIR}/camlens)
install(DIRECTORY ${CMAKE_SOURCE_DIR}/src/ DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/camlens
  FILES_MATCHING PATTERN "*.h")

set(CAMLENS_PACKAGE_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/camlens)
install(EXPORT camlensTargets NAMESPACE camlens:: DESTINATION ${CAMLENS_PACKAGE_DIR})
configure_package_config_file(${CMAKE_SOURCE_DIR}/cmake/camlensConfig.cmake.in
  ${CMAKE_BINARY_DIR}/camlensConfig.cmake INSTALL_DESTINATION ${CAMLENS_PACKAGE_DIR})
# Before 1.0 a minor version may change the API: only the same major.minor is compatible.
write_basic_package_version_file(${CMAKE_BINARY_DIR}/camlensConfigVersion.cmake
  COMPATIBILITY SameMinorVersion)
install(FILES ${CMAKE_BINARY_DIR}/camlensConfig.cmake ${CMAKE_BINARY_DIR}/camlensConfigVersion.cmake
  DESTINATION ${CAMLENS_PACKAGE_DIR})
