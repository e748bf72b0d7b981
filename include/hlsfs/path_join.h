// Joining the parts of a mount path ("store", "dir/x.m3u8"): the catalog and
// the FUSE layer name the same files, so they must join them the same way.
#pragma once
#include <string>
#include <string_view>

namespace hlsfs {

// "a" + "b" -> "a/b"; an empty part adds nothing ("" + "b" -> "b", "a" + "" -> "a").
std::string join_path(std::string_view a, std::string_view b);

}  // namespace hlsfs
