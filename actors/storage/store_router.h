// Which configured store holds a URI, and under which key. file:///abs/path
// belongs to the local store whose root is the longest prefix of the path;
// s3://bucket/key and oss://bucket/key to the store of that plugin and bucket.
#pragma once
#include <optional>
#include <string>
#include <vector>

namespace hlsfs {

struct StoreLocation {
  std::string store;  // configured name: the directory <mount>/<store>/
  std::string key;    // object key relative to the store ("out/movie/720p.m3u8")
};

class StoreRouter {
 public:
  void add_local(const std::string& store, const std::string& root);
  void add_bucket(const std::string& store, const std::string& scheme, const std::string& bucket,
                  const std::string& prefix = "");
  // nullopt: no store holds this URI (or it escapes its store with "..").
  std::optional<StoreLocation> locate(const std::string& uri) const;
  // The inverse, for messages and the response: store + key -> URI.
  std::optional<std::string> uri_of(const StoreLocation& loc) const;
  // "media -> /srv/media, s3data -> s3://bucket/" for error messages.
  std::string describe() const;

 private:
  struct Route {
    std::string store, scheme, base;  // base: "/srv/media/" or "bucket/prefix/"
  };
  std::vector<Route> routes_;
};

// True when a key has no empty, "." or ".." element and no leading '/'.
bool is_clean_key(const std::string& key);

}  // namespace hlsfs
