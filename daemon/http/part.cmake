# Control API server and its client (for hlsfsctl).
find_package(CURL REQUIRED)
# The server is Boost.Beast + Boost.Asio (header-only: libboost-dev).
find_package(Boost 1.74 REQUIRED)
add_library(hlsfs_http STATIC
  ${CMAKE_CURRENT_LIST_DIR}/http_server.cpp
  ${CMAKE_CURRENT_LIST_DIR}/http_client.cpp)
target_link_libraries(hlsfs_http
  PUBLIC Threads::Threads
  PRIVATE CURL::libcurl nlohmann_json::nlohmann_json Boost::headers)
