// hlsfsctl: the command-line client of hlsfs.
#include <cstring>
#include <iostream>
#include <string>

#include "actors/transcoder/av_util.h"
#include "actors/transcoder/heap_policy.h"
#include "daemon/ctl/remote.h"
#include "actors/transcoder/formats.h"
#include "daemon/ctl/render.h"
#include "daemon/ctl/signing_commands.h"

namespace {

const char* kUsage =
    "usage: hlsfsctl [--config FILE | --endpoint unix:/path|http://host:port] COMMAND ...\n"
    "  generate REQUEST.json   GenerateVideoPlaylist on the running daemon; prints the IMM response\n"
    "  status [--json]         queue, running jobs, cache\n"
    "  gc [--dry-run]          a cache eviction pass now; reports what it freed (or would)\n"
    "  sign PATH_OR_URI [--ttl 2h] [--allow-store-root]\n"
    "                          a signed playback URL for a playlist (a path under the mount,\n"
    "                          /media/out/a/master.m3u8, or its file:/// URI); the URL opens the\n"
    "                          playlist's directory, so one at a store's root is refused unless\n"
    "                          --allow-store-root\n"
    "  nginx-site [--listen 127.0.0.1:8088] [--player DIR --hls-js FILE] [--output FILE]\n"
    "                          the nginx server block for the mount, with the signing secret;\n"
    "                          --output writes FILE with mode 0600 (nginx reads it as root)\n"
    "  formats [--list]        how many containers and codecs this build reads (--list: their names)\n"
    "  render REQUEST.json [--segments all|N,M-K] [--order in|shuffled] [--jobs J]\n"
    "         [--preset P] [--threads T] [--x264-params K=V:...] [--separate] [--quiet]\n"
    "                          GenerateVideoPlaylist for file:/// URIs without a daemon: writes the\n"
    "                          playlists and the chosen segments, prints the IMM response JSON;\n"
    "                          --separate: every rendition's segment decoded on its own\n"
    "--config defaults to " HLSFS_DEFAULT_CONFIG " (the daemon's: its control.socket is used).\n";

int usage_error(const std::string& msg) {
  std::cerr << "error: " << msg << "\n" << kUsage;
  return 2;
}

int parse_int(const std::string& flag, const char* v, int lo, int hi) {
  char* end = nullptr;
  long x = strtol(v, &end, 10);
  if (!*v || *end || x < lo || x > hi)
    throw std::invalid_argument(flag + " wants a number from " + std::to_string(lo) + " to " + std::to_string(hi));
  return static_cast<int>(x);
}

}  // namespace

int main(int argc, char** argv) {
  hlsfs::quiet_libav_logs();
  hlsfs::keep_large_allocations();
  if (argc < 2 || !strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
    std::cout << kUsage;
    return argc < 2 ? 2 : 0;
  }
  std::string config_path = HLSFS_DEFAULT_CONFIG, endpoint;
  int i = 1;
  for (; i < argc; ++i) {
    std::string a = argv[i];
    if ((a == "--config" || a == "--endpoint") && i + 1 < argc) (a == "--config" ? config_path : endpoint) = argv[++i];
    else break;
  }
  if (i >= argc) return usage_error("no command");
  std::string cmd = argv[i++];
  if (cmd == "generate" || cmd == "status" || cmd == "gc") {
    try {
      std::string ep = hlsfs::control_endpoint(config_path, endpoint);
      if (cmd == "generate") {
        if (i + 1 != argc) return usage_error("generate needs exactly one REQUEST.json");
        return hlsfs::run_generate(ep, argv[i]);
      }
      if (cmd == "gc") {
        bool dry = i < argc && std::string(argv[i]) == "--dry-run";
        if (argc - i > (dry ? 1 : 0)) return usage_error("gc takes only --dry-run");
        return hlsfs::run_gc(ep, dry);
      }
      bool as_json = i < argc && std::string(argv[i]) == "--json";
      if (argc - i > (as_json ? 1 : 0)) return usage_error("status takes only --json");
      return hlsfs::run_status(ep, as_json);
    } catch (const std::exception& e) {
      std::cerr << "error: " << e.what() << "\n";
      return 1;
    }
  }
  if (cmd == "formats") {
    bool list = i < argc && std::string(argv[i]) == "--list";
    hlsfs::FormatCounts f = hlsfs::readable_formats();
    auto show = [&](const char* what, const std::vector<std::string>& names) {
      std::cout << what << " " << names.size();
      if (list)
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
  if (cmd == "sign" || cmd == "nginx-site") {
    try {
      hlsfs::SignRequest sign;
      hlsfs::NginxSiteRequest site;
      for (; i < argc; ++i) {
        std::string a = argv[i];
        auto value = [&]() -> std::string {
          if (i + 1 >= argc) throw std::invalid_argument(a + " needs a value");
          return argv[++i];
        };
        if (a == "--ttl" && cmd == "sign") sign.ttl = value();
        else if (a == "--allow-store-root" && cmd == "sign") sign.allow_store_root = true;
        else if (a == "--listen" && cmd == "nginx-site") site.listen = value();
        else if (a == "--player" && cmd == "nginx-site") site.player_dir = value();
        else if (a == "--hls-js" && cmd == "nginx-site") site.hls_js = value();
        else if (a == "--output" && cmd == "nginx-site") site.output = value();
        else if (cmd == "sign" && sign.what.empty() && !a.empty() && a[0] != '-') sign.what = a;
        else throw std::invalid_argument("unexpected argument " + a);
      }
      if (cmd == "sign") {
        if (sign.what.empty()) return usage_error("sign needs a playlist path or URI");
        return hlsfs::sign_command(config_path, sign);
      }
      return hlsfs::nginx_site_command(config_path, site);
    } catch (const std::invalid_argument& e) {
      return usage_error(e.what());
    } catch (const std::exception& e) {
      std::cerr << "error: " << e.what() << "\n";
      return 1;
    }
  }
  if (cmd != "render") return usage_error("unknown command \"" + cmd + "\"");
  hlsfs::RenderOptions opt;
  try {
    for (; i < argc; ++i) {
      std::string a = argv[i];
      auto value = [&]() -> const char* {
        if (i + 1 >= argc) throw std::invalid_argument(a + " needs a value");
        return argv[++i];
      };
      if (a == "--segments") opt.segments = value();
      else if (a == "--order") {
        std::string o = value();
        if (o != "in" && o != "shuffled") throw std::invalid_argument("--order is \"in\" or \"shuffled\"");
        opt.shuffled = o == "shuffled";
      } else if (a == "--jobs") opt.jobs = parse_int(a, value(), 1, 64);
      else if (a == "--threads") opt.threads = parse_int(a, value(), 1, 64);
      else if (a == "--preset") opt.preset = value();
      else if (a == "--x264-params") opt.x264_params = value();
      else if (a == "--quiet") opt.quiet = true;
      else if (a == "--separate") opt.share_decode = false;
      else if (!a.empty() && a[0] == '-') throw std::invalid_argument("unknown option " + a);
      else if (opt.request_path.empty()) opt.request_path = a;
      else throw std::invalid_argument("one request file only");
    }
  } catch (const std::exception& e) {
    return usage_error(e.what());
  }
  if (opt.request_path.empty()) return usage_error("render needs REQUEST.json");
  return hlsfs::run_render(opt);
}
