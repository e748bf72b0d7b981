# Scrubbing thumbnails: tile layout, WebVTT track, the track in a generate
# (pure), the catalog's name for a sprite sheet, the YAML keys.
add_executable(thumbnails_tests thumbnails_test.cpp)
target_link_libraries(thumbnails_tests PRIVATE hlsfs_playlist hlsfs_config GTest::gtest_main)
gtest_discover_tests(thumbnails_tests PROPERTIES LABELS unit)
