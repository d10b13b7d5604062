# docanalysis_plugin(<name>
#     SOURCES <files...>
#     MANIFEST <plugin.json>
#     [DATA <files or folders...>]
#     [OUTPUT_DIR <dir>])
#
# Builds plugin <name> (C or C++) as a shared module with hidden visibility against
# docanalysis::plugin_sdk, and stages a ready plugin folder at OUTPUT_DIR (default
# ${CMAKE_BINARY_DIR}/<name>): lib<name>.so, the DATA files (a folder's contents are copied into the
# plugin folder), and plugin.json, copied last so that a watching server never sees a manifest beside
# a half-written library. Copy that folder into the server's --plugin_dir and it is live.
function(docanalysis_plugin name)
  cmake_parse_arguments(ARG "" "MANIFEST;OUTPUT_DIR" "SOURCES;DATA" ${ARGN})
  if(NOT ARG_MANIFEST)
    message(FATAL_ERROR "docanalysis_plugin(${name}): MANIFEST plugin.json is required")
  endif()
  if(NOT ARG_OUTPUT_DIR)
    set(ARG_OUTPUT_DIR ${CMAKE_BINARY_DIR}/${name})
  endif()
  add_library(${name} MODULE ${ARG_SOURCES})
  target_link_libraries(${name} PRIVATE docanalysis::plugin_sdk)
  set_target_properties(${name} PROPERTIES
    PREFIX "lib"
    C_VISIBILITY_PRESET hidden
    CXX_VISIBILITY_PRESET hidden
    VISIBILITY_INLINES_HIDDEN ON
    LIBRARY_OUTPUT_DIRECTORY ${ARG_OUTPUT_DIR})
  if(NOT APPLE)
    # Export the entry point alone: hidden visibility leaves out the plugin's own symbols, and the version
    # script also the template instantiations of the standard library that would otherwise be exported.
    set(map ${CMAKE_BINARY_DIR}/docanalysis_plugin_exports.map)
    if(NOT EXISTS ${map})
      file(WRITE ${map} "{ global: docanalysis_plugin_get_api; local: *; };\n")
    endif()
    target_link_options(${name} PRIVATE -Wl,--no-undefined -Wl,--version-script=${map})
    set_property(TARGET ${name} APPEND PROPERTY LINK_DEPENDS ${map})
  endif()
  foreach(d IN LISTS ARG_DATA)
    get_filename_component(abs ${d} ABSOLUTE)
    if(IS_DIRECTORY ${abs})
      add_custom_command(TARGET ${name} POST_BUILD
        COMMAND ${CMAKE_COMMAND} -E copy_directory ${abs} ${ARG_OUTPUT_DIR} VERBATIM)
    else()
      add_custom_command(TARGET ${name} POST_BUILD
        COMMAND ${CMAKE_COMMAND} -E copy_if_different ${abs} ${ARG_OUTPUT_DIR}/ VERBATIM)
    endif()
  endforeach()
  get_filename_component(manifest ${ARG_MANIFEST} ABSOLUTE)
  add_custom_command(TARGET ${name} POST_BUILD
    COMMAND ${CMAKE_COMMAND} -E copy_if_different ${manifest} ${ARG_OUTPUT_DIR}/plugin.json VERBATIM)
  set_property(TARGET ${name} APPEND PROPERTY LINK_DEPENDS ${manifest})
endfunction()
