#include "daemon/ctl/render.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <iostream>
#include <mutex>
#include <random>
#include <thread>

#include "actors/playlist/generate.h"
#include "actors/storage/atomic_file.h"
#include "actors/transcoder/codec_string.h"
#include "actors/transcoder/subtitle_cues.h"
#include "actors/transcoder/probe.h"
#include "actors/transcoder/segment_encoder.h"
#include "hlsfs/source_version.h"

namespace hlsfs {

std::vector<size_t> parse_segment_list(const std::string& spec, size_t count) {
  std::vector<size_t> out;
  if (spec == "all") {
    for (size_t i = 0; i < count; ++i) out.push_back(i);
    return out;
  }
  auto number = [&](const std::string& s) -> size_t {
    if (s.empty() || s.find_first_not_of("0123456789") != std::string::npos)
      throw std::invalid_argument("--segments: \"" + spec + "\" is not \"all\" or a list like 0,3-5");
    size_t v = std::stoul(s);
    if (v >= count)
      throw std::invalid_argument("--segments: segment " + s + " does not exist (the playlist has " +
                                  std::to_string(count) + ")");
    return v;
  };
  size_t pos = 0;
  while (pos <= spec.size()) {
    size_t comma = spec.find(',', pos);
    std::string part = spec.substr(pos, comma == std::string::npos ? std::string::npos : comma - pos);
    size_t dash = part.find('-');
    if (dash == std::string::npos) {
      out.push_back(number(part));
    } else {
      size_t a = number(part.substr(0, dash)), b = number(part.substr(dash + 1));
      if (b < a) throw std::invalid_argument("--segments: range " + part + " runs backwards");
      for (size_t i = a; i <= b; ++i) out.push_back(i);
    }
    if (comma == std::string::npos) break;
    pos = comma + 1;
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

namespace {

// Segment `segment` of one or more renditions (sharing one decode).
struct Job {
  std::vector<size_t> renditions;
  size_t segment;
};

std::string request_id() {
  std::random_device rd;
  char buf[40];
  snprintf(buf, sizeof buf, "%08X-%04X-%04X-%04X-%08X%04X", rd(), rd() & 0xffff, rd() & 0xffff, rd() & 0xffff, rd(),
           rd() & 0xffff);
  return buf;
}

}  // namespace

int run_render(const RenderOptions& opt) {
  try {
    PlaylistRequest req = parse_request_text(read_file(opt.request_path));
    for (const auto& w : req.warnings) std::cerr << "warning: " << w << "\n";
    // Every output must be a local path: check before doing any work.
    for (size_t i = 0; i < req.targets.size(); ++i)
      if (req.targets[i].uri.rfind("file:///", 0) != 0)
        throw RequestError("Targets[" + std::to_string(i) + "].URI", "render writes file:/// URIs only");
    if (req.master_uri && req.master_uri->rfind("file:///", 0) != 0)
      throw RequestError("MasterURI", "render writes file:/// URIs only");

    LocalFileOpener opener;
    MediaInfo media = probe_source(opener, req.source_uri);
    // Versions as the daemon's generate records them (the mtime): the same
    // request names the same tokens here and there (hlsfs/source_version.h).
    media.source.version = generated_source_version(media.source.version);
    std::vector<SourceIdentity> subtitle_files = identify_subtitle_files(opener, req);
    for (auto& f : subtitle_files) f.version = generated_source_version(f.version);
    EncoderConfig enc{opt.preset, opt.threads, opt.x264_params};
    GeneratedPlaylists gen =
        generate_playlists(req, media, enc, [&](const RenditionSpec& r) { return codecs_string(r, media); },
                           subtitle_files);
    for (const auto& n : gen.notes) std::cerr << "note: " << n << "\n";
    for (const auto& r : gen.renditions)
      for (const auto& n : r.notes) std::cerr << "note: " << r.target_uri << ": " << n << "\n";

    for (const auto& [uri, text] : gen.files) write_file_atomic(local_path_of(uri), text);

    std::vector<Job> jobs;
    for (size_t r = 0; r < gen.renditions.size(); ++r) {
      std::vector<size_t> list = parse_segment_list(opt.segments, gen.renditions[r].plan.size());
      if (gen.renditions[r].fmp4) list.push_back(kInitSegment);  // a file like the segments, made by a job too
      for (size_t s : list) {
        Job* joined = nullptr;
        for (auto& j : jobs)
          if (opt.share_decode && j.segment == s && can_share_decode(gen.renditions[j.renditions[0]], gen.renditions[r], s))
            joined = &j;
        if (joined) {
          joined->renditions.push_back(r);
        } else {
          jobs.push_back({{r}, s});
        }
      }
    }
    if (opt.shuffled) std::shuffle(jobs.begin(), jobs.end(), std::mt19937(std::random_device{}()));

    std::atomic<size_t> next{0};
    std::mutex err_mu;
    std::string first_error;
    auto worker = [&]() {
      while (true) {
        size_t i = next++;
        if (i >= jobs.size()) return;
        {
          std::lock_guard<std::mutex> lock(err_mu);
          if (!first_error.empty()) return;
        }
        const Job& job = jobs[i];
        std::vector<const RenditionSpec*> specs;
        for (size_t r : job.renditions) specs.push_back(&gen.renditions[r]);
        try {
          auto t0 = std::chrono::steady_clock::now();
          LocalFileOpener job_opener;
          std::vector<SegmentResult> made = encode_segments(job_opener, media, specs, job.segment);
          for (size_t k = 0; k < specs.size(); ++k)
            write_file_atomic(local_path_of(specs[k]->segment_uri(job.segment)), made[k].bytes);
          if (!opt.quiet) {
            double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
            std::lock_guard<std::mutex> lock(err_mu);
            for (size_t k = 0; k < specs.size(); ++k)
              fprintf(stderr, "made %s (%zu bytes, %lld frames, %lld decoded, %s%.0f ms%s)\n",
                      specs[k]->segment_name(job.segment).c_str(), made[k].bytes.size(),
                      static_cast<long long>(made[k].video_frames), static_cast<long long>(made[k].decoded_frames),
                      made[k].capped ? "above the rate cap: made again at it, " : "", ms, specs.size() > 1 ? (", one decode for " + std::to_string(specs.size())).c_str() : "");
          }
        } catch (const std::exception& e) {
          std::lock_guard<std::mutex> lock(err_mu);
          if (first_error.empty()) first_error = specs[0]->segment_name(job.segment) + ": " + e.what();
        }
      }
    };
    std::vector<std::thread> pool;
    for (int t = 0; t < std::max(1, opt.jobs); ++t) pool.emplace_back(worker);
    for (auto& t : pool) t.join();
    if (!first_error.empty()) {
      std::cerr << "error: " << first_error << "\n";
      return 1;
    }

    nlohmann::json resp = gen.response;
    resp["RequestId"] = request_id();
    std::cout << resp.dump(2) << std::endl;
    return 0;
  } catch (const RequestError& e) {
    std::cerr << "error: " << e.what() << "\n";
    return 2;
  } catch (const std::exception& e) {
    std::cerr << "error: " << e.what() << "\n";
    return 1;
  }
}

}  // namespace hlsfs
