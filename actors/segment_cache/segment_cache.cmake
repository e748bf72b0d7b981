# Persistent state of the daemon (RocksDB): segment_cache/state_store.*
find_package(RocksDB CONFIG QUIET)
if(TARGET RocksDB::rocksdb)
  set(HLSFS_ROCKSDB RocksDB::rocksdb)
else()
  # Some distributions ship RocksDB without its CMake package.
  pkg_check_modules(ROCKSDB REQUIRED IMPORTED_TARGET rocksdb)
  set(HLSFS_ROCKSDB PkgConfig::ROCKSDB)
endif()

add_library(hlsfs_state STATIC segment_cache/state_store.cpp segment_cache/state_store_remote.cpp segment_cache/state_store_catalog.cpp segment_cache/state_keys.cpp)
target_link_libraries(hlsfs_state PUBLIC ${HLSFS_ROCKSDB} hlsfs_log)
