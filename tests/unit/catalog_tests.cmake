# The paging catalog: its LRU, the index over a real RocksDB, directory
# pages, the FUSE adapter's inode table (lookup counts, forget), and the
# segment cache as the one owner of segment state (open, evict, list).
add_executable(catalog_tests catalog_test.cpp segment_owner_test.cpp)
target_link_libraries(catalog_tests PRIVATE hlsfs_fuse hlsfs_segment_cache GTest::gtest_main)
gtest_discover_tests(catalog_tests PROPERTIES LABELS unit)
