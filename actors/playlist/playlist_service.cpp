#include "actors/playlist/playlist_service.h"

#include <random>
#include <set>

#include "actors/cluster/title_record.h"
#include "actors/playlist/catalog_loader.h"
#include "actors/playlist/generate.h"
#include "actors/playlist/lru_cache.h"
#include "actors/playlist/source_limits.h"
#include "actors/playlist/recent_titles.h"
#include "actors/segment_cache/segment_store.h"
#include "actors/notify/notices.h"
#include "actors/notify/notifier.h"
#include "actors/storage/object_tags.h"
#include "actors/transcoder/worker_dispatch.h"
#include "actors/worker/quarantine.h"
#include "actors/segment_cache/state_store.h"
#include "actors/storage/backend.h"
#include "actors/transcoder/codec_string.h"
#include "actors/transcoder/job_deadline.h"
#include "actors/transcoder/segment_job.h"
#include "actors/transcoder/probe.h"
#include "actors/transcoder/subtitle_cues.h"
#include "hlsfs/log.h"
#include "hlsfs/source_version.h"

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

// Parsed probes by source version (URI, size, mtime or ETag: source_key),
// so that generates of one source do not parse its recorded probe (a
// two-hour source's keyframes: hundreds of KiB of JSON) every time. Keyed
// by the state directory too: one process may hold several (tests).
constexpr size_t kProbeMemoBytes = size_t{16} << 20;
LruCache<std::string, MediaInfo>& probe_memo() {
  static LruCache<std::string, MediaInfo> memo(kProbeMemoBytes);
  return memo;
}
size_t probe_cost(const MediaInfo& m) {
  size_t bytes = sizeof m + m.source.uri.size();
  for (const auto& s : m.streams) bytes += sizeof s + s.keyframes.size() * sizeof(Keyframe);
  return bytes;
}

}  // namespace

std::shared_ptr<const MediaInfo> probe_cached(Services& svc, SourceOpener& opener, const SourceIdentity& id) {
  std::string key = source_key(id);
  const std::string memo_key = svc.state->dir() + '\0' + key;
  if (auto hit = probe_memo().get(memo_key)) return hit;
  if (auto cached = svc.state->get_source(key)) {
    try {
      auto m = std::make_shared<const MediaInfo>(json::parse(*cached).get<MediaInfo>());
      probe_memo().put(memo_key, m, probe_cost(*m));
      return m;
    } catch (const std::exception& e) {
      HLSFS_LOG(warning, "playlist") << "cached probe unreadable (" << e.what() << "), probing again: " << log_kv("source", id.uri);
    }
  }
  auto m = std::make_shared<const MediaInfo>(svc.worker_pool ? probe_in_worker(svc, opener, id.uri)
                                                             : probe_source(opener, id.uri));
  if (!same_source_version(id.version, m->source.version) || m->source.size != id.size)
    throw MediaError(id.uri + ": changed while probing");
  if (m->source.version != id.version) {
    // The probe read every field; the caller records fewer (a generated
    // title leaves the ctime out): the media names the version as recorded.
    auto named = std::make_shared<MediaInfo>(*m);
    named->source.version = id.version;
    m = std::move(named);
  }
  svc.state->put_source(key, json(*m).dump());
  probe_memo().put(memo_key, m, probe_cost(*m));
  return m;
}

namespace {

std::string dir_of_key(const std::string& key) {
  auto slash = key.rfind('/');
  return slash == std::string::npos ? "" : key.substr(0, slash + 1);
}

}  // namespace

uint32_t initial_segment_count(const RenditionSpec& r, double seconds) {
  if (seconds == 0 || r.thumbnails) return 0;  // sprite sheets: made when a player first scrubs
  if (seconds < 0) return static_cast<uint32_t>(r.plan.size());
  uint32_t n = 0;
  while (n < r.plan.size() && r.plan.seconds(r.plan.begin(n)) < seconds) ++n;
  return n;
}

std::string write_directly(Services& svc, const PlaylistFile& f) {
  try {
    auto b = svc.backend(f.store);
    if (!b) return "store \"" + f.store + "\" is not configured";
    if (f.sync == PlaylistFile::Sync::flush) {
      b->sync();
      return "";
    }
    if (f.keep_existing && b->stat(f.key)) return "";
    if (f.sync == PlaylistFile::Sync::later && f.tagging.empty()) b->write_unsynced(f.key, f.text);
    else b->write(f.key, f.text, f.tagging);
    return "";
  } catch (const BackendError& e) {
    return e.what();
  }
}

namespace {

// Does this playlist exist already: published in the mount, or an object
// in its store. Throws BackendError when the store cannot tell.
bool playlist_exists(Services& svc, const StoreLocation& loc) {
  if (svc.catalog->resolve(loc.store + "/" + loc.key).kind == CatalogEntry::text_file) return true;
  auto b = svc.backend(loc.store);
  return b && b->stat(loc.key).has_value();
}

// OverwritePolicy overwrite: another rendition published at the same
// playlist (other options, another token) is replaced. Its record goes, so
// that a restart restores the new one only (restored in token order, the
// old one could take the path back); its segments stay readable until the
// GC takes them (players in the middle of it). Returns the tokens whose
// records go (in the request's batch).
std::vector<std::string> replaced_by(Services& svc, const PublishedRendition& fresh);

// A library store is read-only to requests: its titles appear by themselves.
std::string library_store_problem(const Services& svc, const std::string& store) {
  for (const auto& f : svc.title_finders)
    if (f && f->owns_store(store))
      return "store \"" + store + "\" is a library (stores." + store +
             ".library): its titles appear in the mount by themselves and nothing is written into it; choose a "
             "target in another store";
  return "";
}

std::vector<std::string> replaced_by(Services& svc, const PublishedRendition& fresh) {
  std::vector<std::string> out;
  const std::string dir = fresh.dir.empty() ? fresh.store : fresh.store + "/" + fresh.dir.substr(0, fresh.dir.size() - 1);
  for (const auto& old : svc.catalog->renditions_in(dir))
    if (old->spec.token != fresh.spec.token && old->spec.prefix_name() == fresh.spec.prefix_name()) {
      out.push_back(old->spec.token);
      HLSFS_LOG(info, "playlist") << "replaced (OverwritePolicy overwrite): " << log_kv("token", old->spec.token)
                                  << " by " << log_kv("token", fresh.spec.token);
    }
  return out;
}

// Cluster (issue 17): what any node needs to serve these titles, written
// beside their playlists in object stores (keys: actors/cluster/title_record.h).
std::string write_title_records(Services& svc, const std::vector<TitleRecord>& titles,
                                const std::optional<MasterRecord>& master, const PlaylistWriter& writer) {
  std::vector<PlaylistFile> files;
  std::set<std::string> dirs;
  for (const TitleRecord& t : titles) {
    const std::string text = encode_title_record(t), dir = dir_of(t.playlist_key);
    files.push_back(PlaylistFile{t.store, token_record_key(dir, t.token), text, false, ""});
    files.push_back(PlaylistFile{t.store, playlist_record_key(t.playlist_key), text, false, ""});
    for (const std::string& d : dirs_up(dir))
      if (dirs.insert(t.store + "/" + d).second) files.push_back(PlaylistFile{t.store, dir_record_key(d), text, false, ""});
  }
  if (master) {
    const std::string store = master->record.at("store"), key = master->record.at("key");
    files.push_back(PlaylistFile{store, playlist_record_key(key), encode_master_record(*master), false, ""});
  }
  for (const PlaylistFile& f : files) {
    std::string err = writer ? writer(f) : write_directly(svc, f);
    if (!err.empty()) return "title record " + f.key + ": " + err;
  }
  return "";
}

}  // namespace

std::vector<PlaylistFile> measure_segment(Services& svc, const std::string& token, uint32_t n, int64_t bytes) {
  std::vector<PlaylistFile> out;
  auto r = svc.catalog->by_token(token);
  if (!r || n >= r->spec.plan.size()) return out;
  const int64_t measured = segment_bitrate(bytes, r->spec.plan.extinf(n));
  index_masters_of(svc, token);  // after a restart, loaded when first needed
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
    const std::string tagging = object_tagging(r->spec.labels.tags);
    if (svc.raised_master_writer && svc.raised_master_writer(m.store, m.key, *raised, tagging)) continue;  // cluster: merged
    out.push_back(PlaylistFile{m.store, m.key, *raised, false, tagging});
  }
  return out;
}

GenerateOutcome generate_playlist(Services& svc, const std::string& body, const PlaylistWriter& writer,
                                  bool publish_only) {
  PlaylistRequest req;
  try {
    req = parse_request_text(body);
  } catch (const RequestError& e) {
    return failure(400, "InvalidArgument", e.what());
  }
  for (const auto& w : req.warnings) HLSFS_LOG(warning, "playlist") << w << ": " << log_kv("source", req.source_uri);
  if (!req.notification.is_null() && !svc.notifier)
    HLSFS_LOG(warning, "playlist") << "Notification: no webhook is configured (notifications.url): no notice will be "
                                      "posted; the events are in GET /v1/events: "
                                   << log_kv("source", req.source_uri);

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
    if (!publish_only)
      if (std::string why = library_store_problem(svc, loc->store); !why.empty())
        return failure(400, "InvalidArgument", "Targets[" + std::to_string(i) + "].URI: " + why);
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
    // A generated title's segments are checked against this before each is
    // made: the mtime alone, as before inodes were recorded (a chmod, a move
    // to another disk must not stop it; a library title, made again on
    // lookup, keeps inode and ctime: hlsfs/source_version.h).
    if (!publish_only) id.version = generated_source_version(id.version);
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
    if (!publish_only)
      for (auto& f : subtitle_files) f.version = generated_source_version(f.version);
    gen = generate_playlists(req, *media, svc.encoder, [&](const RenditionSpec& r) { return codecs_cached(r, *media); },
                             subtitle_files);
  } catch (const RequestError& e) {
    return failure(400, "InvalidArgument", e.what());
  } catch (const MediaError& e) {
    return failure(400, "InvalidSource", e.what());
  } catch (const SourceRejected& e) {
    return failure(400, "InvalidSource", e.what());
  }

  for (const auto& n : gen.notes) HLSFS_LOG(info, "playlist") << n << ": " << log_kv("source", req.source_uri);
  // Object stores tag what is written for this request (its Tags), and
  // refuse tags they cannot hold before anything is written.
  const std::string tagging = object_tagging(req.tags);
  for (const auto& [uri, text] : gen.files)
    if (auto b = svc.backend(svc.router.locate(uri)->store); b && is_remote_store(*b) && !req.tags.empty())
      if (std::string why = object_tags_problem(req.tags); !why.empty()) return failure(400, "InvalidArgument", why);
  // OverwritePolicy skip-existing: a playlist that exists already (in the
  // mount or in its store) stays as it is, with its record and its mount
  // entry; only the others are made.
  std::set<std::string> kept;  // URIs left as they were
  if (req.overwrite_policy == OverwritePolicy::skip_existing) {
    try {
      for (const auto& [uri, text] : gen.files)
        if (playlist_exists(svc, *svc.router.locate(uri))) kept.insert(uri);
    } catch (const BackendError& e) {
      return failure(503, "StorageError", e.what());
    }
  }
  // Write the playlists into their stores, then record and publish. Stores
  // that can wait are flushed once, after all their files (together, each
  // directory once, not two fsyncs per file), before the records say they exist.
  std::set<std::string> to_flush;
  for (const auto& [uri, text] : gen.files) {
    if (kept.count(uri)) {
      HLSFS_LOG(info, "playlist") << "exists, kept (OverwritePolicy skip-existing): " << log_kv("uri", uri);
      continue;
    }
    auto loc = svc.router.locate(uri);
    PlaylistFile f{loc->store, loc->key, text, req.overwrite_policy == OverwritePolicy::skip_existing, tagging};
    if (auto b = svc.backend(loc->store); b && b->defers_sync() && tagging.empty()) {
      f.sync = PlaylistFile::Sync::later;
      to_flush.insert(loc->store);
    }
    std::string err = writer ? writer(f) : write_directly(svc, f);
    if (!err.empty()) return failure(503, "StorageError", err);
  }
  for (const std::string& store : to_flush) {
    PlaylistFile flush{store, "", "", false, ""};
    flush.sync = PlaylistFile::Sync::flush;
    std::string err = writer ? writer(flush) : write_directly(svc, flush);
    if (!err.empty()) return failure(503, "StorageError", err);
  }

  GenerateOutcome out;
  json req_json = json::parse(body);
  std::vector<TitleRecord> bucket_titles;  // renditions in object stores
  // Every record of the request in one synced batch (one fsync), written
  // before anything is published: a title in the mount has its records.
  StateStore::Records records;
  std::vector<std::shared_ptr<PublishedRendition>> fresh;
  std::vector<RenditionOrigin> fresh_origins;
  for (size_t i = 0; i < gen.renditions.size(); ++i) {
    const RenditionSpec& spec = gen.renditions[i];
    const RenditionOrigin& origin = gen.origins[i];
    if (kept.count(spec.playlist_uri())) continue;  // skip-existing: its record and mount entry stay too
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
    records.put_playlist(spec.token, record.dump());
    if (auto b = svc.backend(pub->store); b && is_remote_store(*b) && !svc.cluster_node.empty())  // cluster only
      bucket_titles.push_back(TitleRecord{spec.token, pub->store, loc.key, record, source_key(id), json(*media)});
    for (const std::string& old : replaced_by(svc, *pub)) records.delete_playlist(old);
    fresh.push_back(std::move(pub));
    fresh_origins.push_back(origin);
  }
  std::optional<json> master_record;
  if (master_loc && !kept.count(*req.master_uri)) {
    json variants = json::array();
    for (const auto& v : gen.variants)
      variants.push_back({{"token", gen.renditions[v.rendition].token}, {"uri", v.relative_uri}, {"extra", v.extra}});
    master_record = json{{"version", 1}, {"store", master_loc->store}, {"key", master_loc->key},
                         {"text", gen.files.at(*req.master_uri)}, {"variants", variants}};
    records.put_playlist("master:" + gen.token, master_record->dump());
  }
  svc.state->write_records(records, /*sync=*/true);

  for (size_t i = 0; i < fresh.size(); ++i) {
    const std::shared_ptr<PublishedRendition>& pub = fresh[i];
    const RenditionSpec& spec = pub->spec;
    const RenditionOrigin& origin = fresh_origins[i];
    // generate_playlists wrote each rendition's text as media_playlist().
    svc.catalog->publish(pub, gen.files.at(spec.playlist_uri()), Catalog::TextIs::derived);
    const std::string where = log_kv("store", pub->store) + " " + log_kv("key", pub->dir + spec.prefix_name() + ".m3u8") +
                              " " + log_kv("token", spec.token);
    for (const auto& n : spec.notes) HLSFS_LOG(info, "playlist") << n << ": " << where;
    HLSFS_LOG(info, "playlist") << "published (" << spec.plan.size() << " segments, " << spec.plan.duration()
                                << " s): " << where << " " << log_kv("source", req.source_uri);
    uint32_t initial = initial_segment_count(spec, req.targets[origin.target].initial_transcode);
    if (initial) out.initial.emplace_back(spec.token, initial);
  }
  std::optional<MasterRecord> bucket_master;
  if (master_record) {
    const json& record = *master_record;
    svc.catalog->publish_text(master_loc->store, master_loc->key, gen.files.at(*req.master_uri));
    index_master(svc, "master:" + gen.token, record, true);
    if (!bucket_titles.empty()) bucket_master = MasterRecord{"master:" + gen.token, record, bucket_titles};
  }
  if (std::string err = write_title_records(svc, bucket_titles, bucket_master, writer); !err.empty())
    return failure(503, "StorageError", err);
  out.body = gen.response;
  out.body["RequestId"] = request_id();
  // hlsfs's own field: what skip-existing left as it was (the other fields
  // describe the request as asked).
  if (req.overwrite_policy == OverwritePolicy::skip_existing) out.body["SkippedExisting"] = kept;
  if (svc.notifier) svc.notifier->notify(playlist_generated_notice(out.body, req));
  if (svc.titles)
    svc.titles->add(TitleEvent{now_ms(), out.body.value("RequestId", ""),
                               req.master_uri.value_or(req.targets.front().uri + ".m3u8"),
                               out.body.value("Token", ""), req.tags, req.user_data,
                               std::vector<std::string>(kept.begin(), kept.end())});
  return out;
}

size_t restore_catalog(Services& svc) {
  // Lazy: renditions are rebuilt from their records when first asked for
  // (catalog_loader.h); only a state from before the index is scanned, once.
  open_catalog(svc);
  return svc.catalog->rendition_count();
}

}  // namespace hlsfs
