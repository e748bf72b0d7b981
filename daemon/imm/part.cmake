# IMM's own wire protocol (RPC calls signed with V3 or V2): parameter
# parsing, the two signatures, nonces, IMM's errors and the HTTP handler.
# Plain logic, no actors: hlsfsd hands it the generate call
# (daemon/control/generate_call.h). Unit-tested in tests/unit/imm_*_test.cpp.
add_library(hlsfs_imm STATIC
  ${CMAKE_CURRENT_LIST_DIR}/access_keys.cpp
  ${CMAKE_CURRENT_LIST_DIR}/authenticate.cpp
  ${CMAKE_CURRENT_LIST_DIR}/imm_endpoint.cpp
  ${CMAKE_CURRENT_LIST_DIR}/imm_error.cpp
  ${CMAKE_CURRENT_LIST_DIR}/nonce_cache.cpp
  ${CMAKE_CURRENT_LIST_DIR}/request_time.cpp
  ${CMAKE_CURRENT_LIST_DIR}/rpc_params.cpp
  ${CMAKE_CURRENT_LIST_DIR}/signature_v2.cpp
  ${CMAKE_CURRENT_LIST_DIR}/signature_v3.cpp)
target_link_libraries(hlsfs_imm
  PUBLIC hlsfs_http hlsfs_config hlsfs_common nlohmann_json::nlohmann_json
  PRIVATE OpenSSL::Crypto)
