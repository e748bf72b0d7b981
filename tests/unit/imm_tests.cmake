# IMM's wire protocol (daemon/imm/): signature V2 and V3 against Alibaba
# Cloud's published examples, the refusals (bad signature, unknown key, stale
# time, reused nonce), parameter parsing, the key file, the handler.
add_executable(imm_tests
  ${CMAKE_CURRENT_LIST_DIR}/imm_signature_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/imm_endpoint_test.cpp)
target_link_libraries(imm_tests PRIVATE hlsfs_imm GTest::gtest_main)
gtest_discover_tests(imm_tests PROPERTIES LABELS unit)
