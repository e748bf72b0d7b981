# Passthrough renditions (Targets[].Video.Passthrough): the keyframe plan, the
# refusal rules, the request field and the rendition they make. Pure logic.
add_executable(passthrough_tests passthrough_test.cpp)
target_link_libraries(passthrough_tests PRIVATE hlsfs_playlist GTest::gtest_main)
gtest_discover_tests(passthrough_tests PROPERTIES LABELS unit)
