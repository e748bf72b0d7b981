#include "actors/playlist/playlist_service.h"

#include <random>

#include "actors/playlist/generate.h"
#include "actors/playlist/source_limits.h"
#include "actors/transcoder/worker_dispatch.h"
#include "actors/worker/quarantine.h"
#include "actors/segment_cache/state_store.h"
#include "actors/storage/backend.h"
#include "actors/transcoder/codec_string.h"
#include "actors/transcoder/job_deadline.h"
#include "actors/transcoder/probe.h"
#include "actors/transcoder/subtitle_cues.h"
#include "hlsfs/log.h"

namespace hlsfs {

namespace {

using json = nlohmann::json;

GenerateOutcome failure(int status, const std::string& code, const std::string& message) {
  GenerateOutcome o;
  o.status = status;
  o.body = {{"Code", code}, {"Message", message}};
  return o;
}

std::string request_id() {
  static thread_local std::mt19937_64 rng{std::random_device{}()};
  char buf[40];
  uint64_t a = rng(), b = rng();
  snprintf(buf, sizeof buf, "%08X-%04X-%04X-%04X-%012llX", static_cast<unsigned>(a >> 32),
           static_cast<unsigned>(a >> 16) & 0xffff, static_cast<unsigned>(a) & 0xffff,
           static_cast<unsigned>(b >> 48), static_cast<unsigned long long>(b & 0xffffffffffffULL));
  return buf;
}

std::string source_key(const SourceIdentity& id) { return id.uri + "\n" + std::to_string(id.size) + "\n" + id.version; }

// The probe of this exact source version, from the state store or made now.
std::shared_ptr<const MediaInfo> probe_cached(Services& svc, SourceOpener& opener, const SourceIdentity& id) {
  std::string key = source_key(id);
  if (auto cached = svc.state->get_source(key)) {
    try {
      auto m = std::make_shared<MediaInfo>(json::parse(*cached).get<MediaInfo>());
      return m;
    } catch (const std::exception& e) {
      HLSFS_LOG(warning, "playlist") << "cached probe unreadable (" << e.what() << "), probing again: " << log_kv("source", id.uri);
    }
  }
  auto m = std::make_shared<MediaInfo>(svc.worker_pool ? probe_in_worker(svc, opener, id.uri)
                                                       : probe_source(opener, id.uri));
  if (m->source.version != id.version || m->source.size != id.size) throw MediaError(id.uri + ": changed while probing");
  svc.state->put_source(key, json(*m).dump());
  return m;
}

std::string dir_of_key(const std::string& key) {
  auto slash = key.rfind('/');
  return slash == std::string::npos ? "" : key.substr(0, slash + 1);
}

}  // namespace

uint32_t initial_segment_count(const RenditionSpec& r, double seconds) {
  if (seconds == 0) return 0;
  if (seconds < 0) return static_cast<uint32_t>(r.plan.size());
  uint32_t n = 0;
  while (n < r.plan.size() && r.plan.seconds(r.plan.begin(n)) < seconds) ++n;
  return n;
}

std::string write_directly(Services& svc, const PlaylistFile& f) {
  try {
    auto b = svc.backend(f.store);
    if (f.keep_existing && b->stat(f.key)) return "";
    b->write(f.key, f.text);
    return "";
  } catch (const BackendError& e) {
    return e.what();
  }
}

namespace {

void index_master(Services& svc, const std::string& state_key, const json& record) {
  if (!record.contains("variants")) return;  // recorded before BANDWIDTH was measured
  for (const auto& v : record.at("variants"))
    svc.masters->add(v.at("token"), MasterRef{record.at("store"), record.at("key"), state_key, v.at("uri"),
                                              v.value("extra", int64_t{0})});
}

}  // namespace

std::vector<PlaylistFile> measure_segment(Services& svc, const std::string& token, uint32_t n, int64_t bytes) {
  std::vector<PlaylistFile> out;
  auto r = svc.catalog->by_token(token);
  if (!r || n >= r->spec.plan.size()) return out;
  const int64_t measured = segment_bitrate(bytes, r->spec.plan.extinf(n));
  for (const MasterRef& m : svc.masters->of(token)) {
    CatalogEntry e = svc.catalog->resolve(m.store + "/" + m.key);
    if (e.kind != CatalogEntry::text_file) continue;
    auto raised = raise_bandwidth(*e.text, m.relative_uri, measured + m.extra);
    if (!raised) continue;
    svc.catalog->publish_text(m.store, m.key, *raised);
    if (auto rec = svc.state->get_playlist(m.state_key)) {
      json j = json::parse(*rec);
      j["text"] = *raised;
      svc.state->put_playlist(m.state_key, j.dump());
    }
    HLSFS_LOG(info, "playlist") << "BANDWIDTH of " << m.relative_uri << " raised to " << measured + m.extra << " (segment "
                                << n << " measured " << measured << " bit/s): " << log_kv("store", m.store) << " "
                                << log_kv("key", m.key) << " " << log_kv("segment", n);
    out.push_back(PlaylistFile{m.store, m.key, *raised, false});
  }
  return out;
}

GenerateOutcome generate_playlist(Services& svc, const std::string& body, const PlaylistWriter& writer) {
  PlaylistRequest req;
  try {
    req = parse_request_text(body);
  } catch (const RequestError& e) {
    return failure(400, "InvalidArgument", e.what());
  }
  for (const auto& w : req.warnings) HLSFS_LOG(warning, "playlist") << w << ": " << log_kv("source", req.source_uri);

  // Where everything lives.
  auto src_loc = svc.router.locate(req.source_uri);
  if (!src_loc)
    return failure(400, "InvalidArgument",
                   "SourceURI: no configured store holds " + req.source_uri + " (" + svc.router.describe() + ")");
  std::vector<StoreLocation> target_locs;
  for (size_t i = 0; i < req.targets.size(); ++i) {
    auto loc = svc.router.locate(req.targets[i].uri + ".m3u8");
    if (!loc)
      return failure(400, "InvalidArgument", "Targets[" + std::to_string(i) + "].URI: no configured store holds " +
                                                 req.targets[i].uri + " (" + svc.router.describe() + ")");
    target_locs.push_back(*loc);
  }
  std::optional<StoreLocation> master_loc;
  if (req.master_uri) {
    master_loc = svc.router.locate(*req.master_uri);
    if (!master_loc)
      return failure(400, "InvalidArgument", "MasterURI: no configured store holds " + *req.master_uri);
    for (size_t i = 0; i < target_locs.size(); ++i)
      if (target_locs[i].store != master_loc->store)
        return failure(400, "InvalidArgument",
                       "Targets[" + std::to_string(i) + "].URI: must be in the same store as MasterURI");
  }

  auto opener = svc.source_opener();
  SourceIdentity id;
  std::shared_ptr<const MediaInfo> media;
  try {
    id = opener->identify(req.source_uri);
  } catch (const JobTimedOut& e) {  // a store that stalls: as the watchdog answers (playlist_actor.cpp)
    return failure(504, "SourceTimeout", std::string("SourceURI: ") + e.what());
  } catch (const MediaError& e) {
    std::string msg = e.what();
    bool missing = msg.find("No such file") != std::string::npos;
    return failure(missing ? 404 : 400, missing ? "ResourceNotFound" : "InvalidSource", "SourceURI: " + msg);
  }
  // A source whose jobs keep crashing their workers costs none more.
  if (svc.quarantine)
    if (auto why = svc.quarantine->check(id)) return failure(400, "InvalidSource", "SourceURI: " + *why);
  try {
    media = probe_cached(svc, *opener, id);
  } catch (const JobTimedOut& e) {
    return failure(504, "SourceTimeout", std::string("SourceURI: ") + e.what());
  } catch (const MediaError& e) {
    return failure(400, "InvalidSource", std::string("SourceURI: ") + e.what());
  }

  GeneratedPlaylists gen;
  try {
    std::vector<SourceIdentity> subtitle_files = identify_subtitle_files(*opener, req);
    gen = generate_playlists(req, *media, svc.encoder, [&](const RenditionSpec& r) { return codecs_string(r, *media); },
                             subtitle_files);
  } catch (const RequestError& e) {
    return failure(400, "InvalidArgument", e.what());
  } catch (const MediaError& e) {
    return failure(400, "InvalidSource", e.what());
  } catch (const SourceRejected& e) {
    return failure(400, "InvalidSource", e.what());
  }

  for (const auto& n : gen.notes) HLSFS_LOG(info, "playlist") << n << ": " << log_kv("source", req.source_uri);
  // Write the playlists into their stores, then record and publish.
  for (const auto& [uri, text] : gen.files) {
    auto loc = svc.router.locate(uri);
    PlaylistFile f{loc->store, loc->key, text, req.overwrite_policy == OverwritePolicy::skip_existing};
    std::string err = writer ? writer(f) : write_directly(svc, f);
    if (!err.empty()) return failure(503, "StorageError", err);
  }

  GenerateOutcome out;
  json req_json = json::parse(body);
  for (size_t i = 0; i < gen.renditions.size(); ++i) {
    const RenditionSpec& spec = gen.renditions[i];
    const RenditionOrigin& origin = gen.origins[i];
    // Targets were located above; tracks lie beside the master (or their
    // Subtitle target), in its store.
    StoreLocation loc = origin.is_target() ? target_locs[origin.target] : *svc.router.locate(spec.playlist_uri());
    auto pub = std::make_shared<PublishedRendition>();
    pub->spec = spec;
    pub->media = media;
    pub->store = loc.store;
    pub->dir = dir_of_key(loc.key);
    pub->source_store = src_loc->store;
    pub->source_key = src_loc->key;
    json record{{"version", 1},
                {"request", req_json},
                {"origin", origin},
                {"encoder", {{"preset", svc.encoder.preset}, {"threads", svc.encoder.threads},
                             {"x264_params", svc.encoder.x264_params}}},
                {"source", source_key(id)}};
    svc.state->put_playlist(spec.token, record.dump());
    svc.catalog->publish(pub, gen.files.at(spec.playlist_uri()));
    const std::string where = log_kv("store", pub->store) + " " + log_kv("key", pub->dir + spec.prefix_name() + ".m3u8") +
                              " " + log_kv("token", spec.token);
    for (const auto& n : spec.notes) HLSFS_LOG(info, "playlist") << n << ": " << where;
    HLSFS_LOG(info, "playlist") << "published (" << spec.plan.size() << " segments, " << spec.plan.duration()
                                << " s): " << where << " " << log_kv("source", req.source_uri);
    uint32_t initial = initial_segment_count(spec, req.targets[origin.target].initial_transcode);
    if (initial) out.initial.emplace_back(spec.token, initial);
  }
  if (master_loc) {
    json variants = json::array();
    for (const auto& v : gen.variants)
      variants.push_back({{"token", gen.renditions[v.rendition].token}, {"uri", v.relative_uri}, {"extra", v.extra}});
    json record{{"version", 1}, {"store", master_loc->store}, {"key", master_loc->key},
                {"text", gen.files.at(*req.master_uri)}, {"variants", variants}};
    svc.catalog->publish_text(master_loc->store, master_loc->key, gen.files.at(*req.master_uri));
    svc.state->put_playlist("master:" + gen.token, record.dump());
    index_master(svc, "master:" + gen.token, record);
  }
  out.body = gen.response;
  out.body["RequestId"] = request_id();
  return out;
}

size_t restore_catalog(Services& svc) {
  size_t restored = 0;
  std::vector<std::pair<std::string, std::string>> records;
  svc.state->for_each_playlist([&](const std::string& token, const std::string& value) {
    records.emplace_back(token, value);
    return true;
  });
  for (const auto& [token, value] : records) {
    try {
      json rec = json::parse(value);
      if (token.rfind("master:", 0) == 0) {
        svc.catalog->publish_text(rec.at("store"), rec.at("key"), rec.at("text"));
        index_master(svc, token, rec);
        continue;
      }
      PlaylistRequest req = parse_request(rec.at("request"));
      auto cached = svc.state->get_source(rec.at("source").get<std::string>());
      if (!cached) throw std::runtime_error("its probe is missing from the state");
      auto media = std::make_shared<MediaInfo>(json::parse(*cached).get<MediaInfo>());
      EncoderConfig enc{rec.at("encoder").at("preset"), rec.at("encoder").at("threads"),
                        rec.at("encoder").at("x264_params")};
      // Records before tracks existed name only their target.
      RenditionOrigin origin = rec.contains("origin") ? rec.at("origin").get<RenditionOrigin>()
                                                      : RenditionOrigin::of_target(rec.at("target").get<size_t>());
      RenditionSpec spec = rebuild_rendition(*media, req, origin, enc);
      if (spec.token != token) throw std::runtime_error("its token no longer matches (hlsfs changed?)");
      auto tloc = svc.router.locate(spec.playlist_uri());
      auto sloc = svc.router.locate(req.source_uri);
      if (!tloc || !sloc) throw std::runtime_error("its store is no longer configured");
      auto pub = std::make_shared<PublishedRendition>();
      pub->spec = spec;
      pub->media = media;
      pub->store = tloc->store;
      pub->dir = dir_of_key(tloc->key);
      pub->source_store = sloc->store;
      pub->source_key = sloc->key;
      svc.catalog->publish(pub, media_playlist(spec));
      ++restored;
    } catch (const std::exception& e) {
      HLSFS_LOG(warning, "playlist") << "playlist not restored: " << e.what() << ": " << log_kv("token", token);
    }
  }
  return restored;
}

}  // namespace hlsfs
