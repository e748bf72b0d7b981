// BANDWIDTH in a master playlist is a promise: the peak bit rate of any
// segment of the variant. It is first an estimate (the playlist exists before
// any segment); each segment made is measured, and a master whose promise is
// below a measured segment is rewritten with the measured peak, so players
// choosing a level by BANDWIDTH never pick one that cannot keep up.
#pragma once
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace hlsfs {

// A master naming a rendition as one of its variants.
struct MasterRef {
  std::string store, key;    // where the master lives
  std::string state_key;     // its record in the state ("master:<token>")
  std::string relative_uri;  // the variant's URI line in it
  int64_t extra = 0;         // bit/s the variant's line adds to the segments' (an alternate audio track)
};

// token -> the masters that list it. Filled at generate and at restore, read
// when a segment is made (any thread).
class MasterIndex {
 public:
  void add(const std::string& token, const MasterRef& ref);
  std::vector<MasterRef> of(const std::string& token) const;

 private:
  mutable std::mutex mu_;
  std::multimap<std::string, MasterRef> refs_;
};

// Bit rate of a segment of `bytes` lasting `seconds` (rounded up).
int64_t segment_bitrate(int64_t bytes, double seconds);

// The master text with the BANDWIDTH of the variant whose URI line is
// `relative_uri` raised to `peak`, or nullopt when it is already >= peak (or
// the variant is not there). AVERAGE-BANDWIDTH stays (it may not exceed
// BANDWIDTH, and raising the peak keeps that true).
std::optional<std::string> raise_bandwidth(const std::string& text, const std::string& relative_uri, int64_t peak);

}  // namespace hlsfs
