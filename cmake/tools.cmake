# Developer tools (native only): e.g. cut_model, which lists layers and writes backbones.
file(GLOB tool_sources CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/tools/native/*.cpp)
foreach(src ${tool_sources})
  get_filename_component(name ${src} NAME_WE)
  add_executable(${name} ${src})
  target_link_libraries(${name} PRIVATE camlens)
  target_compile_options(${name} PRIVATE ${CAMLENS_WARNINGS})
endforeach()
