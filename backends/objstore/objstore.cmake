# Shared code of the object-store plugins (s3, oss): HTTP over libcurl,
# retries, S3 XML replies (pugixml), the Signature V4 core and the plugin ABI glue.
# A static library compiled position-independent and with hidden
# visibility, linked into each plugin module: nothing of it is exported.
include_guard(GLOBAL)
find_package(CURL REQUIRED)
add_library(hlsfs_objstore STATIC
  ${CMAKE_CURRENT_LIST_DIR}/config.cpp
  ${CMAKE_CURRENT_LIST_DIR}/encode.cpp
  ${CMAKE_CURRENT_LIST_DIR}/http.cpp
  ${CMAKE_CURRENT_LIST_DIR}/keys.cpp
  ${CMAKE_CURRENT_LIST_DIR}/plugin.cpp
  ${CMAKE_CURRENT_LIST_DIR}/replies.cpp
  ${CMAKE_CURRENT_LIST_DIR}/request.cpp
  ${CMAKE_CURRENT_LIST_DIR}/retry.cpp
  ${CMAKE_CURRENT_LIST_DIR}/sigv4.cpp
  ${CMAKE_CURRENT_LIST_DIR}/store.cpp
  ${CMAKE_CURRENT_LIST_DIR}/timefmt.cpp
  ${CMAKE_CURRENT_LIST_DIR}/xml.cpp)
set_target_properties(hlsfs_objstore PROPERTIES
  POSITION_INDEPENDENT_CODE ON
  CXX_VISIBILITY_PRESET hidden
  VISIBILITY_INLINES_HIDDEN ON)
target_include_directories(hlsfs_objstore PUBLIC ${CMAKE_SOURCE_DIR} ${CMAKE_SOURCE_DIR}/include)
target_link_libraries(hlsfs_objstore PUBLIC hlsfs_common pugixml::pugixml CURL::libcurl OpenSSL::Crypto Threads::Threads)

# hlsfs_object_store_plugin(NAME SOURCES...): libhlsfs-backend-NAME.so in
# build/lib, exporting only hlsfs_backend_entry (exports.map), like the
# local plugin: its C++ internals must not clash with the daemon's or with
# another plugin's (both object-store plugins carry this library).
function(hlsfs_object_store_plugin name)
  add_library(hlsfs-backend-${name} MODULE ${ARGN})
  set_target_properties(hlsfs-backend-${name} PROPERTIES
    PREFIX "lib"
    OUTPUT_NAME hlsfs-backend-${name}
    LIBRARY_OUTPUT_DIRECTORY ${CMAKE_LIBRARY_OUTPUT_DIRECTORY}
    CXX_VISIBILITY_PRESET hidden
    VISIBILITY_INLINES_HIDDEN ON)
  target_link_libraries(hlsfs-backend-${name} PRIVATE hlsfs_objstore)
  target_link_options(hlsfs-backend-${name} PRIVATE
    -Wl,--version-script=${CMAKE_CURRENT_FUNCTION_LIST_DIR}/exports.map -Wl,--no-undefined)
  set_property(TARGET hlsfs-backend-${name} APPEND PROPERTY
    LINK_DEPENDS ${CMAKE_CURRENT_FUNCTION_LIST_DIR}/exports.map)
endfunction()
