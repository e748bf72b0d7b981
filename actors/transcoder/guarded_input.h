// Opening a demuxer over I/O of our own, with every way out of the source
// closed: no protocol (nothing is opened by name), no nested open (a
// manifest or a data reference cannot reach another file), and only the
// demuxers of source_formats.h. Every source is opened here, local files
// (through a descriptor the store opened and checked) and objects alike.
#pragma once
#include <memory>
#include <string>

#include "actors/transcoder/av_util.h"

namespace hlsfs {

// Decoders refuse pictures larger than this (8192x8192; 8K UHD is 33 Mpx): a
// crafted header cannot make a decoder allocate gigabytes per frame.
constexpr int64_t kMaxPicturePixels = 8192LL * 8192;

// The custom I/O of one input: its AVIOContext and what backs it. Freed with
// the input (InputCloser).
struct GuardedIo : CustomInput {
  AVIOContext* avio = nullptr;
  std::string error;  // set by a failed read: the reason to report instead of libav's
  ~GuardedIo() override;
};

// Gives `io` its AVIOContext (a 64 KiB buffer, seekable) over `read` and
// `seek`, whose opaque is the GuardedIo itself.
void attach_avio(GuardedIo& io, int (*read)(void*, uint8_t*, int), int64_t (*seek)(void*, int64_t, int));

// Opens `name` through io->avio (which must be set). `name` is what demuxers
// guess from and what messages show: the source URI. MediaError when the
// bytes are not media, or are media of a refused format (naming it and why).
InputPtr open_guarded_input(std::unique_ptr<GuardedIo> io, const std::string& name);

// Reads a file through a descriptor the caller opened (and checked): the
// input owns it from here on, and reads it with pread(), never by name.
InputPtr open_fd_input(int fd, const std::string& name);
// The same, of a file whose size the caller knows: nothing but pread() on
// the descriptor (a worker process, whose user a FUSE store root without
// allow_other refuses fstat, reads a descriptor the daemon opened).
InputPtr open_fd_input(int fd, const std::string& name, int64_t size);

}  // namespace hlsfs
