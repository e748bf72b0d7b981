# Object-store plugins (s3, oss): signers against published vectors, XML
# replies, retry policy, configuration; no server needed (loopback sockets
# play broken and stalling servers).
add_executable(objstore_tests objstore_signer_test.cpp objstore_protocol_test.cpp objstore_stall_test.cpp)
target_link_libraries(objstore_tests PRIVATE hlsfs_s3_core hlsfs_oss_core GTest::gtest_main)
gtest_discover_tests(objstore_tests PROPERTIES LABELS unit)
# The plugins through Backend::load against a live S3 server (moto): run by
# tests/integration/s3_backend.sh, which sets HLSFS_S3_ENDPOINT and the keys;
# every test skips without them.
add_executable(objstore_live_tests objstore_live_test.cpp)
target_link_libraries(objstore_live_tests PRIVATE hlsfs_backend GTest::gtest_main)
add_dependencies(objstore_live_tests hlsfs-backend-s3 hlsfs-backend-oss)
target_compile_definitions(objstore_live_tests PRIVATE HLSFS_TEST_PLUGIN_DIR="${CMAKE_LIBRARY_OUTPUT_DIRECTORY}")
