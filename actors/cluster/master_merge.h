// A master's BANDWIDTH lines as the nodes of a cluster raise them (issue 17).
// Each node raises the variants whose segments it made, from its own view of
// the master; the bucket's master must end with every node's raises. The
// rule: a variant's BANDWIDTH only ever rises, and merging takes the larger
// of two texts' values per variant, so merges in any order, any number of
// times, give the same master (commutative, idempotent), and a node whose
// write replaced another's finds its raise missing when it reads back and
// merges again (master_raiser.h).
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace hlsfs {

// Each variant of a master text: its URI line and its BANDWIDTH (lines
// without one are left out).
std::vector<std::pair<std::string, int64_t>> variant_bandwidths(const std::string& master);

// `base` with each variant's BANDWIDTH raised to the one `ours` gives it
// where that is higher; nullopt when base already has all of ours (nothing
// to write). Variants ours lists and base does not are left out (base was
// generated again, without them).
std::optional<std::string> merge_raises(const std::string& base, const std::string& ours);

}  // namespace hlsfs
