# Library mode: names, ladder, the change check, its configuration (pure),
# and the finder against the real local store, state, probe and generate.
add_executable(library_tests library_names_test.cpp library_ladder_test.cpp library_memo_test.cpp
               library_config_test.cpp library_finder_test.cpp generate_durability_test.cpp)
target_link_libraries(library_tests PRIVATE hlsfs_library hlsfs_config GTest::gtest_main)
add_dependencies(library_tests hlsfs-backend-local)
target_compile_definitions(library_tests PRIVATE HLSFS_TEST_PLUGIN_DIR="${CMAKE_LIBRARY_OUTPUT_DIRECTORY}")
gtest_discover_tests(library_tests PROPERTIES LABELS unit
  ENVIRONMENT "HLSFS_PLUGIN_DIR=${CMAKE_LIBRARY_OUTPUT_DIRECTORY}" DISCOVERY_TIMEOUT 30)
