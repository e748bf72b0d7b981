// Where source bytes come from. Every opener hands the demuxer its bytes
// through I/O of our own (guarded_input.h): a source never opens another file.
#pragma once
#include <string>

#include "actors/transcoder/av_util.h"
#include "hlsfs/media_info.h"

namespace hlsfs {

class SourceOpener {
 public:
  virtual ~SourceOpener() = default;
  // Size and version of the source (MediaError when it cannot be read).
  virtual SourceIdentity identify(const std::string& uri) = 0;
  // An opened demuxer (avformat_open_input done, no stream info yet).
  virtual InputPtr open(const std::string& uri) = 0;
  // Bytes fetched from object stores so far (0 for files read in place).
  virtual int64_t remote_bytes_fetched() const { return 0; }
};

// file:///abs/path only, opened as given (hlsfsctl render: the operator's
// own files); refuses other schemes with a clear error. The daemon reads
// local sources through their store instead (store_source.h).
class LocalFileOpener : public SourceOpener {
 public:
  SourceIdentity identify(const std::string& uri) override;
  InputPtr open(const std::string& uri) override;
  InputPtr open_path(const std::string& path);
};

// "file:///a/b" -> "/a/b" (percent-decoded); MediaError for other schemes.
std::string local_path_of(const std::string& uri);

}  // namespace hlsfs
