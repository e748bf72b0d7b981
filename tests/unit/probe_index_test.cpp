// The probe of a long source reads its index, head and tail (not every
// packet) and finds the same start, end and keyframes; a segment's start
// keyframe is found by seeking, the same one whatever was read before.
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "actors/transcoder/demux.h"
#include "actors/transcoder/probe.h"

namespace fs = std::filesystem;
using namespace hlsfs;

namespace {

// A 10 s clip (H.264 with B-frames, GOP 2 s, AAC) looped 200 times by stream
// copy: 2000 s, about 37 MB, over the size read whole. Made once per tree.
std::string long_source(const std::string& ext) {
  const fs::path dir = HLSFS_TEST_MEDIA_CACHE;
  fs::create_directories(dir);
  const fs::path clip = dir / "probe_clip.mp4", out = dir / ("probe_long." + ext);
  if (fs::exists(out)) return out.string();
  const std::string tmp = out.string() + ".tmp" + std::to_string(getpid()) + "." + ext;
  std::string cmd;
  if (!fs::exists(clip)) {
    const std::string ctmp = clip.string() + ".tmp" + std::to_string(getpid()) + ".mp4";
    cmd = "ffmpeg -nostdin -loglevel error -y -f lavfi -i testsrc2=size=320x240:rate=25 -f lavfi -i "
          "sine=frequency=440:sample_rate=48000 -t 10 -c:v libx264 -preset veryfast -g 50 -b:v 150k -c:a aac "
          "-b:a 48k -threads 1 '" + ctmp + "' && mv '" + ctmp + "' '" + clip.string() + "'";
    if (system(cmd.c_str()) != 0) return "";
  }
  cmd = "ffmpeg -nostdin -loglevel error -y -stream_loop 199 -i '" + clip.string() + "' -c copy '" + tmp + "' && mv '" +
        tmp + "' '" + out.string() + "'";
  return system(cmd.c_str()) == 0 ? out.string() : "";
}

// Every keyframe's pts and the stream's end, by reading every packet.
struct FullRead {
  std::vector<int64_t> keys;
  int64_t end = kNoTimestamp;
  int64_t packets = 0;
};
FullRead read_every_packet(const std::string& path, int stream) {
  LocalFileOpener opener;
  InputPtr in = opener.open_path(path);
  EXPECT_GE(avformat_find_stream_info(in.get(), nullptr), 0);
  FullRead r;
  PacketPtr pkt = make_packet();
  while (av_read_frame(in.get(), pkt.get()) >= 0) {
    if (pkt->stream_index == stream && !(pkt->flags & AV_PKT_FLAG_DISCARD)) {
      int64_t ts = pkt->pts != AV_NOPTS_VALUE ? pkt->pts : pkt->dts;
      ++r.packets;
      if (pkt->flags & AV_PKT_FLAG_KEY) r.keys.push_back(ts);
      int64_t dur = pkt->duration > 0 ? pkt->duration
                                      : av_rescale_q(1, av_inv_q(in->streams[stream]->avg_frame_rate),
                                                     in->streams[stream]->time_base);
      if (r.end == kNoTimestamp || ts + dur > r.end) r.end = ts + dur;
    }
    av_packet_unref(pkt.get());
  }
  std::sort(r.keys.begin(), r.keys.end());
  return r;
}

class LongSource : public ::testing::TestWithParam<const char*> {};

TEST_P(LongSource, ProbeReadsABoundedPartAndFindsTheEnd) {
  const std::string ext = GetParam();
  const std::string path = long_source(ext);
  ASSERT_FALSE(path.empty()) << "ffmpeg could not make the source";
  LocalFileOpener opener;
  MediaInfo m = probe_source(opener, "file://" + path);
  const StreamInfo* v = m.nth(StreamKind::video, 0);
  ASSERT_NE(v, nullptr);
  FullRead full = read_every_packet(path, v->index);
  EXPECT_EQ(m.probe_method, ext == "ts" ? "head+tail" : "index");
  // The index or the head, never the file: 2 MB of MP4 index, 16 MiB at most.
  EXPECT_LT(m.probe_bytes_read, 8 << 20) << m.probe_bytes_read << " of " << m.source.size;
  EXPECT_EQ(v->end_pts, full.end);
  ASSERT_FALSE(full.keys.empty());
  EXPECT_EQ(v->start_pts, full.keys.front());
  if (ext == "mp4") {
    EXPECT_EQ(v->packets, full.packets);  // the sample table counts them
  } else {
    EXPECT_NEAR(static_cast<double>(v->packets), static_cast<double>(full.packets), full.packets * 0.3);
  }
  if (ext != "ts") {
    EXPECT_EQ(v->keyframes.size(), full.keys.size());
  }
  // A second probe of the record is the same record.
  MediaInfo again = nlohmann::json(m).get<MediaInfo>();
  EXPECT_EQ(nlohmann::json(again).dump(), nlohmann::json(m).dump());
}

TEST_P(LongSource, SegmentStartIsTheLastKeyframeAtOrBeforeWhateverCameBefore) {
  const std::string path = long_source(GetParam());
  ASSERT_FALSE(path.empty());
  LocalFileOpener opener;
  MediaInfo m = probe_source(opener, "file://" + path);
  const StreamInfo& v = *m.nth(StreamKind::video, 0);
  FullRead full = read_every_packet(path, v.index);
  const int64_t second = v.time_base.den / v.time_base.num;
  // Late first, then early, then late again on one demuxer, and each on a
  // fresh one: the same keyframe each time.
  std::vector<int64_t> needs = {v.start_pts + 1500 * second + second / 3, v.start_pts + 10 * second,
                                full.keys[600], full.keys[600] - 1, v.start_pts + 1999 * second, v.start_pts};
  Demuxer shared(opener, "file://" + path, v.index);
  for (int64_t need : needs) {
    auto it = std::upper_bound(full.keys.begin(), full.keys.end(), need);
    const int64_t want = it == full.keys.begin() ? full.keys.front() : *(it - 1);
    Demuxer fresh(opener, "file://" + path, v.index);
    EXPECT_EQ(fresh.start_at_keyframe_before(need).keyframe_pts, want) << "need " << need;
    EXPECT_EQ(shared.start_at_keyframe_before(need).keyframe_pts, want) << "need " << need << " after others";
  }
}

INSTANTIATE_TEST_SUITE_P(Containers, LongSource, ::testing::Values("mp4", "mkv", "ts"));

// Opens files through custom I/O that counts the bytes the demuxer reads.
class CountingOpener : public SourceOpener {
 public:
  int64_t bytes = 0;
  SourceIdentity identify(const std::string&) override { return {}; }
  InputPtr open(const std::string& uri) override {
    struct File : CustomInput {
      FILE* f = nullptr;
      AVIOContext* io = nullptr;
      int64_t* bytes = nullptr;
      ~File() override {
        if (io) av_freep(&io->buffer);
        avio_context_free(&io);
        if (f) fclose(f);
      }
    };
    auto* file = new File;
    file->f = fopen(uri.substr(7).c_str(), "rb");
    file->bytes = &bytes;
    const int size = 65536;
    file->io = avio_alloc_context(static_cast<unsigned char*>(av_malloc(size)), size, 0, file,
        [](void* o, uint8_t* buf, int n) -> int {
          auto* fl = static_cast<File*>(o);
          size_t got = fread(buf, 1, n, fl->f);
          *fl->bytes += got;
          return got ? static_cast<int>(got) : AVERROR_EOF;
        },
        nullptr,
        [](void* o, int64_t off, int whence) -> int64_t {
          auto* fl = static_cast<File*>(o);
          if (whence == AVSEEK_SIZE) {
            struct stat st;
            return fstat(fileno(fl->f), &st) == 0 ? st.st_size : -1;
          }
          return fseeko(fl->f, off, whence & ~AVSEEK_FORCE) == 0 ? ftello(fl->f) : -1;
        });
    AVFormatContext* ctx = avformat_alloc_context();
    ctx->pb = file->io;
    ctx->flags |= AVFMT_FLAG_CUSTOM_IO;
    ctx->opaque = file;
    if (avformat_open_input(&ctx, nullptr, nullptr, nullptr) < 0) {
      delete file;
      throw MediaError(uri + ": cannot open");
    }
    return InputPtr(ctx);
  }
};

// A late audio start in Matroska (cues index only the video track) reads a
// bounded part of the file, not everything before it (FFmpeg's fallback seek
// for a track without cues), and starts from the same packet as that seek.
TEST(LongSource, MatroskaLateAudioStartReadsBoundedBytesAndStartsWhereThePlainSeekDoes) {
  const std::string path = long_source("mkv");
  ASSERT_FALSE(path.empty());
  const int64_t size = static_cast<int64_t>(fs::file_size(path));
  CountingOpener opener;
  Demuxer audio(opener, "file://" + path, 1);
  ASSERT_EQ(audio.stream()->codecpar->codec_type, AVMEDIA_TYPE_AUDIO);
  const AVRational tb = audio.stream()->time_base;
  for (int64_t sec : {1900, 1000}) {
    const int64_t ts = av_rescale_q(sec, AVRational{1, 1}, tb) + 7;  // between two packets
    opener.bytes = 0;
    Demuxer fresh(opener, "file://" + path, 1);
    DecodeStart s = fresh.start_at_time(ts);
    EXPECT_LT(opener.bytes, 4 << 20) << sec << " s: read " << opener.bytes << " of " << size;
    ASSERT_FALSE(s.pending.empty()) << sec << " s";
    // The plain seek, by its scan from the start.
    LocalFileOpener plain_opener;
    InputPtr plain = plain_opener.open_path(path);
    for (unsigned i = 0; i < plain->nb_streams; ++i) plain->streams[i]->discard = i == 1 ? AVDISCARD_DEFAULT : AVDISCARD_ALL;
    ASSERT_GE(av_seek_frame(plain.get(), 1, ts, AVSEEK_FLAG_BACKWARD), 0);
    PacketPtr pkt = make_packet();
    while (av_read_frame(plain.get(), pkt.get()) >= 0 && pkt->stream_index != 1) av_packet_unref(pkt.get());
    EXPECT_EQ(s.pending.front()->pts, pkt->pts) << sec << " s";
    EXPECT_EQ(s.pending.front()->pos, pkt->pos) << sec << " s";
    EXPECT_LE(s.pending.front()->pts, ts);
    EXPECT_GT(s.pending.back()->pts, ts);
  }
}

TEST(MediaInfoRecord, RecordsBeforeIndexesMeanEveryPacketWasRead) {
  MediaInfo m;
  m.source = {"file:///a.mp4", 10, "1"};
  m.format = "mov";
  m.probe_method = "index";
  m.probe_bytes_read = 1234;
  nlohmann::json j = m;
  EXPECT_EQ(j.at("probe"), nlohmann::json::array({"index", 1234}));
  MediaInfo back = j.get<MediaInfo>();
  EXPECT_EQ(back.probe_method, "index");
  EXPECT_EQ(back.probe_bytes_read, 1234);
  j.erase("probe");
  back = j.get<MediaInfo>();
  EXPECT_EQ(back.probe_method, "packets");
  EXPECT_EQ(back.probe_bytes_read, 0);
}

}  // namespace
