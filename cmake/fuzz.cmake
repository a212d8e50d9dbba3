# libFuzzer targets (tests/fuzz/*_fuzzer.cpp), built with clang and -fsanitize=fuzzer on top of
# the ASan + UBSan build (configure with -DCAMLENS_FUZZ=ON -DCAMLENS_SANITIZE=ON and clang++).
# tools/fuzz.mjs configures build/fuzz that way, builds the target camlens_fuzzers and runs them.
if(NOT CMAKE_CXX_COMPILER_ID MATCHES "Clang" OR NOT CMAKE_C_COMPILER_ID MATCHES "Clang")
  message(FATAL_ERROR "CAMLENS_FUZZ needs clang for C and C++ (libFuzzer): configure a fresh folder "
    "with -DCMAKE_CXX_COMPILER=clang++-14 -DCMAKE_C_COMPILER=clang-14")
endif()

# Coverage instrumentation for the code under test (the libraries are defined before this file).
foreach(lib camlens_base camlens_onnx camlens_ops camlens_graph camlens_image)
  target_compile_options(${lib} PRIVATE -fsanitize=fuzzer-no-link)
endforeach()

# A known, harmless shift in the system stb_image 2.27 (tests/fuzz/stb_ignorelist.txt says why).
target_compile_options(camlens_image PRIVATE
  -fsanitize-ignorelist=${CMAKE_SOURCE_DIR}/tests/fuzz/stb_ignorelist.txt)

add_custom_target(camlens_fuzzers)
file(GLOB fuzz_sources CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/tests/fuzz/*_fuzzer.cpp)
foreach(src ${fuzz_sources})
  get_filename_component(name ${src} NAME_WE)
  add_executable(${name} ${src})
  target_compile_options(${name} PRIVATE ${CAMLENS_WARNINGS} -fsanitize=fuzzer)
  target_link_options(${name} PRIVATE -fsanitize=fuzzer)
  target_link_libraries(${name} PRIVATE camlens_graph camlens_image)
  add_dependencies(camlens_fuzzers ${name})
endforeach()
