# Many nodes, one bucket (issue 17): title records in the bucket (pure:
# serialization, verification, keys) and the finder that reads them.
add_library(hlsfs_cluster_records STATIC cluster/title_record.cpp cluster/keyframe_pack.cpp cluster/master_merge.cpp)
target_link_libraries(hlsfs_cluster_records PUBLIC hlsfs_playlist)

add_library(hlsfs_cluster STATIC cluster/bucket_title_finder.cpp cluster/shared_usage.cpp cluster/cluster_node.cpp
                                 cluster/master_raiser.cpp)
target_link_libraries(hlsfs_cluster PUBLIC hlsfs_cluster_records hlsfs_daemon_logic Threads::Threads)
