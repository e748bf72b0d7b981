# The control API's HTTP server and client over real sockets; the API's key casing.
add_executable(http_tests
  ${CMAKE_CURRENT_LIST_DIR}/http_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/control_json_case_test.cpp
  ${CMAKE_SOURCE_DIR}/daemon/control/json_case.cpp)
target_link_libraries(http_tests PRIVATE hlsfs_http nlohmann_json::nlohmann_json GTest::gtest_main)
gtest_discover_tests(http_tests PROPERTIES LABELS unit DISCOVERY_TIMEOUT 30)
