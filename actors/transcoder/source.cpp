#include "actors/transcoder/source.h"

#include <sys/stat.h>

#include <cerrno>
#include <cstring>

namespace hlsfs {

std::string local_path_of(const std::string& uri) {
  if (uri.rfind("file://", 0) != 0 || uri.size() < 8 || uri[7] != '/')
    throw MediaError(uri + ": only file:/// URIs can be opened here");
  std::string raw = uri.substr(7), out;
  for (size_t i = 0; i < raw.size(); ++i) {
    if (raw[i] == '%' && i + 2 < raw.size() && isxdigit(raw[i + 1]) && isxdigit(raw[i + 2])) {
      out += static_cast<char>(std::stoi(raw.substr(i + 1, 2), nullptr, 16));
      i += 2;
    } else {
      out += raw[i];
    }
  }
  return out;
}

SourceIdentity LocalFileOpener::identify(const std::string& uri) {
  std::string path = local_path_of(uri);
  struct stat st {};
  if (stat(path.c_str(), &st) != 0) throw MediaError(path + ": " + strerror(errno));
  if (!S_ISREG(st.st_mode)) throw MediaError(path + ": not a regular file");
  SourceIdentity id;
  id.uri = uri;
  id.size = st.st_size;
  id.version = std::to_string(static_cast<int64_t>(st.st_mtim.tv_sec) * 1000000000LL + st.st_mtim.tv_nsec);
  return id;
}

InputPtr LocalFileOpener::open(const std::string& uri) { return open_path(local_path_of(uri)); }

InputPtr LocalFileOpener::open_path(const std::string& path) {
  AVFormatContext* fmt = avformat_alloc_context();
  if (!fmt) throw std::bad_alloc();
  AVDictionary* opts = nullptr;
  // Only plain files: a playlist or concat source must not make us open other paths.
  av_dict_set(&opts, "protocol_whitelist", "file", 0);
  int err = avformat_open_input(&fmt, path.c_str(), nullptr, &opts);  // frees fmt on failure
  av_dict_free(&opts);
  if (err < 0) throw MediaError(path + ": not a media file FFmpeg can open (" + av_error_text(err) + ")");
  return InputPtr(fmt);
}

}  // namespace hlsfs
