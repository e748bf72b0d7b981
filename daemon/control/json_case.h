// The control API answers in PascalCase everywhere (IMM's style, which its
// IMM-shaped answers must keep). The actors' status reports are written in
// their own snake_case; this renames their keys at the API's edge.
#pragma once
#include <nlohmann/json.hpp>
#include <string>

namespace hlsfs {

// "cache_bytes" -> "CacheBytes", "on-demand" -> "OnDemand", "LastGc" -> "LastGc".
std::string pascal_case(const std::string& name);
// Every object key in `j`, at any depth, through pascal_case (values untouched).
nlohmann::json pascal_case_keys(const nlohmann::json& j);

}  // namespace hlsfs
