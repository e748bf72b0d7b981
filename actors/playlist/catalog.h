// What the mount shows: every published playlist, master and segment name,
// by path under the mount ("media/out/movie/720p-<token>-3.ts"). Published by
// the playlist actor, read by the FUSE adapter and the transcoder workers from
// any thread.
//
// The truth is an index in a CatalogStore (RocksDB's "catalog" family in
// hlsfsd, keys in catalog_keys.h): a path, a directory's children and a
// token are each one point lookup or one prefix scan. Memory holds only a
// bounded cache (LRU by bytes) of the renditions and playlist texts being
// served; a rendition not in it is rebuilt by the loader from its record
// (catalog_loader.h), a media playlist's text from its rendition. So memory
// and start-up time do not grow with the number of titles.
#pragma once
#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <shared_mutex>
#include <string>
#include <vector>

#include "actors/playlist/catalog_store.h"
#include "actors/playlist/lru_cache.h"
#include "actors/playlist/rendition.h"
#include "hlsfs/media_info.h"

namespace hlsfs {

struct PublishedRendition {
  RenditionSpec spec;
  std::shared_ptr<const MediaInfo> media;
  std::string store;         // where the playlist and segments appear
  std::string dir;           // key of the directory holding them, "" or ending in '/'
  std::string source_store;  // where the source is read
  std::string source_key;
};

struct CatalogEntry {
  enum Kind { none, directory, text_file, segment_file } kind = none;
  std::shared_ptr<const std::string> text;                 // playlist bytes (kind text; null when only
                                                           // attributes were asked and the index had them)
  int64_t size = 0;                                        // kind text: its bytes' count
  std::shared_ptr<const PublishedRendition> rendition;     // kind segment
  uint32_t segment = 0;
};

struct CatalogOptions {
  // Bytes of renditions and playlist texts kept in memory (about: the
  // estimate counts plans, keyframe indexes and texts). SIZE_MAX: keep all.
  size_t cache_bytes = size_t{64} << 20;
};

// Rebuilds a rendition from its record; null when there is none (or it
// cannot be rebuilt: the loader logs why).
using RenditionLoader = std::function<std::shared_ptr<const PublishedRendition>(const std::string& token)>;

class Catalog {
 public:
  // In memory only, keeping everything (tests and tools that never restart).
  explicit Catalog(std::vector<std::string> stores);
  // Over a persistent index; renditions that leave the cache come back
  // through the loader (set_loader, before the first lookup).
  Catalog(std::vector<std::string> stores, std::shared_ptr<CatalogStore> store, CatalogOptions options);
  void set_loader(RenditionLoader loader);
  // Its index is in memory only (the first constructor): nothing survives it.
  bool in_memory() const { return dynamic_cast<MemoryCatalogStore*>(store_.get()) != nullptr; }

  // A rendition's playlist text: media_playlist(r->spec) (the usual one:
  // the index keeps its token and size, and makes it again when asked), or
  // another text, kept whole. `derived` says which; unknown compares.
  enum class TextIs { unknown, derived };
  void publish(std::shared_ptr<const PublishedRendition> r, const std::string& playlist_text,
               TextIs text_is = TextIs::unknown);
  void publish_text(const std::string& store, const std::string& key, const std::string& text);
  // Takes a published playlist out of the mount (a media playlist's
  // rendition too: its segments no longer resolve, unless the loader still
  // finds its record: delete that first). Its directories stay.
  void unpublish(const std::string& path);
  // Library mode (actors/library): a directory shown before any title in it
  // is published, and a title's directory taken away with everything under
  // it (its source changed or went away). withdraw returns the tokens of the
  // renditions it took away (and adds the state keys of the masters that
  // listed them to master_keys); a store's root is never withdrawn.
  void publish_dir(const std::string& path);
  std::vector<std::string> withdraw(const std::string& dir_path, std::vector<std::string>* master_keys = nullptr);

  // path: relative to the mount, no leading '/'. "" is the root.
  // Want::attributes: what a stat needs (the kind; a playlist's size, from
  // its index entry when it has it, without making or caching the text: a
  // crawl of the mount loads no rendition). The segment of a rendition
  // still loads it (its token is all its name says).
  enum class Want { everything, attributes };
  CatalogEntry resolve(const std::string& path, Want want = Want::everything) const;
  struct Child {
    std::string name;
    CatalogEntry::Kind kind;
  };
  // Directories and text files under a directory path (segments are not
  // listed here: the FUSE adapter adds the ones that exist in the cache).
  // Every child at once: prefer list_page for directories that may be large.
  std::vector<Child> list(const std::string& dir_path) const;
  // At most `max` children whose names sort after `after` ("" = from the
  // first), in name order: a listing resumes from the last name it got.
  std::vector<Child> list_page(const std::string& dir_path, const std::string& after, size_t max) const;
  // Renditions whose segments live in this directory (each loaded).
  std::vector<std::shared_ptr<const PublishedRendition>> renditions_in(const std::string& dir_path) const;
  // Their tokens, in order, after `after`, at most max (nothing loaded).
  std::vector<std::string> tokens_in(const std::string& dir_path, const std::string& after, size_t max) const;
  std::shared_ptr<const PublishedRendition> by_token(const std::string& token) const;
  // Renditions in the index (not only those in memory).
  size_t rendition_count() const { return count_.load(); }

  // What the memory cache holds now.
  struct CacheStats {
    size_t renditions = 0, texts = 0, bytes = 0;
  };
  CacheStats cache_stats() const;

  // "720p-<32 hex>-12.ts" -> {"720p", token, 12}.
  struct SegmentName {
    std::string prefix, token;
    uint32_t index;
  };
  static std::optional<SegmentName> parse_segment_name(const std::string& name);

 private:
  CatalogEntry entry_of(const std::string& path, const std::string& value, bool attributes_only) const;
  CatalogEntry resolve_segment(const std::string& dir, const std::string& name) const;
  std::shared_ptr<const std::string> text_of(const std::string& path, const std::string& value) const;
  // An index entry an older build wrote ("r<token>", no size and format):
  // once its text is made, record them, unless the entry changed meanwhile.
  void record_size(const std::string& path, const std::string& old_value, size_t size) const;
  void remember(const std::shared_ptr<const PublishedRendition>& r) const;

  std::set<std::string> stores_;
  std::shared_ptr<CatalogStore> store_;
  RenditionLoader loader_;
  // Index writes: publishes read the rendition count, then write it, and
  // record_size writes only over the entry it read.
  mutable std::mutex write_mu_;
  std::atomic<size_t> count_{0};
  mutable LruCache<std::string, PublishedRendition> renditions_;  // by token
  mutable LruCache<std::string, std::string> texts_;              // by path
};

}  // namespace hlsfs
