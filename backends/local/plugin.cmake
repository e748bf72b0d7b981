# The "local" storage backend: a directory tree as an object store.
# Built as a module (dlopen()ed by the daemon, never linked against).
add_library(hlsfs-backend-local MODULE
  ${CMAKE_CURRENT_LIST_DIR}/local_backend.cpp
  ${CMAKE_CURRENT_LIST_DIR}/beneath.cpp
  ${CMAKE_CURRENT_LIST_DIR}/keys.cpp)
set_target_properties(hlsfs-backend-local PROPERTIES
  PREFIX "lib"
  OUTPUT_NAME hlsfs-backend-local
  LIBRARY_OUTPUT_DIRECTORY ${CMAKE_LIBRARY_OUTPUT_DIRECTORY}
  # Only hlsfs_backend_entry is exported (see HLSFS_EXPORT): the plugin's C++
  # internals must not clash with the daemon's or another plugin's.
  CXX_VISIBILITY_PRESET hidden
  VISIBILITY_INLINES_HIDDEN ON)
target_include_directories(hlsfs-backend-local PRIVATE ${CMAKE_SOURCE_DIR}/include)
target_link_options(hlsfs-backend-local PRIVATE
  -Wl,--version-script=${CMAKE_CURRENT_LIST_DIR}/exports.map)
set_property(TARGET hlsfs-backend-local APPEND PROPERTY LINK_DEPENDS ${CMAKE_CURRENT_LIST_DIR}/exports.map)
