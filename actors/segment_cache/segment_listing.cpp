#include "actors/segment_cache/segment_listing.h"

#include "actors/playlist/catalog.h"
#include "actors/segment_cache/state_store.h"

namespace hlsfs {

namespace {
constexpr size_t kPage = 64;  // names read from the index at a time
}

void list_directory(const Catalog& catalog, StateStore* state, const std::string& dir_path, const DirCursor& from,
                    const DirEmit& emit) {
  using P = DirCursor::Phase;
  if (from.phase < P::after_dot && !emit(".", true, DirCursor{P::after_dot, "", 0})) return;
  if (from.phase < P::after_dotdot && !emit("..", true, DirCursor{P::after_dotdot, "", 0})) return;
  if (from.phase <= P::after_child) {
    std::string after = from.phase == P::after_child ? from.name : "";
    while (true) {
      auto page = catalog.list_page(dir_path, after, kPage);
      if (page.empty()) break;
      for (const auto& c : page)
        if (!emit(c.name, c.kind == CatalogEntry::directory, DirCursor{P::after_child, c.name, 0})) return;
      after = page.back().name;
    }
  }
  if (!state) return;
  // The segments of one rendition from segment `first` on; false: emit said
  // stop. The rendition (its names) is loaded only when it has a segment to
  // list: a crawl of titles nobody played loads none.
  auto segments_of = [&](const std::string& token, uint32_t first) {
    std::shared_ptr<const PublishedRendition> r;
    bool more = true;
    state->for_each_segment(token, [&](const std::string&, uint32_t n, const SegmentRecord& rec) {
      if (n < first || !(rec.where & SegmentRecord::kLocal)) return true;
      if (!r && !(r = catalog.by_token(token))) return false;  // no rendition: nothing of it to list
      more = emit(r->spec.segment_name(n), false, DirCursor{P::after_segment, token, n});
      return more;
    });
    return more;
  };
  std::string token_after;
  if (from.phase == P::after_segment) {
    if (!segments_of(from.name, from.n + 1)) return;
    token_after = from.name;
  }
  while (true) {
    auto tokens = catalog.tokens_in(dir_path, token_after, kPage);
    if (tokens.empty()) return;
    for (const auto& t : tokens)
      if (!segments_of(t, 0)) return;
    token_after = tokens.back();
  }
}

}  // namespace hlsfs
