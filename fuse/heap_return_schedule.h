// When the FUSE adapter gives the heap back to the system after the kernel
// forgets names. hlsfsd's heap keeps what is freed (heap_policy.h), so the
// inode table's memory, after a crawl, stays unless someone trims it.
// Trimming once, when the table is down to half, left the second half's
// memory behind: the kernel forgets a crawl's names in one burst of
// batches. So it trims at each halving, from a peak worth trimming down to
// a table of a few hundred names (a trim then returned 1.7 MiB more after a
// crawl of 10,000 titles); a table that stays small never trims.
#pragma once
#include <cstddef>

namespace hlsfs {

class HeapReturnSchedule {
 public:
  // Peaks under this are not worth a trim (a few MiB of inodes at most).
  static constexpr size_t kWorthIt = 10000;
  // A table this small is back to what an idle mount holds.
  static constexpr size_t kSmall = 256;

  // The inode table holds `now` inodes after a batch of forgets: true when
  // the heap should go back to the system now.
  bool should_trim(size_t now) {
    if (now > mark_) {  // growing: a new peak
      mark_ = peak_ = now;
      return false;
    }
    if (peak_ < kWorthIt || now > mark_ / 2) return false;
    mark_ = now;
    if (now < kSmall) peak_ = 0;  // down from the peak: the last trim of it
    return true;
  }

 private:
  size_t peak_ = 0;  // the table's highest since its last trim down
  size_t mark_ = 0;  // its size at that peak or at the last trim
};

}  // namespace hlsfs
