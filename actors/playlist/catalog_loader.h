// The catalog's side in hlsfsd: its index in the state store, renditions
// rebuilt from their records when the catalog's cache does not hold them,
// and the once-only indexing of records made before the index existed.
#pragma once
#include <cstddef>
#include <string>

#include <nlohmann/json_fwd.hpp>

#include "actors/services.h"

namespace hlsfs {

// The rendition of `token` rebuilt from its record (request, origin,
// encoder, probe), or null when there is no such record or it cannot be
// rebuilt (logged once per token).
std::shared_ptr<const PublishedRendition> load_rendition(Services& svc, const std::string& token);

// Connects svc.catalog to its loader. When the index is older than the
// records (a state made by an hlsfsd without it), indexes every record once
// (logged; the one start that scans) and marks the index complete. Returns
// how many records that indexed (0 on every later start).
size_t open_catalog(Services& svc);

// A master's record lists these renditions: into svc.masters now, and
// (persist) into the index so that load_rendition finds it after a restart.
void index_master(Services& svc, const std::string& state_key, const nlohmann::json& record, bool persist);

// The masters listing `token` into svc.masters, from the index, unless it
// has them already: when a segment of it is measured, not when it is
// loaded (a crawl loads every rendition; svc.masters is not bounded).
void index_masters_of(Services& svc, const std::string& token);

}  // namespace hlsfs
