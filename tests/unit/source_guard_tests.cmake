# Sources cannot reach beyond their store: the real local plugin, real clips
# made with the ffmpeg CLI, the daemon's own source opener.
add_executable(source_guard_tests source_guard_test.cpp)
target_link_libraries(source_guard_tests PRIVATE hlsfs_services GTest::gtest_main)
add_dependencies(source_guard_tests hlsfs-backend-local)
target_compile_definitions(source_guard_tests PRIVATE HLSFS_TEST_PLUGIN_DIR="${CMAKE_LIBRARY_OUTPUT_DIRECTORY}")
gtest_discover_tests(source_guard_tests PROPERTIES LABELS unit
  ENVIRONMENT "HLSFS_PLUGIN_DIR=${CMAKE_LIBRARY_OUTPUT_DIRECTORY}" DISCOVERY_TIMEOUT 30)
