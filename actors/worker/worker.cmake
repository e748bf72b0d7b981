# Worker processes: the daemon's side (a pool, the channel, the
# job description) and the hlsfs-worker executable, which links the media
# core and the sandbox but nothing of the daemon (no config, no stores).
pkg_check_modules(SECCOMP REQUIRED IMPORTED_TARGET libseccomp)
add_library(hlsfs_worker_pool STATIC
  ${CMAKE_CURRENT_LIST_DIR}/channel.cpp
  ${CMAKE_CURRENT_LIST_DIR}/worker_job.cpp
  ${CMAKE_CURRENT_LIST_DIR}/worker_pool.cpp
  ${CMAKE_CURRENT_LIST_DIR}/quarantine.cpp
  ${CMAKE_CURRENT_LIST_DIR}/../transcoder/job_threads.cpp)  # nice values of job threads and workers
target_link_libraries(hlsfs_worker_pool PUBLIC hlsfs_media hlsfs_storage hlsfs_log nlohmann_json::nlohmann_json)

add_executable(hlsfs-worker
  ${CMAKE_CURRENT_LIST_DIR}/worker_main.cpp
  ${CMAKE_CURRENT_LIST_DIR}/sandbox.cpp
  ${CMAKE_CURRENT_LIST_DIR}/failpoint.cpp)
target_link_libraries(hlsfs-worker PRIVATE hlsfs_worker_pool PkgConfig::SECCOMP)
# Beside the plugins, off the PATH: only hlsfsd starts it.
install(TARGETS hlsfs-worker RUNTIME DESTINATION lib/hlsfs)
