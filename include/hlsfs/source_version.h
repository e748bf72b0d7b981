// A source's version (SourceIdentity::version) for a local file, and how a
// recorded version is compared with the file as it is now.
//
// An object store's version is its ETag: compared as it is. A local file's
// is "<mtime_ns>:i<inode>:c<ctime_ns>" when first read. Size and mtime
// alone miss a file replaced by one of the same size with its mtime set
// back (`cp -p`, `touch -r`, an atomic rename of such a copy): the inode
// changes on a replace by rename, the ctime on any write (and on utimens,
// which is how an mtime is set back).
//
// What a record keeps decides how it is checked (same_source_version):
//   - library titles keep all three: any rewrite gives a new token. ctime
//     also changes on chmod, chown and link, and then the title is made
//     again with a new token: spurious, but harmless for a title made on
//     lookup.
//   - generated playlists (GenerateVideoPlaylist) keep "<mtime>" only
//     (generated_source_version), as before these fields existed: their
//     recorded identity is checked before every segment, and neither a
//     chmod (ctime) nor a move to another disk or a restore from a backup
//     that keeps the mtime (a new inode, the same bytes) may stop a
//     published title. A same-size rewrite with the mtime set back is not
//     seen there (documented); their tokens are those of earlier builds.
//   - records made before these fields existed hold "<mtime>" only and
//     are checked as they were (size and mtime): they keep serving.
#pragma once
#include <cstdint>
#include <optional>
#include <string>

namespace hlsfs {

struct LocalVersion {
  int64_t mtime_ns = 0;
  std::optional<uint64_t> ino;
  std::optional<int64_t> ctime_ns;
};

inline std::string local_file_version(int64_t mtime_ns, uint64_t ino, int64_t ctime_ns) {
  std::string v = std::to_string(mtime_ns);
  if (ino == 0) return v;  // unknown: as before
  v += ":i" + std::to_string(ino);
  if (ctime_ns != 0) v += ":c" + std::to_string(ctime_ns);
  return v;
}

// nullopt for anything that is not a local file's version (an ETag).
inline std::optional<LocalVersion> parse_local_version(const std::string& v) {
  auto digits = [&](size_t from, size_t to) {
    if (from >= to || to - from > 20) return false;
    for (size_t i = from; i < to; ++i)
      if (v[i] < '0' || v[i] > '9') return false;
    return true;
  };
  LocalVersion out;
  size_t end = v.find(':');
  if (end == std::string::npos) end = v.size();
  size_t from = 0;
  if (!v.empty() && v[0] == '-') from = 1;  // an mtime before 1970
  if (!digits(from, end)) return std::nullopt;
  try {
    out.mtime_ns = std::stoll(v.substr(0, end));
    size_t at = end;
    while (at < v.size()) {
      if (v[at] != ':' || at + 1 >= v.size()) return std::nullopt;
      char tag = v[at + 1];
      size_t next = v.find(':', at + 1);
      if (next == std::string::npos) next = v.size();
      if (!digits(at + 2, next)) return std::nullopt;
      std::string n = v.substr(at + 2, next - at - 2);
      if (tag == 'i' && !out.ino && !out.ctime_ns) out.ino = std::stoull(n);
      else if (tag == 'c' && out.ino && !out.ctime_ns) out.ctime_ns = std::stoll(n);
      else return std::nullopt;
      at = next;
    }
  } catch (const std::exception&) {
    return std::nullopt;
  }
  return out;
}

// The form generated playlists record: the mtime alone (an ETag as it is).
inline std::string generated_source_version(const std::string& version) {
  auto l = parse_local_version(version);
  return l ? std::to_string(l->mtime_ns) : version;
}

// The ctime left out (the quarantine: a chmod does not lift it, a file
// renamed over the source does).
inline std::string without_ctime(const std::string& version) {
  auto l = parse_local_version(version);
  if (!l || !l->ctime_ns) return version;
  return local_file_version(l->mtime_ns, *l->ino, 0);
}

// Whether a file whose version is `now` (read just now, every field) is the
// version a record holds: compared on the fields the record has.
inline bool same_source_version(const std::string& recorded, const std::string& now) {
  if (recorded == now) return true;
  auto r = parse_local_version(recorded);
  auto n = parse_local_version(now);
  if (!r || !n) return false;  // ETags: equal or not
  if (r->mtime_ns != n->mtime_ns) return false;
  if (r->ino && r->ino != n->ino) return false;
  if (r->ctime_ns && r->ctime_ns != n->ctime_ns) return false;
  return true;
}

// A local version recorded before inodes were (mtime only).
inline bool is_mtime_only_version(const std::string& v) {
  auto l = parse_local_version(v);
  return l && !l->ino;
}

}  // namespace hlsfs
