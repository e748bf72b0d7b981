// A property a harness checks on what a parser accepted: when it does not
// hold, the input is a finding like a crash (libFuzzer keeps it).
#pragma once
#include <cstdio>
#include <cstdlib>
#include <string>

#define FUZZ_REQUIRE(cond, what)                                                      \
  do {                                                                                \
    if (!(cond)) {                                                                    \
      std::fprintf(stderr, "%s:%d: property failed: %s (%s)\n", __FILE__, __LINE__, #cond, \
                   std::string(what).c_str());                                        \
      std::abort();                                                                   \
    }                                                                                 \
  } while (0)
