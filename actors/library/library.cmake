# Library mode: video files under a library store appear as titles on first
# lookup. The pure parts (names, ladder, memo) and the finder; the glue to
# the playlist actor (CAF) in library_publish.cpp.
add_library(hlsfs_library STATIC
  ${CMAKE_CURRENT_LIST_DIR}/library_names.cpp
  ${CMAKE_CURRENT_LIST_DIR}/ladder.cpp
  ${CMAKE_CURRENT_LIST_DIR}/title_memo.cpp
  ${CMAKE_CURRENT_LIST_DIR}/library_finder.cpp
  ${CMAKE_CURRENT_LIST_DIR}/library_publish.cpp)
target_link_libraries(hlsfs_library PUBLIC hlsfs_actors)
