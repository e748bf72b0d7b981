# WebVTT subtitle building blocks: the pure segment text and ASS cleanup, and
# cue extraction with FFmpeg from real files ($HLSFS_FIXTURES, made by
# ../shared/media/make-fixtures.sh; those tests skip when it is not set) and
# from files the tests write themselves.
add_executable(subtitles_tests subtitles_test.cpp)
target_link_libraries(subtitles_tests PRIVATE hlsfs_media GTest::gtest_main)
include(GoogleTest)
gtest_discover_tests(subtitles_tests PROPERTIES LABELS unit)
