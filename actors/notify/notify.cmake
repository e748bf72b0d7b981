# Webhook notifications (notifications: in hlsfsd's configuration): the pure
# parts (notices, signature, retry schedule) apart from the actor and its
# libcurl POST, so that unit tests link them alone.
add_library(hlsfs_notify_logic STATIC
  ${CMAKE_CURRENT_LIST_DIR}/notices.cpp
  ${CMAKE_CURRENT_LIST_DIR}/webhook_signature.cpp
  ${CMAKE_CURRENT_LIST_DIR}/retry_schedule.cpp)
target_link_libraries(hlsfs_notify_logic PUBLIC hlsfs_playlist OpenSSL::Crypto nlohmann_json::nlohmann_json)

find_package(CURL REQUIRED)
find_library(HLSFS_NOTIFY_CAF caf_core REQUIRED)
add_library(hlsfs_notify STATIC
  ${CMAKE_CURRENT_LIST_DIR}/webhook_post.cpp
  ${CMAKE_CURRENT_LIST_DIR}/notifier_actor.cpp)
target_link_libraries(hlsfs_notify PUBLIC hlsfs_notify_logic hlsfs_log hlsfs_metrics CURL::libcurl ${HLSFS_NOTIFY_CAF}
  Threads::Threads)
