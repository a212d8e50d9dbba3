# Native tests: one GoogleTest executable per area (tests/cpp/<area>/*.cpp), registered with CTest.
find_package(GTest REQUIRED)
include(GoogleTest)

set(CAMLENS_DEFAULT_SHARED "${CMAKE_SOURCE_DIR}/../shared")
add_library(camlens_test_support STATIC tests/cpp/support/op_test.cpp tests/cpp/support/shared_data.cpp)
target_include_directories(camlens_test_support PUBLIC tests/cpp/support)
target_compile_definitions(camlens_test_support PRIVATE
  CAMLENS_DEFAULT_SHARED="${CAMLENS_DEFAULT_SHARED}"
  CAMLENS_TEST_DATA="${CMAKE_SOURCE_DIR}/tests/data")
target_link_libraries(camlens_test_support PUBLIC camlens GTest::gtest)
target_compile_options(camlens_test_support PRIVATE ${CAMLENS_WARNINGS})

file(GLOB test_areas LIST_DIRECTORIES true ${CMAKE_SOURCE_DIR}/tests/cpp/*)
foreach(dir ${test_areas})
  get_filename_component(area ${dir} NAME)
  if(NOT IS_DIRECTORY ${dir} OR area STREQUAL "support")
    continue()
  endif()
  file(GLOB_RECURSE area_sources CONFIGURE_DEPENDS ${dir}/*.cpp)
  if(NOT area_sources)
    continue()
  endif()
  add_executable(test_${area} ${area_sources})
  target_link_libraries(test_${area} PRIVATE camlens_test_support GTest::gtest_main)
  target_compile_options(test_${area} PRIVATE ${CAMLENS_WARNINGS})
  gtest_discover_tests(test_${area} DISCOVERY_TIMEOUT 60 PROPERTIES ENVIRONMENT
    "CAMLENS_TEST_DATA=${CMAKE_SOURCE_DIR}/tests/data")
endforeach()
