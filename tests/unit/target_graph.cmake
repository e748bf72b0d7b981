# The libraries of actors/ (one per folder): their graph has no cycle, and
# every #include "actors/..." of a file is of its own library or one it
# depends on (docs/design.md, "Targets"). A Python script; nothing to build.
find_package(Python3 REQUIRED COMPONENTS Interpreter)
add_test(NAME target_graph COMMAND ${Python3_EXECUTABLE} ${CMAKE_SOURCE_DIR}/scripts/check_target_graph.py
                                   ${CMAKE_SOURCE_DIR})
set_tests_properties(target_graph PROPERTIES LABELS unit TIMEOUT 60)
