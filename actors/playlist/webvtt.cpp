#include "actors/playlist/webvtt.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <optional>
#include <string_view>

namespace hlsfs {

namespace {

int64_t ms_of(double seconds) { return static_cast<int64_t>(std::llround(seconds * 1000.0)); }

std::string_view trim(std::string_view s) {
  auto blank = [](char c) { return c == ' ' || c == '\t' || c == '\r'; };
  while (!s.empty() && blank(s.front())) s.remove_prefix(1);
  while (!s.empty() && blank(s.back())) s.remove_suffix(1);
  return s;
}

// A cue payload may hold any text but "-->" or a tag-like '<', and '&'
// starts an entity: WebVTT asks for these three as character references.
void append_escaped(std::string& out, std::string_view s) {
  for (char c : s) {
    if (c == '&')
      out += "&amp;";
    else if (c == '<')
      out += "&lt;";
    else if (c == '>')
      out += "&gt;";
    else
      out += c;
  }
}

// Calls f(line) for each '\n'-separated line of s, trimmed, skipping empty
// ones: an empty line inside a cue would end it, and the rest would be read
// as a new cue.
template <typename F>
void for_each_nonblank_line(std::string_view s, F&& f) {
  size_t pos = 0;
  while (pos <= s.size()) {
    size_t nl = s.find('\n', pos);
    if (nl == std::string_view::npos) nl = s.size();
    std::string_view line = trim(s.substr(pos, nl - pos));
    if (!line.empty()) f(line);
    pos = nl + 1;
  }
}

// Already-escaped payload made safe to place between a timing line and the
// blank line that ends the cue.
std::string without_blank_lines(std::string_view payload) {
  std::string out;
  for_each_nonblank_line(payload, [&](std::string_view line) {
    if (!out.empty()) out += '\n';
    out += line;
  });
  return out;
}

// The Text field: after the 8th comma in FFmpeg 5.1's form, after the 9th in
// a full "Dialogue: Layer,Start,End,..." line. Text itself may hold commas.
std::optional<std::string_view> ass_text_field(std::string_view event) {
  constexpr std::string_view dialogue = "Dialogue:";
  int fields_before_text = 8;
  if (event.substr(0, dialogue.size()) == dialogue) {
    event.remove_prefix(dialogue.size());
    fields_before_text = 9;
  }
  for (int i = 0; i < fields_before_text; ++i) {
    size_t comma = event.find(',');
    if (comma == std::string_view::npos) return std::nullopt;
    event.remove_prefix(comma + 1);
  }
  return event;
}

// \p<n> with n > 0 switches to drawing mode: the text that follows is vector
// shape commands ("m 0 0 l 100 0 ..."), not words, until \p0. (\pos, \pbo
// are other tags, hence the digit.)
bool drawing_after(std::string_view block, bool drawing) {
  for (size_t i = 0; i + 2 < block.size(); ++i) {
    if (block[i] != '\\' || block[i + 1] != 'p' || !std::isdigit(static_cast<unsigned char>(block[i + 2]))) continue;
    int scale = 0;
    for (i += 2; i < block.size() && std::isdigit(static_cast<unsigned char>(block[i])); ++i)
      scale = std::min(scale * 10 + (block[i] - '0'), 1000);
    drawing = scale > 0;
    --i;
  }
  return drawing;
}

// ASS markup -> plain text with real newlines (not escaped yet).
std::string ass_markup_to_plain(std::string_view text) {
  std::string out;
  bool drawing = false;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '{') {
      size_t close = text.find('}', i + 1);
      if (close != std::string_view::npos) {  // renderers hide any {...}, tags or comments
        drawing = drawing_after(text.substr(i + 1, close - i - 1), drawing);
        i = close;
        continue;
      }
    }
    if (drawing) continue;
    if (c == '\\' && i + 1 < text.size()) {
      char next = text[i + 1];
      if (next == 'N' || next == 'n' || next == 'h') {
        out += next == 'h' ? ' ' : '\n';
        ++i;
        continue;
      }
    }
    out += c;
  }
  return out;
}

}  // namespace

std::string webvtt_time(int64_t ms) {
  if (ms < 0) ms = 0;
  char buf[40];
  snprintf(buf, sizeof buf, "%02lld:%02d:%02d.%03d", static_cast<long long>(ms / 3600000),
           static_cast<int>(ms / 60000 % 60), static_cast<int>(ms / 1000 % 60), static_cast<int>(ms % 1000));
  return buf;
}

std::string webvtt_segment(const std::vector<SubtitleCue>& cues, double t0, double t1, double origin_seconds,
                           int64_t mpegts) {
  const int64_t origin = ms_of(origin_seconds), from = ms_of(t0), to = ms_of(t1);
  std::vector<SubtitleCue> kept;
  for (const SubtitleCue& cue : cues) {
    SubtitleCue out{std::max<int64_t>(cue.start_ms - origin, 0), cue.end_ms - origin, without_blank_lines(cue.text)};
    if (out.end_ms <= out.start_ms || out.start_ms >= to || out.end_ms <= from || out.text.empty()) continue;
    kept.push_back(std::move(out));
  }
  // WebVTT wants cues in start order; clamping at 0 can only tie starts.
  std::stable_sort(kept.begin(), kept.end(),
                   [](const SubtitleCue& a, const SubtitleCue& b) { return a.start_ms < b.start_ms; });
  std::string text = "WEBVTT\nX-TIMESTAMP-MAP=MPEGTS:" + std::to_string(mpegts) + ",LOCAL:00:00:00.000\n\n";
  for (const SubtitleCue& cue : kept)
    text += webvtt_time(cue.start_ms) + " --> " + webvtt_time(cue.end_ms) + "\n" + cue.text + "\n\n";
  return text;
}

std::string cue_text_from_plain(const std::string& text) {
  std::string out;
  for_each_nonblank_line(text, [&](std::string_view line) {
    if (!out.empty()) out += '\n';
    append_escaped(out, line);
  });
  return out;
}

std::string cue_text_from_ass(const std::string& ass_event) {
  std::optional<std::string_view> text = ass_text_field(ass_event);
  return text ? cue_text_from_plain(ass_markup_to_plain(*text)) : std::string();
}

}  // namespace hlsfs
