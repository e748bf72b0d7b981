#define FUSE_USE_VERSION 34
#include "fuse/hlsfs_fuse.h"

#include <fcntl.h>
#include <fuse3/fuse_lowlevel.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstddef>
#include <cstring>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <shared_mutex>
#include <type_traits>
#include <vector>

#include "actors/storage/atomic_file.h"
#include "actors/daemon_metrics.h"
#include "actors/transcoder/heap_policy.h"
#include "fuse/dir_listing.h"
#include "fuse/heap_return_schedule.h"
#include "fuse/inode_table.h"
#include "hlsfs/log.h"
#include "hlsfs/path_join.h"

namespace hlsfs {

namespace {
// Segments never change under a name (the token names the bytes): the
// kernel may keep their attributes. Playlists may be rewritten: short.
constexpr double kSegmentTimeout = 3600.0;
constexpr double kTextTimeout = 1.0;
// readdir's d_ino for a name the kernel has not looked up (libfuse's
// FUSE_UNKNOWN_INO): listing a directory must not make inodes, only a
// lookup does, so that forget can take them back.
constexpr uint64_t kUnknownIno = 0xffffffff;
// The smallest entry fuse_add_direntry writes (24 bytes and a one-byte name,
// 8-aligned): a reply of `size` bytes holds at most size / 32 entries.
constexpr size_t kMinDirent = 32;

// What a reader gets for a segment that could not be made: ENOENT (no such
// segment), EBUSY (too many jobs queued or readers waiting: try again), or
// EIO (the job failed, or made no progress for transcoder.job_timeout; the
// log says why).
int reader_errno(int32_t err) { return err == ENOENT || err == EBUSY ? err : EIO; }

// Answers that come from actors after the mount stopped must touch neither
// the FUSE session (destroyed) nor the mount's state (gone): stop() closes
// the gate first, and they are dropped (their requests died with the mount).
struct ReplyGate {
  std::shared_mutex mu;
  bool closed = false;
};
}  // namespace

struct FuseMount::Impl {
  caf::actor_system& sys;
  std::shared_ptr<Services> svc;
  segment_cache_actor cache;
  bool allow_other;
  std::shared_ptr<InodeTable> inodes = std::make_shared<InodeTable>();
  // When forgets give the heap back (see op_forget_multi).
  std::mutex trim_mu;
  HeapReturnSchedule trims;
  fuse_session* se = nullptr;
  uid_t uid = getuid();
  gid_t gid = getgid();
  // Which segment each open file handle is: its close is told to the segment cache.
  std::mutex fh_mu;
  std::map<uint64_t, std::pair<std::string, uint32_t>> fh_segment;
  std::shared_ptr<ReplyGate> gate = std::make_shared<ReplyGate>();

  // Handles made at start: a request costs one atomic add, no lookup.
  const DaemonMetrics::Fuse* metrics = nullptr;

  Impl(caf::actor_system& s, std::shared_ptr<Services> v, segment_cache_actor c, bool ao)
      : sys(s), svc(std::move(v)), cache(std::move(c)), allow_other(ao),
        metrics(svc->meters ? &svc->meters->fuse : nullptr) {}

  void count(Counter* DaemonMetrics::Fuse::*op) const {
    if (metrics) (metrics->*op)->inc();
  }
  // The errno a reader gets for a segment it cannot have, counted.
  int refuse(int32_t err) const {
    int e = reader_errno(err);
    if (metrics) metrics->read_error(e).inc();
    return e;
  }

  struct stat attr_of(uint64_t ino, const CatalogEntry& e, int64_t size) const {
    struct stat st {};
    st.st_ino = ino;
    st.st_uid = uid;
    st.st_gid = gid;
    st.st_nlink = 1;
    if (e.kind == CatalogEntry::directory) {
      st.st_mode = S_IFDIR | 0555;
      st.st_nlink = 2;
    } else {
      st.st_mode = S_IFREG | 0444;
      st.st_size = size;
      st.st_blocks = (size + 511) / 512;
    }
    return st;
  }

  double timeout_of(const CatalogEntry& e) const {
    return e.kind == CatalogEntry::segment_file ? kSegmentTimeout : kTextTimeout;
  }

  // Asks the segment cache (the owner of segment state) and calls
  // done(answer) from an actor when it answers: FUSE's thread returns at
  // once. An answer that comes after the mount stopped goes to dropped
  // instead (it may hold a descriptor). (No monitor of the cache: in CAF 0.17
  // a monitor outlives its monitoring actor and keeps its memory, about 800
  // bytes per request. The cache answers every request before hlsfsd stops
  // it: the unmount waits for those answers.)
  template <class Request, class Answer, class Done, class Dropped = std::nullptr_t>
  void ask(Request request, Answer if_lost, Done done, Dropped dropped = nullptr) {
    auto cache_handle = cache;
    auto gate_handle = gate;
    sys.spawn([=](caf::event_based_actor* self) {
      auto answer = [=](const Answer& a) {
        {
          std::shared_lock<std::shared_mutex> lock(gate_handle->mu);
          if (!gate_handle->closed) done(a);
          else if constexpr (!std::is_same_v<Dropped, std::nullptr_t>) dropped(a);
        }
        self->quit();
      };
      self->request(cache_handle, caf::infinite, request)
          .then([=](Answer& a) { answer(a); }, [=](caf::error&) { answer(if_lost); });
    });
  }

  bool finder_confirms(const std::string& path) const {
    for (const auto& f : svc->title_finders)
      if (f->confirms(path)) return true;
    return false;
  }

  // A lookup the catalog missed: asks finder i, then the next, until one
  // publishes the path (answered like any lookup) or none has it (ENOENT).
  // The FUSE thread returns at once; the answer comes from the finder's thread.
  void find_title(fuse_req_t req, std::string path, size_t i) {
    auto gate_handle = gate;
    svc->title_finders[i]->find(path, [this, req, path, i, gate_handle](bool found) {
      std::shared_lock<std::shared_mutex> lock(gate_handle->mu);
      if (gate_handle->closed) return;
      CatalogEntry e = found ? svc->catalog->resolve(path, Catalog::Want::attributes) : CatalogEntry{};
      if (e.kind != CatalogEntry::none) return answer_entry(req, 0, path, e);
      if (i + 1 >= svc->title_finders.size()) return (void)fuse_reply_err(req, ENOENT);
      lock.unlock();  // the next finder may answer on this thread
      find_title(req, path, i + 1);
    });
  }

  // Answers a lookup (of path: ino 0) or a getattr (of ino) for a resolved
  // entry. A lookup's inode is counted when its reply is sent (it may be
  // seconds later, once a segment is made), and uncounted if the kernel
  // refused the reply (the request was interrupted), as libfuse does.
  void answer_entry(fuse_req_t req, uint64_t ino, const std::string& path, const CatalogEntry& e) {
    const bool as_entry = ino == 0;
    auto inode_table = inodes;
    auto reply = [=](int64_t size) {
      if (as_entry) {
        fuse_entry_param p{};
        p.ino = inode_table->lookup(path);
        p.attr = attr_of(p.ino, e, size);
        p.attr_timeout = p.entry_timeout = timeout_of(e);
        if (fuse_reply_entry(req, &p) == -ENOENT) inode_table->forget(p.ino, 1);
      } else {
        struct stat st = attr_of(ino, e, size);
        fuse_reply_attr(req, &st, timeout_of(e));
      }
    };
    switch (e.kind) {
      case CatalogEntry::none:
        fuse_reply_err(req, ENOENT);
        return;
      case CatalogEntry::directory:
        reply(0);
        return;
      case CatalogEntry::text_file:
        reply(e.size);
        return;
      case CatalogEntry::segment_file:
        // Its size is known once it is made (a few seconds when it is not yet).
        ask(StatSegment{e.rendition->spec.token, e.segment}, SegmentSize{EIO, 0}, [=](const SegmentSize& s) {
          if (s.err) {
            fuse_reply_err(req, refuse(s.err));
          } else {
            reply(s.size);
          }
        });
        return;
    }
  }
};

namespace {

FuseMount::Impl* impl_of(fuse_req_t req) { return static_cast<FuseMount::Impl*>(fuse_req_userdata(req)); }

std::string parent_path(const std::string& path) {
  auto slash = path.rfind('/');
  return slash == std::string::npos ? "" : path.substr(0, slash);
}

void op_init(void*, fuse_conn_info* conn) {
  // Zero-copy reads of cached segments: the kernel splices from our file.
  if (conn->capable & FUSE_CAP_SPLICE_WRITE) conn->want |= FUSE_CAP_SPLICE_WRITE;
  if (conn->capable & FUSE_CAP_SPLICE_MOVE) conn->want |= FUSE_CAP_SPLICE_MOVE;
}

void op_lookup(fuse_req_t req, fuse_ino_t parent, const char* name) {
  auto* m = impl_of(req);
  m->count(&DaemonMetrics::Fuse::lookup);
  auto dir = m->inodes->path_of(parent);
  if (!dir) return (void)fuse_reply_err(req, ENOENT);
  std::string path = join_path(*dir, name);
  // A stat's: a crawl (find, an indexer) makes no playlist text.
  CatalogEntry e = m->svc->catalog->resolve(path, Catalog::Want::attributes);
  // A library's directories and titles are confirmed by their finder (the
  // file may have changed or gone): each lookup past the kernel's timeout.
  if (e.kind != CatalogEntry::none && !m->finder_confirms(path)) return m->answer_entry(req, 0, path, e);
  if (m->svc->title_finders.empty()) return (void)fuse_reply_err(req, ENOENT);
  m->find_title(req, std::move(path), 0);
}

void op_getattr(fuse_req_t req, fuse_ino_t ino, fuse_file_info*) {
  auto* m = impl_of(req);
  m->count(&DaemonMetrics::Fuse::getattr);
  auto path = m->inodes->path_of(ino);
  if (!path) return (void)fuse_reply_err(req, ENOENT);
  m->answer_entry(req, ino, *path, m->svc->catalog->resolve(*path, Catalog::Want::attributes));
}

void op_open(fuse_req_t req, fuse_ino_t ino, fuse_file_info* fi) {
  auto* m = impl_of(req);
  m->count(&DaemonMetrics::Fuse::open);
  if ((fi->flags & O_ACCMODE) != O_RDONLY) return (void)fuse_reply_err(req, EROFS);
  auto path = m->inodes->path_of(ino);
  if (!path) return (void)fuse_reply_err(req, ENOENT);
  // The whole entry: a playlist's text is made (and cached for the read)
  // now, so that one whose rendition cannot be loaded (its record deleted
  // before its index entry) fails here with ENOENT, which nginx answers
  // with a 404, not in the middle of a response.
  CatalogEntry e = m->svc->catalog->resolve(*path);
  if (e.kind == CatalogEntry::text_file) {
    fi->fh = 0;
    fi->direct_io = 1;  // size may change when a playlist is rewritten
    return (void)fuse_reply_open(req, fi);
  }
  if (e.kind != CatalogEntry::segment_file) return (void)fuse_reply_err(req, e.kind == CatalogEntry::none ? ENOENT : EISDIR);
  // One request, even when cached: the segment cache records the access,
  // queues the next segments, opens the file and counts it open.
  fuse_file_info info = *fi;
  std::string token = e.rendition->spec.token;
  uint32_t n = e.segment;
  auto cache = m->cache;
  m->ask(
      OpenSegment{token, n}, OpenedSegment{EIO, -1, 0},
      [m, req, info, token, n](const OpenedSegment& o) {
        if (o.err) return (void)fuse_reply_err(req, m->refuse(o.err));
        fuse_file_info reply = info;
        reply.fh = static_cast<uint64_t>(o.fd) + 1;  // 0 means "a text file"
        reply.keep_cache = 1;  // same name, same bytes
        {
          std::lock_guard<std::mutex> lock(m->fh_mu);
          m->fh_segment[reply.fh] = {token, n};
        }
        if (fuse_reply_open(req, &reply) == -ENOENT) {  // the caller went away
          {
            std::lock_guard<std::mutex> lock(m->fh_mu);
            m->fh_segment.erase(reply.fh);
          }
          close(o.fd);
          caf::anon_send(m->cache, CloseSegment{token, n});
        }
      },
      [cache, token, n](const OpenedSegment& o) {  // the mount stopped meanwhile
        if (o.err) return;
        close(o.fd);
        caf::anon_send(cache, CloseSegment{token, n});
      });
}

void op_read(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off, fuse_file_info* fi) {
  auto* m = impl_of(req);
  m->count(&DaemonMetrics::Fuse::read);
  if (fi->fh == 0) {
    auto path = m->inodes->path_of(ino);
    CatalogEntry e = path ? m->svc->catalog->resolve(*path) : CatalogEntry{};
    if (e.kind != CatalogEntry::text_file) return (void)fuse_reply_err(req, ENOENT);
    const std::string& t = *e.text;
    if (off >= static_cast<off_t>(t.size())) return (void)fuse_reply_buf(req, nullptr, 0);
    return (void)fuse_reply_buf(req, t.data() + off, std::min(size, t.size() - static_cast<size_t>(off)));
  }
  fuse_bufvec buf = FUSE_BUFVEC_INIT(size);
  buf.buf[0].flags = static_cast<fuse_buf_flags>(FUSE_BUF_IS_FD | FUSE_BUF_FD_SEEK);
  buf.buf[0].fd = static_cast<int>(fi->fh - 1);
  buf.buf[0].pos = off;
  fuse_reply_data(req, &buf, FUSE_BUF_SPLICE_MOVE);
}

void op_release(fuse_req_t req, fuse_ino_t, fuse_file_info* fi) {
  auto* m = impl_of(req);
  if (fi->fh) {
    std::pair<std::string, uint32_t> seg;
    bool known = false;
    {
      std::lock_guard<std::mutex> lock(m->fh_mu);
      auto it = m->fh_segment.find(fi->fh);
      if (it != m->fh_segment.end()) {
        seg = it->second;
        known = true;
        m->fh_segment.erase(it);
      }
    }
    close(static_cast<int>(fi->fh - 1));
    if (known) caf::anon_send(m->cache, CloseSegment{seg.first, seg.second});
  }
  fuse_reply_err(req, 0);
}

void op_opendir(fuse_req_t req, fuse_ino_t ino, fuse_file_info* fi) {
  auto* m = impl_of(req);
  m->count(&DaemonMetrics::Fuse::opendir);
  auto path = m->inodes->path_of(ino);
  if (!path || m->svc->catalog->resolve(*path, Catalog::Want::attributes).kind != CatalogEntry::directory)
    return (void)fuse_reply_err(req, ENOTDIR);
  auto* dir = new OpenDirectory(*path);
  fi->fh = reinterpret_cast<uint64_t>(dir);
  if (fuse_reply_open(req, fi) == -ENOENT) delete dir;  // the caller went away: no releasedir
}

void op_releasedir(fuse_req_t req, fuse_ino_t, fuse_file_info* fi) {
  delete reinterpret_cast<OpenDirectory*>(fi->fh);
  fuse_reply_err(req, 0);
}

// A library directory lists the store's own files (TitleFinder::lists), not
// the catalog, a page at a time: an offset resumes after the name it
// followed (the cursors this handle handed out lately: dir_listing.h), so a
// directory of any size lists each name once, with one page in memory. An
// offset it did not hand out lately (a seekdir to an old telldir) is found
// by counting entries from the start. "." and ".." come first.
struct FinderReaddir : std::enable_shared_from_this<FinderReaddir> {
  FuseMount::Impl* m;
  fuse_req_t req;
  fuse_ino_t ino;
  OpenDirectory* dir;  // open until this reply: the kernel holds it during readdir
  size_t size;
  off_t off;
  std::shared_ptr<ReplyGate> gate;
  TitleFinder* finder = nullptr;
  bool dots[2] = {false, false};  // "." and ".." still to list
  off_t skip = 0;                 // names still to pass over (an offset counted from the start)

  void ask(const std::string& after) {
    auto self = shared_from_this();
    finder->lists(dir->path(), after, [self](TitleFinder::Listing names) { self->page(std::move(names)); });
  }

  void page(TitleFinder::Listing names) {
    std::shared_lock<std::shared_mutex> lock(gate->mu);
    if (gate->closed) return;
    if (skip > 0 && !names.empty()) {
      const size_t passed = static_cast<size_t>(std::min<off_t>(skip, static_cast<off_t>(names.size())));
      skip -= static_cast<off_t>(passed);
      const std::string last = names[passed - 1].after;
      names.erase(names.begin(), names.begin() + static_cast<std::ptrdiff_t>(passed));
      if (skip > 0 || names.empty()) {
        lock.unlock();
        return ask(last);
      }
    }
    const std::string& path = dir->path();
    std::vector<char> out(size);
    size_t used = 0;
    off_t ordinal = off;
    std::map<off_t, DirCursor> handed;
    auto add = [&](const std::string& name, bool is_dir, fuse_ino_t entry_ino, const DirCursor& after) {
      struct stat st {};
      st.st_mode = is_dir ? S_IFDIR : S_IFREG;
      st.st_ino = entry_ino;
      size_t need = fuse_add_direntry(req, out.data() + used, size - used, name.c_str(), &st, ordinal + 1);
      if (need > size - used) return false;
      used += need;
      handed[++ordinal] = after;
      return true;
    };
    bool room = true;
    if (dots[0]) room = add(".", true, ino, DirCursor{DirCursor::after_dot, "", 0});
    if (room && dots[1])
      room = add("..", true, m->inodes->peek(parent_path(path)).value_or(kUnknownIno),
                 DirCursor{DirCursor::after_dotdot, "", 0});
    for (size_t i = 0; room && skip == 0 && i < names.size(); ++i)
      room = add(names[i].name, names[i].is_dir, m->inodes->peek(join_path(path, names[i].name)).value_or(kUnknownIno),
                 DirCursor{DirCursor::after_child, names[i].after, 0});
    if (!handed.empty()) {  // the end of the listing keeps the cursors before it
      // Released before the reply: once it is sent, the directory may be
      // closed (releasedir deletes `dir` on another thread).
      std::lock_guard<std::mutex> dir_lock(dir->mutex());
      dir->handed_out(std::move(handed));
    }
    fuse_reply_buf(req, out.data(), used);
  }
};

bool readdir_from_finder(FuseMount::Impl* m, fuse_req_t req, fuse_ino_t ino, OpenDirectory* dir, size_t size,
                         off_t off) {
  auto r = std::make_shared<FinderReaddir>();
  r->m = m;
  r->req = req;
  r->ino = ino;
  r->dir = dir;
  r->size = size;
  r->off = off;
  r->gate = m->gate;
  std::optional<DirCursor> from;
  {
    std::lock_guard<std::mutex> lock(dir->mutex());
    from = dir->cursor_at(off);
  }
  std::string after;
  if (!from) {  // counted from the start
    r->dots[0] = off < 1;
    r->dots[1] = off < 2;
    r->skip = std::max<off_t>(off - 2, 0);
  } else {
    r->dots[0] = from->phase == DirCursor::start;
    r->dots[1] = from->phase == DirCursor::start || from->phase == DirCursor::after_dot;
    if (from->phase == DirCursor::after_child) after = from->name;
  }
  for (const auto& f : m->svc->title_finders) {
    r->finder = f.get();  // before: the answer may come at once
    if (f->lists(dir->path(), after, [r](TitleFinder::Listing names) { r->page(std::move(names)); })) return true;
  }
  return false;
}

// One page: directories, playlists, then the segments that exist now, from
// where the offset says the last page ended (segment_listing.h), listed by
// the segment cache. Entries carry the inode the kernel already knows, or
// none: a listing makes no inodes.
void op_readdir(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off, fuse_file_info* fi) {
  auto* m = impl_of(req);
  m->count(&DaemonMetrics::Fuse::readdir);
  auto* dir = reinterpret_cast<OpenDirectory*>(fi->fh);
  if (!dir) return (void)fuse_reply_err(req, EBADF);
  if (readdir_from_finder(m, req, ino, dir, size, off)) return;
  ListDirectory page_of{dir->path(), DirCursor{}, 0, static_cast<uint32_t>(size / kMinDirent + 1)};
  {
    std::lock_guard<std::mutex> lock(dir->mutex());
    std::optional<DirCursor> from = dir->cursor_at(off);
    page_of.from = from.value_or(DirCursor{});
    page_of.skip = from ? 0 : off;  // an offset this handle did not hand out lately: counted from the start
  }
  // The directory stays open until this answer: the kernel holds it during readdir.
  m->ask(std::move(page_of), DirPage{{}, "the segment cache did not answer"},
         [m, req, ino, size, off, dir](const DirPage& page) {
           const std::string& path = dir->path();
           std::vector<char> out(size);
           size_t used = 0;
           off_t ordinal = off;
           std::map<off_t, DirCursor> handed;
           for (const DirPageEntry& e : page.entries) {
             struct stat st {};
             st.st_mode = e.is_dir ? S_IFDIR : S_IFREG;
             if (e.name == ".") st.st_ino = ino;
             else
               st.st_ino =
                   m->inodes->peek(e.name == ".." ? parent_path(path) : join_path(path, e.name)).value_or(kUnknownIno);
             size_t need = fuse_add_direntry(req, out.data() + used, size - used, e.name.c_str(), &st, ordinal + 1);
             if (need > size - used) break;
             used += need;
             handed[++ordinal] = e.after;
           }
           if (!page.error.empty()) {
             HLSFS_LOG(warning, "fuse") << "readdir " << path << ": " << page.error;
             if (used == 0) return (void)fuse_reply_err(req, EIO);
           }
           {
             // Released before the reply: once it is sent, the directory may
             // be closed (releasedir deletes `dir` on another thread).
             std::lock_guard<std::mutex> lock(dir->mutex());
             dir->handed_out(std::move(handed));
           }
           fuse_reply_buf(req, out.data(), used);
         });
}

void op_forget(fuse_req_t req, fuse_ino_t ino, uint64_t nlookup) {
  auto* m = impl_of(req);
  m->count(&DaemonMetrics::Fuse::forget);
  m->inodes->forget(ino, nlookup);
  fuse_reply_none(req);
}

void op_forget_multi(fuse_req_t req, size_t count, fuse_forget_data* forgets) {
  auto* m = impl_of(req);
  for (size_t i = 0; i < count; ++i) {
    m->count(&DaemonMetrics::Fuse::forget);
    m->inodes->forget(forgets[i].ino, forgets[i].nlookup);
  }
  fuse_reply_none(req);
  // After a crawl the kernel forgets hundreds of thousands of names.
  bool trim;
  {
    std::lock_guard<std::mutex> lock(m->trim_mu);
    trim = m->trims.should_trim(m->inodes->size());
  }
  if (trim) return_free_memory();
}

void op_statfs(fuse_req_t req, fuse_ino_t) {
  auto* m = impl_of(req);
  struct statvfs st {};
  if (statvfs(m->svc->cache_dir.c_str(), &st) != 0) return (void)fuse_reply_err(req, errno);
  st.f_flag |= ST_RDONLY;
  fuse_reply_statfs(req, &st);
}

}  // namespace

bool clean_stale_mount(const std::string& mountpoint) {
  // Forced past the kernel's attribute cache: the root of a dead mount still
  // answers a plain stat() from it for a while.
  struct statx stx {};
  if (statx(AT_FDCWD, mountpoint.c_str(), AT_STATX_FORCE_SYNC, STATX_BASIC_STATS, &stx) == 0 || errno != ENOTCONN)
    return false;
  // "Transport endpoint is not connected": a FUSE mount whose daemon died.
  if (umount2(mountpoint.c_str(), MNT_DETACH) == 0) return true;
  std::string cmd = "fusermount3 -u -z '" + mountpoint + "' 2>/dev/null";
  return system(cmd.c_str()) == 0;
}

FuseMount::FuseMount(caf::actor_system& sys, std::shared_ptr<Services> svc, segment_cache_actor cache,
                     std::string mountpoint, bool allow_other)
    : impl_(std::make_unique<Impl>(sys, std::move(svc), std::move(cache), allow_other)),
      mountpoint_(std::move(mountpoint)) {
  if (impl_->svc->metrics)
    impl_->svc->metrics->gauge_callback("hlsfs_fuse_inodes", "Inodes the kernel holds (looked up, not yet forgotten)",
                                        [inodes = impl_->inodes] { return static_cast<double>(inodes->size()); });
}

FuseMount::~FuseMount() { stop(); }

void FuseMount::start() {
  if (clean_stale_mount(mountpoint_)) HLSFS_LOG(warning, "fuse") << "cleaned a stale mount at " << mountpoint_;
  make_dirs(mountpoint_);
  static const fuse_lowlevel_ops ops = [] {
    fuse_lowlevel_ops o{};
    o.init = op_init;
    o.lookup = op_lookup;
    o.getattr = op_getattr;
    o.open = op_open;
    o.read = op_read;
    o.release = op_release;
    o.opendir = op_opendir;
    o.readdir = op_readdir;
    o.releasedir = op_releasedir;
    o.forget = op_forget;
    o.forget_multi = op_forget_multi;
    o.statfs = op_statfs;
    return o;
  }();
  std::vector<std::string> argv_s{"hlsfsd", "-o", "ro", "-o", "fsname=hlsfs", "-o", "subtype=hlsfs",
                                  "-o", "default_permissions"};
  if (impl_->allow_other) argv_s.insert(argv_s.end(), {"-o", "allow_other"});
  std::vector<char*> argv;
  for (auto& a : argv_s) argv.push_back(a.data());
  fuse_args args = FUSE_ARGS_INIT(static_cast<int>(argv.size()), argv.data());
  impl_->se = fuse_session_new(&args, &ops, sizeof ops, impl_.get());
  fuse_opt_free_args(&args);
  if (!impl_->se) throw std::runtime_error("cannot create the FUSE session (is /dev/fuse available?)");
  if (fuse_session_mount(impl_->se, mountpoint_.c_str()) != 0) {
    fuse_session_destroy(impl_->se);
    impl_->se = nullptr;
    throw std::runtime_error("cannot mount " + mountpoint_ +
                             " (FUSE: is fuse3 installed, and user_allow_other set in /etc/fuse.conf?)");
  }
  loop_ = std::thread([this] {
    fuse_loop_config cfg{};
    cfg.clone_fd = 1;
    cfg.max_idle_threads = 16;
    int rc = fuse_session_loop_mt(impl_->se, &cfg);
    if (rc != 0) HLSFS_LOG(warning, "fuse") << "session loop ended with " << rc;
  });
  HLSFS_LOG(info, "fuse") << "mounted " << mountpoint_;
}

void FuseMount::stop() {
  if (!impl_ || !impl_->se) return;
  fuse_session_exit(impl_->se);
  fuse_session_unmount(impl_->se);  // wakes the loop: /dev/fuse reads fail
  if (loop_.joinable()) loop_.join();
  {
    std::unique_lock<std::shared_mutex> lock(impl_->gate->mu);  // waits for answers being sent
    impl_->gate->closed = true;
  }
  fuse_session_destroy(impl_->se);
  impl_->se = nullptr;
  HLSFS_LOG(info, "fuse") << "unmounted " << mountpoint_;
}

}  // namespace hlsfs
