# The command lines of hlsfsctl and hlsfsd (CLI11, header-only): argv in,
# options structs out, apart from the code that runs them (unit-tested in
# tests/unit/cli_tests.cmake), and what --version prints.
find_package(CLI11 CONFIG REQUIRED)
add_library(hlsfs_cli STATIC
  ${CMAKE_CURRENT_LIST_DIR}/parse_command_line.cpp
  ${CMAKE_CURRENT_LIST_DIR}/program_version.cpp
  ${CMAKE_CURRENT_LIST_DIR}/../ctl/ctl_command_line.cpp
  ${CMAKE_CURRENT_LIST_DIR}/../hlsfsd/daemon_command_line.cpp)
target_link_libraries(hlsfs_cli PUBLIC CLI11::CLI11 hlsfs_config PkgConfig::LIBAV)
set_property(SOURCE ${CMAKE_CURRENT_LIST_DIR}/program_version.cpp APPEND PROPERTY COMPILE_DEFINITIONS
             HLSFS_VERSION="${PROJECT_VERSION}")
