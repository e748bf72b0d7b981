# The shared helpers of common/ (include/hlsfs): percent-decoding, base64,
# mount path joining.
add_executable(common_tests common_test.cpp)
target_link_libraries(common_tests PRIVATE hlsfs_common GTest::gtest_main)
gtest_discover_tests(common_tests PROPERTIES LABELS unit)
