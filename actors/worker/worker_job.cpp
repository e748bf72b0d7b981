#include "actors/worker/worker_job.h"

#include <stdexcept>

#include "actors/playlist/generate.h"
#include "actors/playlist/rendition_record.h"
#include "actors/playlist/request.h"

namespace hlsfs {

void to_json(nlohmann::json& j, const WorkerJob& w) {
  nlohmann::json sources = nlohmann::json::array();
  for (const auto& s : w.sources)
    sources.push_back({{"Uri", s.id.uri}, {"Size", s.id.size}, {"Version", s.id.version}, {"Local", s.local}});
  j = {{"Kind", w.kind},       {"Segment", w.segment}, {"Background", w.background}, {"Tokens", w.tokens},
       {"Records", w.records}, {"Media", w.media},     {"Sources", sources},         {"Failpoint", w.failpoint}};
}

void from_json(const nlohmann::json& j, WorkerJob& w) {
  w.kind = j.at("Kind");
  w.segment = j.at("Segment");
  w.background = j.at("Background");
  w.tokens = j.at("Tokens").get<std::vector<std::string>>();
  w.records = j.at("Records").get<std::vector<std::string>>();
  w.media = j.at("Media");
  w.failpoint = j.at("Failpoint");
  w.sources.clear();
  for (const auto& s : j.at("Sources")) {
    WorkerSource src;
    src.id.uri = s.at("Uri");
    src.id.size = s.at("Size");
    src.id.version = s.at("Version");
    src.local = s.at("Local");
    w.sources.push_back(src);
  }
}

std::vector<RenditionSpec> rebuild_specs(const WorkerJob& job, const MediaInfo& media) {
  if (job.records.size() != job.tokens.size() || job.records.empty())
    throw std::runtime_error("a segment job names " + std::to_string(job.tokens.size()) + " renditions and carries " +
                             std::to_string(job.records.size()) + " records");
  std::vector<RenditionSpec> specs;
  for (size_t i = 0; i < job.records.size(); ++i) {
    RenditionSpec spec = rendition_of_record(media, nlohmann::json::parse(job.records[i]));
    if (spec.token != job.tokens[i])
      throw std::runtime_error("the record of " + job.tokens[i] + " rebuilds to another token (" + spec.token + ")");
    specs.push_back(std::move(spec));
  }
  return specs;
}

nlohmann::json results_json(const std::vector<SegmentResult>& segs) {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& s : segs)
    out.push_back({{"Size", s.bytes.size()},
                   {"VideoFrames", s.video_frames},
                   {"AudioFrames", s.audio_frames},
                   {"DecodedFrames", s.decoded_frames},
                   {"Capped", s.capped}});
  return {{"Segments", out}};
}

void read_results(const nlohmann::json& j, std::vector<SegmentResult>& segs) {
  const auto& list = j.at("Segments");
  if (!list.is_array() || list.size() != segs.size())
    throw std::runtime_error("the worker answered for " + std::to_string(list.size()) + " segments, not " +
                             std::to_string(segs.size()));
  for (size_t i = 0; i < segs.size(); ++i) {
    const auto& r = list[i];
    if (r.at("Size").get<uint64_t>() != segs[i].bytes.size())
      throw std::runtime_error("the worker's segment " + std::to_string(i) + " is " +
                               std::to_string(segs[i].bytes.size()) + " bytes, it says " +
                               std::to_string(r.at("Size").get<uint64_t>()));
    segs[i].video_frames = r.at("VideoFrames");
    segs[i].audio_frames = r.at("AudioFrames");
    segs[i].decoded_frames = r.at("DecodedFrames");
    segs[i].capped = r.at("Capped");
  }
}

}  // namespace hlsfs
