# Storage layer: the real local plugin through dlopen, real temp directories,
# real media made with the ffmpeg CLI (or $HLSFS_FIXTURES when set).
add_executable(storage_tests
  local_backend_test.cpp
  backend_reader_test.cpp
  backend_source_test.cpp)
target_link_libraries(storage_tests PRIVATE hlsfs_backend hlsfs_media GTest::gtest_main)
# The plugin is loaded at run time, so build it with the tests.
add_dependencies(storage_tests hlsfs-backend-local)
# Where to find the plugin, and where to keep the test clip made by ffmpeg
# (once per build tree: ctest runs every test in its own process).
target_compile_definitions(storage_tests PRIVATE
  HLSFS_TEST_PLUGIN_DIR="${CMAKE_LIBRARY_OUTPUT_DIRECTORY}"
  HLSFS_TEST_MEDIA_CACHE="${CMAKE_BINARY_DIR}/test-media")
include(GoogleTest)
gtest_discover_tests(storage_tests PROPERTIES LABELS unit
  ENVIRONMENT "HLSFS_PLUGIN_DIR=${CMAKE_LIBRARY_OUTPUT_DIRECTORY}"
  DISCOVERY_TIMEOUT 30)
