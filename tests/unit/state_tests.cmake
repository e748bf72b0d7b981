# StateStore (RocksDB state) tests: real RocksDB in temporary directories.
add_executable(state_tests state_store_test.cpp)
target_link_libraries(state_tests PRIVATE hlsfs_state GTest::gtest_main)
gtest_discover_tests(state_tests PROPERTIES LABELS unit)
