// hlsfsctl's and hlsfsd's command lines (CLI11): what argv becomes, and what
// is printed where, with which exit status, when nothing is to run.
#include <gtest/gtest.h>

#include <sstream>
#include <string>
#include <vector>

#include "daemon/cli/program_version.h"
#include "daemon/ctl/ctl_command_line.h"
#include "daemon/hlsfsd/daemon_command_line.h"

using namespace hlsfs;

namespace {

const char* kDefaultConfig = "/etc/hlsfs/hlsfs.yaml";

struct CtlRun {
  CtlParse parse;
  std::string out, err;
  bool version_asked = false;
};

// argv[0] is added.
CtlRun ctl(std::vector<std::string> args) {
  args.insert(args.begin(), "hlsfsctl");
  std::vector<const char*> argv;
  for (const auto& a : args) argv.push_back(a.c_str());
  std::ostringstream out, err;
  CtlRun run;
  run.parse = parse_ctl_command_line(static_cast<int>(argv.size()), argv.data(), kDefaultConfig,
                                     [&run] {
                                       run.version_asked = true;
                                       return std::string("hlsfsctl 9.9 (test)\n");
                                     },
                                     out, err);
  run.out = out.str();
  run.err = err.str();
  return run;
}

CtlInvocation runs(const CtlRun& r) {
  EXPECT_TRUE(r.parse.invocation) << "exit " << r.parse.exit_code << ", stderr: " << r.err;
  return r.parse.invocation ? *r.parse.invocation : CtlInvocation();
}

void expect_usage_error(const std::vector<std::string>& args, const std::string& message) {
  CtlRun r = ctl(args);
  std::string argv;
  for (const auto& a : args) argv += " " + a;
  EXPECT_FALSE(r.parse.invocation) << argv;
  EXPECT_EQ(r.parse.exit_code, 2) << argv;
  EXPECT_EQ(r.out, "") << argv;
  EXPECT_NE(r.err.find(message), std::string::npos) << argv << ": stderr is " << r.err;
  EXPECT_NE(r.err.find("--help"), std::string::npos) << argv << ": stderr is " << r.err;
}

}  // namespace

// The invocations of scripts/, tests/, systemd/ and the documentation, as
// they were written for the hand-written parser.
TEST(CtlCommandLine, DaemonCommandsAsTheScriptsWriteThem) {
  const CtlInvocation& g = runs(ctl({"--endpoint", "unix:/run/x/control.sock", "generate", "req.json"}));
  EXPECT_EQ(g.command, CtlCommand::generate);
  EXPECT_EQ(g.endpoint, "unix:/run/x/control.sock");
  EXPECT_EQ(g.config_path, kDefaultConfig);
  EXPECT_EQ(g.generate.request_path, "req.json");

  const CtlInvocation& s = runs(ctl({"--config", "/d/hlsfs.yaml", "--endpoint", "http://127.0.0.1:1", "status"}));
  EXPECT_EQ(s.command, CtlCommand::status);
  EXPECT_EQ(s.config_path, "/d/hlsfs.yaml");
  EXPECT_EQ(s.endpoint, "http://127.0.0.1:1");
  EXPECT_FALSE(s.status.json);
  EXPECT_TRUE(runs(ctl({"--endpoint", "unix:/s", "status", "--json"})).status.json);

  const CtlInvocation& gc = runs(ctl({"--endpoint", "unix:/s", "gc", "--dry-run"}));
  EXPECT_EQ(gc.command, CtlCommand::gc);
  EXPECT_TRUE(gc.gc.dry_run);
  EXPECT_FALSE(runs(ctl({"gc"})).gc.dry_run);
}

TEST(CtlCommandLine, SigningCommandsAsTheScriptsWriteThem) {
  const CtlInvocation& a = runs(ctl({"--config", "/d/hlsfs.yaml", "sign", "/media/out/sample/master.m3u8", "--ttl", "0s"}));
  EXPECT_EQ(a.command, CtlCommand::sign);
  EXPECT_EQ(a.config_path, "/d/hlsfs.yaml");
  EXPECT_EQ(a.sign.what, "/media/out/sample/master.m3u8");
  EXPECT_EQ(a.sign.ttl, "0s");
  EXPECT_FALSE(a.sign.allow_store_root);
  const CtlInvocation& b = runs(ctl({"sign", "/media/top.m3u8", "--allow-store-root"}));
  EXPECT_TRUE(b.sign.allow_store_root);
  EXPECT_EQ(b.sign.ttl, "");  // signing.default_ttl
  // Options before the path too, and the last of a repeated option counts.
  const CtlInvocation& c = runs(ctl({"sign", "--ttl", "1h", "--ttl", "10m", "file:///srv/media/hls/a/master.m3u8"}));
  EXPECT_EQ(c.sign.what, "file:///srv/media/hls/a/master.m3u8");
  EXPECT_EQ(c.sign.ttl, "10m");

  const CtlInvocation& d = runs(ctl({"nginx-site", "--listen", "80", "--output", "/etc/nginx/conf.d/hlsfs.conf"}));
  EXPECT_EQ(d.command, CtlCommand::nginx_site);
  EXPECT_EQ(d.nginx_site.listen, "80");
  EXPECT_EQ(d.nginx_site.output, "/etc/nginx/conf.d/hlsfs.conf");
  EXPECT_EQ(d.nginx_site.player_dir, "");
  const CtlInvocation& e =
      runs(ctl({"nginx-site", "--listen", "127.0.0.1:8088", "--player", "/p", "--hls-js", "/p/hls.min.js"}));
  EXPECT_EQ(e.nginx_site.player_dir, "/p");
  EXPECT_EQ(e.nginx_site.hls_js, "/p/hls.min.js");
  EXPECT_EQ(e.nginx_site.output, "");
  EXPECT_EQ(runs(ctl({"nginx-site"})).nginx_site.listen, "127.0.0.1:8088");
}

TEST(CtlCommandLine, RenderAsTheTestsWriteIt) {
  const CtlInvocation& plain = runs(ctl({"render", "req.json"}));
  EXPECT_EQ(plain.command, CtlCommand::render);
  const RenderOptions defaults;
  EXPECT_EQ(plain.render.request_path, "req.json");
  EXPECT_EQ(plain.render.segments, defaults.segments);
  EXPECT_EQ(plain.render.shuffled, false);
  EXPECT_EQ(plain.render.jobs, defaults.jobs);
  EXPECT_EQ(plain.render.threads, defaults.threads);
  EXPECT_EQ(plain.render.preset, defaults.preset);
  EXPECT_EQ(plain.render.x264_params, "");
  EXPECT_FALSE(plain.render.quiet);
  EXPECT_TRUE(plain.render.share_decode);

  const RenderOptions r =
      runs(ctl({"render", "b/req.json", "--order", "shuffled", "--jobs", "3", "--separate", "--quiet"})).render;
  EXPECT_EQ(r.request_path, "b/req.json");
  EXPECT_TRUE(r.shuffled);
  EXPECT_EQ(r.jobs, 3);
  EXPECT_FALSE(r.share_decode);
  EXPECT_TRUE(r.quiet);
  EXPECT_FALSE(runs(ctl({"render", "a.json", "--order", "in", "--jobs", "1"})).render.shuffled);

  const RenderOptions t = runs(ctl({"render", "--segments", "0,3-5", "--preset", "medium", "--threads", "64",
                                     "--x264-params", "tff=1:keyint=48", "c.json"}))
                               .render;
  EXPECT_EQ(t.segments, "0,3-5");
  EXPECT_EQ(t.preset, "medium");
  EXPECT_EQ(t.threads, 64);
  EXPECT_EQ(t.x264_params, "tff=1:keyint=48");
  EXPECT_EQ(t.request_path, "c.json");
}

TEST(CtlCommandLine, Formats) {
  EXPECT_EQ(runs(ctl({"formats"})).command, CtlCommand::formats);
  EXPECT_FALSE(runs(ctl({"formats"})).formats.list);
  EXPECT_TRUE(runs(ctl({"formats", "--list"})).formats.list);
}

TEST(CtlCommandLine, HelpOfEveryCommandGoesToStdoutWithExitZero) {
  for (std::string command : {"", "generate", "status", "gc", "sign", "nginx-site", "formats", "render"}) {
    for (std::string flag : {"--help", "-h"}) {
      std::vector<std::string> args;
      if (!command.empty()) args.push_back(command);
      args.push_back(flag);
      CtlRun r = ctl(args);
      EXPECT_FALSE(r.parse.invocation) << command << " " << flag;
      EXPECT_EQ(r.parse.exit_code, 0) << command << " " << flag;
      EXPECT_EQ(r.err, "") << command << " " << flag;
      std::string usage = "Usage: hlsfsctl" + (command.empty() ? "" : " " + command);
      EXPECT_NE(r.out.find(usage), std::string::npos) << command << " " << flag << ": " << r.out;
    }
  }
  // --help wins over what is missing (sign's path, render's request).
  EXPECT_EQ(ctl({"sign", "--help"}).parse.exit_code, 0);
  EXPECT_EQ(ctl({"--config", "x", "render", "--jobs", "2", "--help"}).parse.exit_code, 0);
}

TEST(CtlCommandLine, HelpDocumentsTheExitStatusAndTheDefaults) {
  CtlRun top = ctl({"--help"});
  EXPECT_NE(top.out.find("Exit status:"), std::string::npos);
  EXPECT_NE(top.out.find(kDefaultConfig), std::string::npos);  // --config's default
  for (const char* command : {"generate", "status", "gc", "sign", "nginx-site", "formats", "render"})
    EXPECT_NE(top.out.find(command), std::string::npos) << command;
  EXPECT_NE(ctl({"sign", "--help"}).out.find("--allow-store-root"), std::string::npos);
  // Checked by the command, not by CLI11, but shown as required all the same.
  EXPECT_NE(ctl({"sign", "--help"}).out.find("Usage: hlsfsctl sign [OPTIONS] PATH_OR_URI\n"), std::string::npos);
  EXPECT_NE(ctl({"render", "--help"}).out.find("Usage: hlsfsctl render [OPTIONS] REQUEST.json\n"), std::string::npos);
  EXPECT_NE(ctl({"render", "--help"}).out.find("veryfast"), std::string::npos);  // --preset's default
}

TEST(CtlCommandLine, VersionGoesToStdoutWithExitZero) {
  CtlRun r = ctl({"--version"});
  EXPECT_TRUE(r.version_asked);
  EXPECT_EQ(r.parse.exit_code, 0);
  EXPECT_EQ(r.out, "hlsfsctl 9.9 (test)\n");
  EXPECT_EQ(r.err, "");
  EXPECT_FALSE(ctl({"status"}).version_asked);  // only asked for
}

TEST(CtlCommandLine, BareHlsfsctlPrintsTheHelpToStderrWithExitTwo) {
  CtlRun r = ctl({});
  EXPECT_FALSE(r.parse.invocation);
  EXPECT_EQ(r.parse.exit_code, 2);
  EXPECT_EQ(r.out, "");
  EXPECT_NE(r.err.find("Usage: hlsfsctl"), std::string::npos);
}

TEST(CtlCommandLine, UsageErrorsGoToStderrWithExitTwo) {
  expect_usage_error({"--bogus"}, "--bogus");
  expect_usage_error({"frobnicate"}, "unknown command \"frobnicate\"");
  expect_usage_error({"--config", "x"}, "a COMMAND is required");
  expect_usage_error({"--config"}, "--config");
  expect_usage_error({"sign", "--help-me"}, "--help-me");  // the "unexpected argument", by another name
  expect_usage_error({"status", "--bogus"}, "hlsfsctl status: ");
  expect_usage_error({"status", "extra"}, "extra");
  expect_usage_error({"gc", "--json"}, "--json");
  expect_usage_error({"generate"}, "REQUEST.json is required");
  expect_usage_error({"generate", "a.json", "b.json"}, "b.json");
  expect_usage_error({"sign"}, "PATH_OR_URI is required");
  expect_usage_error({"sign", ""}, "must not be empty");
  expect_usage_error({"sign", "/a/b.m3u8", "/c/d.m3u8"}, "/c/d.m3u8");
  expect_usage_error({"sign", "/a/b.m3u8", "--ttl"}, "--ttl");
  expect_usage_error({"sign", "/a/b.m3u8", "--ttl", "2x"}, "unknown duration unit");
  expect_usage_error({"sign", "/a/b.m3u8", "--listen", "80"}, "--listen");  // another command's option
  expect_usage_error({"nginx-site", "--player", "/p"}, "--player requires --hls-js");
  expect_usage_error({"nginx-site", "--hls-js", "/p/hls.min.js"}, "--hls-js requires --player");
  expect_usage_error({"nginx-site", "extra"}, "extra");
  expect_usage_error({"formats", "--list", "x"}, "x");
  expect_usage_error({"render"}, "REQUEST.json is required");
  expect_usage_error({"render", "a.json", "b.json"}, "b.json");
  expect_usage_error({"render", "a.json", "--jobs", "0"}, "--jobs");
  expect_usage_error({"render", "a.json", "--jobs", "65"}, "--jobs");
  expect_usage_error({"render", "a.json", "--jobs", "two"}, "--jobs");
  expect_usage_error({"render", "a.json", "--threads", "0"}, "--threads");
  expect_usage_error({"render", "a.json", "--order", "sideways"}, "--order");
  expect_usage_error({"render", "a.json", "--segments"}, "--segments");
  expect_usage_error({"render", "a.json", "--bogus"}, "--bogus");
  expect_usage_error({"status", "generate", "x"}, "generate");  // one command only
}

namespace {

struct DaemonRun {
  DaemonParse parse;
  std::string out, err;
};

DaemonRun daemon(std::vector<std::string> args) {
  args.insert(args.begin(), "hlsfsd");
  std::vector<const char*> argv;
  for (const auto& a : args) argv.push_back(a.c_str());
  std::ostringstream out, err;
  DaemonRun run;
  run.parse = parse_daemon_command_line(static_cast<int>(argv.size()), argv.data(), kDefaultConfig,
                                        [] { return std::string("hlsfsd 9.9 (test)\n"); }, out, err);
  run.out = out.str();
  run.err = err.str();
  return run;
}

}  // namespace

// systemd/hlsfsd.service, the tests and the demo.
TEST(DaemonCommandLine, AsTheUnitAndTheTestsWriteIt) {
  DaemonRun plain = daemon({});
  ASSERT_TRUE(plain.parse.options);
  EXPECT_EQ(plain.parse.options->config_path, kDefaultConfig);
  EXPECT_FALSE(plain.parse.options->check_only);
  EXPECT_FALSE(plain.parse.options->clean_only);

  DaemonRun run = daemon({"--config", "/d/hlsfs.yaml"});
  ASSERT_TRUE(run.parse.options);
  EXPECT_EQ(run.parse.options->config_path, "/d/hlsfs.yaml");

  DaemonRun check = daemon({"--check-config", "--config", "/etc/hlsfs/other.yaml"});
  ASSERT_TRUE(check.parse.options);
  EXPECT_TRUE(check.parse.options->check_only);
  EXPECT_EQ(check.parse.options->config_path, "/etc/hlsfs/other.yaml");

  DaemonRun clean = daemon({"--clean-mount", "--config", "/d/hlsfs.yaml"});
  ASSERT_TRUE(clean.parse.options);
  EXPECT_TRUE(clean.parse.options->clean_only);
  EXPECT_FALSE(clean.parse.options->check_only);
}

TEST(DaemonCommandLine, HelpVersionAndUsageErrors) {
  for (std::string flag : {"--help", "-h"}) {
    DaemonRun help = daemon({flag});
    EXPECT_FALSE(help.parse.options);
    EXPECT_EQ(help.parse.exit_code, 0);
    EXPECT_NE(help.out.find("Usage: hlsfsd"), std::string::npos);
    EXPECT_NE(help.out.find("Exit status:"), std::string::npos);
    EXPECT_EQ(help.err, "");
  }
  DaemonRun version = daemon({"--version"});
  EXPECT_EQ(version.parse.exit_code, 0);
  EXPECT_EQ(version.out, "hlsfsd 9.9 (test)\n");

  // ExecStart's `--config ${HLSFS_CONFIG}` with the variable empty.
  for (const std::vector<std::string>& args :
       std::vector<std::vector<std::string>>{{"--config"}, {"--bogus"}, {"status"}, {"--check-config", "x"}}) {
    DaemonRun bad = daemon(args);
    EXPECT_FALSE(bad.parse.options) << args[0];
    EXPECT_EQ(bad.parse.exit_code, 2) << args[0];
    EXPECT_EQ(bad.out, "") << args[0];
    EXPECT_NE(bad.err.find("hlsfsd: "), std::string::npos) << bad.err;
    EXPECT_NE(bad.err.find("--help"), std::string::npos) << bad.err;
  }
}

TEST(ProgramVersion, NamesHlsfsAndEveryLibraryWithItsSource) {
  std::vector<LibraryVersion> libs = libav_versions();
  libs.push_back(caf_version_built("no runtime query"));
  libs.push_back(rocksdb_version_built(""));
  std::string text = version_text("hlsfsd", libs);
  EXPECT_EQ(text.rfind(std::string("hlsfsd ") + hlsfs_version() + "\n", 0), 0u) << text;
  for (const char* name : {"FFmpeg", "libavformat", "libavcodec", "libavutil", "CAF", "RocksDB"})
    EXPECT_NE(text.find(std::string("  ") + name + " "), std::string::npos) << name << " in " << text;
  EXPECT_NE(text.find("(runtime"), std::string::npos);
  EXPECT_NE(text.find("(compile-time: no runtime query)"), std::string::npos);
  for (const auto& l : libs) {
    EXPECT_FALSE(l.version.empty()) << l.name;
    EXPECT_NE(l.version.find('.'), std::string::npos) << l.name << " " << l.version;
  }
}
