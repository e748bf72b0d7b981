# The "s3" storage backend: libhlsfs-backend-s3.so (see s3_backend.cpp).
include(${CMAKE_CURRENT_LIST_DIR}/../objstore/objstore.cmake)
# The signer and credential lookup, apart so the unit tests can use them.
add_library(hlsfs_s3_core STATIC
  ${CMAKE_CURRENT_LIST_DIR}/s3_signer.cpp
  ${CMAKE_CURRENT_LIST_DIR}/aws_credentials.cpp)
set_target_properties(hlsfs_s3_core PROPERTIES
  POSITION_INDEPENDENT_CODE ON CXX_VISIBILITY_PRESET hidden VISIBILITY_INLINES_HIDDEN ON)
target_link_libraries(hlsfs_s3_core PUBLIC hlsfs_objstore)
hlsfs_object_store_plugin(s3 ${CMAKE_CURRENT_LIST_DIR}/s3_backend.cpp)
target_link_libraries(hlsfs-backend-s3 PRIVATE hlsfs_s3_core)
