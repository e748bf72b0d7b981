# The probe on long sources: index, head and tail instead of every
# packet; and the seek a segment starts with. Media made with the ffmpeg CLI
# (a 10 s clip concatenated by stream copy), once per build tree.
add_executable(probe_tests probe_index_test.cpp)
target_link_libraries(probe_tests PRIVATE hlsfs_media GTest::gtest_main)
target_compile_definitions(probe_tests PRIVATE HLSFS_TEST_MEDIA_CACHE="${CMAKE_BINARY_DIR}/test-media")
gtest_discover_tests(probe_tests PROPERTIES LABELS unit DISCOVERY_TIMEOUT 30)
