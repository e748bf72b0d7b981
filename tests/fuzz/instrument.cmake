# Included by the top-level CMakeLists.txt when HLSFS_FUZZ=ON, before any
# target is defined: every library a harness links is compiled with
# libFuzzer's coverage instrumentation and ASan + UBSan, and undefined
# behaviour aborts (so the fuzzer keeps it as a crash). -O1 and line tables
# only: quick to build, fast enough to fuzz, stack traces with line numbers.
if(NOT CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
  message(FATAL_ERROR "HLSFS_FUZZ needs clang: configure with CC=clang CXX=clang++ (tests/fuzz/run.sh does)")
endif()
add_compile_options(-O1 -gline-tables-only -fno-omit-frame-pointer
  -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=all)
add_link_options(-fsanitize=address,undefined)
