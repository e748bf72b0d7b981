#include "daemon/ctl/formats_command.h"

#include <iostream>
#include <string>
#include <vector>

#include "actors/transcoder/formats.h"

namespace hlsfs {

int run_formats(const FormatsOptions& options) {
  FormatCounts f = readable_formats();
  auto show = [&](const char* what, const std::vector<std::string>& names) {
    std::cout << what << " " << names.size();
    if (options.list)
      for (size_t k = 0; k < names.size(); ++k) std::cout << (k ? " " : ": ") << names[k];
    std::cout << "\n";
  };
  show("containers (demuxers)", f.demuxers);
  show("video decoders", f.video);
  show("audio decoders", f.audio);
  show("subtitle decoders", f.subtitle);
  std::cout << "total " << f.demuxers.size() + f.video.size() + f.audio.size() + f.subtitle.size()
            << " (output: MPEG-TS with H.264 and AAC)\n";
  return 0;
}

}  // namespace hlsfs
