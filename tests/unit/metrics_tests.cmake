# The metrics registry, its Prometheus text and the process_* metrics (the
# metrics library alone), and the daemon's metric set with a real store plugin.
add_executable(metrics_tests
  ${CMAKE_CURRENT_LIST_DIR}/metrics_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/process_metrics_test.cpp)
target_link_libraries(metrics_tests PRIVATE hlsfs_metrics GTest::gtest_main)
gtest_discover_tests(metrics_tests PROPERTIES LABELS unit DISCOVERY_TIMEOUT 30)

add_executable(daemon_metrics_tests ${CMAKE_CURRENT_LIST_DIR}/daemon_metrics_test.cpp)
target_link_libraries(daemon_metrics_tests PRIVATE hlsfs_services GTest::gtest_main)
add_dependencies(daemon_metrics_tests hlsfs-backend-local)
target_compile_definitions(daemon_metrics_tests PRIVATE HLSFS_TEST_PLUGIN_DIR="${CMAKE_LIBRARY_OUTPUT_DIRECTORY}")
gtest_discover_tests(daemon_metrics_tests PROPERTIES LABELS unit DISCOVERY_TIMEOUT 30
  ENVIRONMENT "HLSFS_PLUGIN_DIR=${CMAKE_LIBRARY_OUTPUT_DIRECTORY}")
