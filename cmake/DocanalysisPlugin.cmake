# docanalysis_add_plugin(<name>
#     SOURCES <files...>
#     MANIFEST <plugin.json>
#     [DATA <files or folders...>]
#     [LIBRARIES <targets...>])
#
# Builds plugin <name> as a shared module with hidden visibility against plugins/sdk only, and
# stages it as a ready plugin folder at ${DOCANALYSIS_PLUGIN_STAGING_DIR}/<name>/:
#   lib<name>.so, its data files, and plugin.json (copied last, so a watching server never sees a
#   manifest next to a half-written library).
function(docanalysis_add_plugin name)
  cmake_parse_arguments(ARG "" "MANIFEST" "SOURCES;DATA;LIBRARIES" ${ARGN})
  set(target docanalysis_plugin_${name})
  add_library(${target} MODULE ${ARG_SOURCES})
  target_link_libraries(${target} PRIVATE docanalysis::plugin_sdk ${ARG_LIBRARIES})
  set_target_properties(${target} PROPERTIES
    OUTPUT_NAME ${name}
    PREFIX "lib"
    CXX_VISIBILITY_PRESET hidden
    VISIBILITY_INLINES_HIDDEN ON
    LIBRARY_OUTPUT_DIRECTORY ${DOCANALYSIS_PLUGIN_STAGING_DIR}/${name})
  target_compile_options(${target} PRIVATE ${DOCANALYSIS_WARNINGS})
  if(NOT APPLE)
    # Export the entry point alone: hidden visibility leaves out the plugin's own symbols, and the version
    # script also the template instantiations of the standard library that would otherwise be exported.
    set(map ${CMAKE_BINARY_DIR}/docanalysis_plugin_exports.map)
    if(NOT EXISTS ${map})
      file(WRITE ${map} "{ global: docanalysis_plugin_get_api; local: *; };\n")
    endif()
    target_link_options(${target} PRIVATE -Wl,--version-script=${map})
    set_property(TARGET ${target} APPEND PROPERTY LINK_DEPENDS ${map})
  endif()
  # Every symbol resolved at link time (sanitizer runtimes live in the executable, so not there).
  if(NOT APPLE AND DOCANALYSIS_SANITIZE STREQUAL "" AND NOT DOCANALYSIS_FUZZ)
    target_link_options(${target} PRIVATE -Wl,--no-undefined)
  endif()
  set(stage ${DOCANALYSIS_PLUGIN_STAGING_DIR}/${name})
  foreach(d IN LISTS ARG_DATA)
    get_filename_component(abs ${d} ABSOLUTE)
    if(IS_DIRECTORY ${abs})
      add_custom_command(TARGET ${target} POST_BUILD
        COMMAND ${CMAKE_COMMAND} -E copy_directory ${abs} ${stage}/data VERBATIM)
    else()
      add_custom_command(TARGET ${target} POST_BUILD
        COMMAND ${CMAKE_COMMAND} -E copy_if_different ${abs} ${stage}/ VERBATIM)
    endif()
  endforeach()
  get_filename_component(manifest ${ARG_MANIFEST} ABSOLUTE)
  add_custom_command(TARGET ${target} POST_BUILD
    COMMAND ${CMAKE_COMMAND} -E copy_if_different ${manifest} ${stage}/plugin.json VERBATIM)
  set_property(TARGET ${target} APPEND PROPERTY LINK_DEPENDS ${manifest})
endfunction()
