# Webhook notifications (actors/notify/): notices, signature, retry schedule,
# the request fields they carry; and object tags (actors/storage/object_tags).
add_executable(notify_tests notify_notices_test.cpp notify_signature_test.cpp object_tags_test.cpp)
target_link_libraries(notify_tests PRIVATE hlsfs_notify_logic hlsfs_storage GTest::gtest_main)
gtest_discover_tests(notify_tests PROPERTIES LABELS unit)

add_executable(notify_config_tests notify_config_test.cpp)
target_link_libraries(notify_config_tests PRIVATE hlsfs_config GTest::gtest_main)
gtest_discover_tests(notify_config_tests PROPERTIES LABELS unit)
