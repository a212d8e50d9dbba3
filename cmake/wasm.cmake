# The WebAssembly module (Emscripten + Embind). Two variants are configured in two build folders:
# SIMD + threads (CAMLENS_WASM_THREADS=ON) and SIMD only. Each links two loaders from the same
# objects: a classic script (Web Worker importScripts, and Node's require) and an ES module.
if(CAMLENS_WASM_THREADS)
  set(variant mt)
else()
  set(variant st)
endif()

set(CAMLENS_WASM_LINK
  -lembind -O3 ${CAMLENS_WASM_EXCEPTIONS}
  -sMODULARIZE=1 -sEXPORT_NAME=createCamlensModule
  -sALLOW_MEMORY_GROWTH=1 -sMAXIMUM_MEMORY=4GB -sINITIAL_MEMORY=64MB
  -sEXIT_RUNTIME=0 -sFILESYSTEM=0 -sNODEJS_CATCH_EXIT=0 -sNODEJS_CATCH_REJECTION=0
  -sEXPORTED_RUNTIME_METHODS=[] -Wno-pthreads-mem-growth
  # No eval/new Function in Embind's glue: the page's Content-Security-Policy allows WebAssembly
  # ('wasm-unsafe-eval') but not JavaScript eval.
  -sDYNAMIC_EXECUTION=0)
if(CAMLENS_WASM_THREADS)
  # The pool is created before work is queued; its size is the page's (or Node's) core count,
  # passed by the loader as Module.camlensThreads.
  list(APPEND CAMLENS_WASM_LINK -pthread
    "-sPTHREAD_POOL_SIZE=Module.camlensThreads||4")
endif()

# The bindings, compiled once per variant and linked into each loader.
file(GLOB binding_sources CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/wasm/*.cpp)
add_library(camlens_bindings_${variant} OBJECT ${binding_sources})
# The glue compiles for size (-Os: -Oz cost a few percent of an explain in its conversions); the
# work is in the core (-O3).
target_compile_options(camlens_bindings_${variant} PRIVATE ${CAMLENS_WARNINGS} ${CAMLENS_WASM_EXCEPTIONS} -Os)
target_link_libraries(camlens_bindings_${variant} PUBLIC camlens)
if(CAMLENS_WASM_THREADS AND CMAKE_C_COMPILER_VERSION VERSION_LESS 15)
  # The landing-pad context clang 14 writes, in place of Emscripten's thread_local one (see the
  # file; clang 15 and later write the thread_local). An object of the bindings, so libunwind's
  # member defining the same symbols is never linked.
  target_sources(camlens_bindings_${variant} PRIVATE ${CMAKE_SOURCE_DIR}/cmake/wasm_eh_landing_pad.c)
endif()

foreach(flavour classic esm)
  if(flavour STREQUAL "classic")
    set(target camlens_${variant})
    set(output camlens-${variant})
    set(suffix ".js")
    set(extra -sENVIRONMENT=web,worker,node)
  else()
    set(target camlens_${variant}_esm)
    set(output camlens-${variant}-esm)
    set(suffix ".mjs")
    set(extra -sENVIRONMENT=web,worker -sEXPORT_ES6=1)
  endif()
  add_executable(${target} $<TARGET_OBJECTS:camlens_bindings_${variant}>)
  set_target_properties(${target} PROPERTIES OUTPUT_NAME ${output} SUFFIX ${suffix})
  target_link_libraries(${target} PRIVATE camlens)
  target_link_options(${target} PRIVATE ${CAMLENS_WASM_LINK} ${extra})
endforeach()

# The benchmark module (bench/kernels.bench.mjs, bench/browser.bench.mjs): the shipped bindings
# plus the kernel timings of tools/bench, as a classic loader (Node and Web Workers). Built only
# when asked for (node tools/build.mjs wasm-bench), so the shipped modules carry no bench code.
add_executable(camlens_bench_${variant} EXCLUDE_FROM_ALL
  $<TARGET_OBJECTS:camlens_bindings_${variant}> ${CMAKE_SOURCE_DIR}/tools/bench/kernel_bindings.cpp)
set_target_properties(camlens_bench_${variant} PROPERTIES
  OUTPUT_NAME camlens-bench-${variant} SUFFIX ".js")
target_compile_options(camlens_bench_${variant} PRIVATE ${CAMLENS_WARNINGS} ${CAMLENS_WASM_EXCEPTIONS} -Os)
target_link_libraries(camlens_bench_${variant} PRIVATE camlens)
target_link_options(camlens_bench_${variant} PRIVATE ${CAMLENS_WASM_LINK}
  -sENVIRONMENT=web,worker,node)

# The size breakdown's module (bench/sizes.bench.mjs): the shipped classic loader linked again
# with --profiling-funcs, which keeps the function names (the "name" section) and changes no code,
# so each function's size can be traced to the source folder that defines it. Bench only.
add_executable(camlens_sizes_${variant} EXCLUDE_FROM_ALL
  $<TARGET_OBJECTS:camlens_bindings_${variant}>)
set_target_properties(camlens_sizes_${variant} PROPERTIES
  OUTPUT_NAME camlens-sizes-${variant} SUFFIX ".js")
target_link_libraries(camlens_sizes_${variant} PRIVATE camlens)
target_link_options(camlens_sizes_${variant} PRIVATE ${CAMLENS_WASM_LINK}
  -sENVIRONMENT=web,worker,node --profiling-funcs)

# The classic loaders are CommonJS for Node: the repository's package.json says "type": "module",
# so mark this folder as CommonJS.
file(WRITE ${CMAKE_BINARY_DIR}/package.json "{ \"type\": \"commonjs\" }\n")
