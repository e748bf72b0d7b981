# The media core's FFmpeg-facing pieces that need no media files.
add_executable(media_tests formats_test.cpp codec_string_test.cpp)
target_link_libraries(media_tests PRIVATE hlsfs_media GTest::gtest_main)
gtest_discover_tests(media_tests PROPERTIES LABELS unit)
