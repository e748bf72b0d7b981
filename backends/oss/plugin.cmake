# The "oss" storage backend: libhlsfs-backend-oss.so (see oss_backend.cpp).
include(${CMAKE_CURRENT_LIST_DIR}/../objstore/objstore.cmake)
# The signer, apart so the unit tests can check it against Alibaba's vectors.
add_library(hlsfs_oss_core STATIC ${CMAKE_CURRENT_LIST_DIR}/oss_signer.cpp)
set_target_properties(hlsfs_oss_core PROPERTIES
  POSITION_INDEPENDENT_CODE ON CXX_VISIBILITY_PRESET hidden VISIBILITY_INLINES_HIDDEN ON)
target_link_libraries(hlsfs_oss_core PUBLIC hlsfs_objstore)
hlsfs_object_store_plugin(oss ${CMAKE_CURRENT_LIST_DIR}/oss_backend.cpp)
target_link_libraries(hlsfs-backend-oss PRIVATE hlsfs_oss_core)
