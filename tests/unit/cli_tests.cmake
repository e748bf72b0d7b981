# hlsfsctl's and hlsfsd's command lines: every invocation the repository's
# scripts, tests and unit use parses to the same options; --help, --version
# and usage errors end with the documented exit status
# (tests/integration/command_lines.sh runs the built programs).
add_executable(cli_tests command_line_test.cpp)
target_link_libraries(cli_tests PRIVATE hlsfs_cli GTest::gtest_main)
gtest_discover_tests(cli_tests PROPERTIES LABELS unit)
