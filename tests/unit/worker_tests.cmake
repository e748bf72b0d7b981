# Worker processes: the channel, the quarantine, and the pool driving the
# real hlsfs-worker through every fault (by fail point) on a real clip.
add_executable(worker_tests worker_test.cpp)
target_link_libraries(worker_tests PRIVATE hlsfs_worker GTest::gtest_main)
add_dependencies(worker_tests hlsfs-worker)
gtest_discover_tests(worker_tests PROPERTIES LABELS unit DISCOVERY_TIMEOUT 30)
