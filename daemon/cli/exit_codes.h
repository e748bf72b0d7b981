// The exit status of hlsfsctl and hlsfsd, the same for both programs: scripts
// and systemd tell a refusal of what they asked (2) from a failure (1).
#pragma once

namespace hlsfs {

constexpr int kExitOk = 0;
constexpr int kExitFailed = 1;  // the operation was tried and failed
constexpr int kExitUsage = 2;   // the command line (or what it names) is refused; nothing was done

}  // namespace hlsfs
