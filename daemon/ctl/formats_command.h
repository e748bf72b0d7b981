// `hlsfsctl formats`: what this build's FFmpeg libraries read.
#pragma once

namespace hlsfs {

struct FormatsOptions {
  bool list = false;  // the names too, not only how many
};

int run_formats(const FormatsOptions& options);

}  // namespace hlsfs
