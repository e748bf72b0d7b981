# Storage backends on the daemon's side: loading plugins (backend.cpp), block
# reads with read-ahead (backend_reader.cpp), sources as AVIOContexts
# (backend_source.cpp). A library of its own so that hlsfsctl, which only
# writes local files, does not link dl and the plugin loader.
add_library(hlsfs_backend STATIC
  ${CMAKE_CURRENT_LIST_DIR}/backend.cpp
  ${CMAKE_CURRENT_LIST_DIR}/backend_reader.cpp
  ${CMAKE_CURRENT_LIST_DIR}/backend_source.cpp)
target_link_libraries(hlsfs_backend PUBLIC hlsfs_media hlsfs_metrics PkgConfig::LIBAV Threads::Threads ${CMAKE_DL_LIBS})
