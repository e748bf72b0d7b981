# What operators rely on: journald priority prefixes and key=value fields in
# the log, systemd credentials in the configuration, the watchdog actor.
add_executable(ops_tests log_test.cpp credentials_test.cpp watchdog_test.cpp)
target_link_libraries(ops_tests PRIVATE hlsfs_watchdog hlsfs_config hlsfs_log GTest::gtest_main)
gtest_discover_tests(ops_tests PROPERTIES LABELS unit)
