# Fragmented-MP4 output: request field, names, playlists, init segment, muxer.
add_executable(fmp4_tests fmp4_test.cpp fmp4_demuxed_audio_test.cpp)
target_link_libraries(fmp4_tests PRIVATE hlsfs_media GTest::gtest_main)
gtest_discover_tests(fmp4_tests PROPERTIES LABELS unit)
