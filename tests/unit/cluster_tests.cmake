# Many nodes, one bucket (actors/cluster/): title records (serialization,
# verification, keys) alone; two nodes sharing a store through the real
# local plugin (records adopted and cached, copies' uses shared for expiry).
add_executable(cluster_tests
  ${CMAKE_CURRENT_LIST_DIR}/cluster_record_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/cluster_nodes_test.cpp)
target_link_libraries(cluster_tests PRIVATE hlsfs_cluster hlsfs_playlist_service GTest::gtest_main)
add_dependencies(cluster_tests hlsfs-backend-local)
target_compile_definitions(cluster_tests PRIVATE HLSFS_TEST_PLUGIN_DIR="${CMAKE_LIBRARY_OUTPUT_DIRECTORY}")
gtest_discover_tests(cluster_tests PROPERTIES LABELS unit DISCOVERY_TIMEOUT 30
  ENVIRONMENT "HLSFS_PLUGIN_DIR=${CMAKE_LIBRARY_OUTPUT_DIRECTORY}")

# The operator's side: the front site of `nginx-site --cluster` and its
# example, the cluster keys, the metrics' node label.
add_executable(cluster_ops_tests ${CMAKE_CURRENT_LIST_DIR}/cluster_ops_test.cpp)
target_link_libraries(cluster_ops_tests PRIVATE hlsfs_signing hlsfs_config hlsfs_metrics GTest::gtest_main)
target_compile_definitions(cluster_ops_tests PRIVATE HLSFS_SOURCE_DIR="${CMAKE_SOURCE_DIR}")
gtest_discover_tests(cluster_ops_tests PROPERTIES LABELS unit)
