# Control API server, its client (for hlsfsctl) and the metrics registry.
find_package(CURL REQUIRED)
add_library(hlsfs_http STATIC
  ${CMAKE_CURRENT_LIST_DIR}/http_server.cpp
  ${CMAKE_CURRENT_LIST_DIR}/http_client.cpp
  ${CMAKE_CURRENT_LIST_DIR}/metrics.cpp)
target_link_libraries(hlsfs_http
  PUBLIC Threads::Threads
  PRIVATE CURL::libcurl nlohmann_json::nlohmann_json)
