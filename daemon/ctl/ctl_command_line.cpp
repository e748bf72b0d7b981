#include "daemon/ctl/ctl_command_line.h"

#include <ostream>

#include "hlsfs/units.h"
#include "daemon/cli/exit_codes.h"
#include "daemon/cli/parse_command_line.h"

namespace hlsfs {

namespace {

const char* kExitStatus =
    "Exit status:\n"
    "  0  done\n"
    "  1  the operation failed: the daemon cannot be reached or answers an error,\n"
    "     a segment could not be made, a file could not be written\n"
    "  2  usage: the command line is wrong, or what it asks is refused before\n"
    "     anything is done (generate: the daemon answers 4xx; render: the request\n"
    "     is invalid; sign: no signing.secret, not in a store, a store's root)";

// An argument given as "" is as good as a missing one.
const CLI::Validator kNotEmpty(
    [](std::string& s) { return s.empty() ? std::string("must not be empty") : std::string(); }, "", "not empty");

// --ttl: what parse_duration_ms() reads (2h, 30m, 45s, 7d).
const CLI::Validator kDuration(
    [](std::string& s) {
      try {
        parse_duration_ms(s);
        return std::string();
      } catch (const std::exception& e) {
        return std::string(e.what());
      }
    },
    "", "duration");

// Every positional of hlsfsctl is required, but is checked in its command's
// callback (see below), so CLI11 would show it as optional: "[PATH_OR_URI]".
class RequiredPositionalsFormatter : public CLI::Formatter {
 public:
  std::string make_usage(const CLI::App* app, std::string name) const override {
    std::string usage = CLI::Formatter::make_usage(app, name);
    for (const CLI::Option* opt : app->get_options([](const CLI::Option* o) { return o->get_positional(); })) {
      std::string optional = "[" + opt->get_name() + "]";
      if (auto at = usage.find(optional); at != std::string::npos) usage.replace(at, optional.size(), opt->get_name());
    }
    return usage;
  }
};

}  // namespace

CtlParse parse_ctl_command_line(int argc, const char* const* argv, const std::string& default_config,
                                const std::function<std::string()>& version_text, std::ostream& out,
                                std::ostream& err) {
  CtlInvocation inv;
  inv.config_path = default_config;

  CLI::App app("hlsfsctl: the command-line client of hlsfs. It asks the running daemon\n"
               "(generate, status, gc, quarantine), signs playback URLs and writes the nginx site from\n"
               "the daemon's configuration (sign, nginx-site), and renders without a daemon\n"
               "(render, formats).",
               "hlsfsctl");
  app.formatter(std::make_shared<RequiredPositionalsFormatter>());
  // Given twice, the last one counts (as before CLI11).
  app.option_defaults()->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);
  app.set_version_flag("--version", [&] { return version_text(); }, "Print the versions of hlsfs and its libraries, and exit");
  app.footer(std::string("--config and --endpoint go before COMMAND; 'hlsfsctl COMMAND --help'\n"
                         "shows a command's options.\n\n") +
             kExitStatus);
  app.add_option("--config", inv.config_path,
                 "The daemon's configuration (its control.socket; sign and nginx-site read its secret)")
      ->type_name("FILE")
      ->capture_default_str();
  app.add_option("--endpoint", inv.endpoint,
                 "The daemon's control API instead of the configuration's control.socket:\n"
                 "unix:/path or http://host:port (over http, the configuration's\n"
                 "control.token_file is sent when the configuration is readable here)")
      ->type_name("URL");

  // A command's callback runs once everything is parsed, after an unknown
  // option has been refused: so `sign --bogus` names --bogus, not the path
  // that is missing too (CLI11 checks required() before unknown options).
  std::vector<std::pair<CLI::App*, CLI::Option*>> required_positionals;
  auto command = [&](const char* name, CtlCommand which, const std::string& description) {
    CLI::App* sub = app.add_subcommand(name, description);
    sub->callback([&inv, &required_positionals, sub, which] {
      for (const auto& [owner, positional] : required_positionals)
        if (owner == sub && positional->count() == 0) throw CLI::RequiredError(positional->get_name());
      inv.command = which;
    });
    return sub;
  };
  auto positional = [&](CLI::App* sub, const char* name, std::string& into, const char* description) {
    CLI::Option* option = sub->add_option(name, into, description)->type_name("")->check(kNotEmpty);
    required_positionals.emplace_back(sub, option);
    return option;
  };

  CLI::App* generate = command("generate", CtlCommand::generate,
                               "GenerateVideoPlaylist on the running daemon; prints the IMM response");
  positional(generate, "REQUEST.json", inv.generate.request_path, "The request (IMM's GenerateVideoPlaylist JSON)");
  generate->footer("Exit status: 0 the response is printed; 1 the daemon cannot be reached or failed;\n"
                   "2 the daemon refuses the request (a 4xx answer: its message is printed).");

  CLI::App* status = command("status", CtlCommand::status, "The daemon's queue, running jobs and cache");
  status->add_flag("--json", inv.status.json, "The daemon's answer (GET /v1/status) as it is");

  CLI::App* gc = command("gc", CtlCommand::gc, "A cache eviction pass now; reports what it freed (or would)");
  gc->add_flag("--dry-run", inv.gc.dry_run, "Report what a pass would free, and free nothing");

  CLI::App* quarantine = command("quarantine", CtlCommand::quarantine,
                                 "Sources whose jobs crash, run out of memory or hang their worker");
  quarantine->require_subcommand(1);
  CLI::App* q_list = quarantine->add_subcommand("list", "Every source with worker faults (3 quarantine it)");
  q_list->add_flag("--json", inv.quarantine.json, "The daemon's answer (GET /v1/quarantine) as it is");
  CLI::App* q_clear = quarantine->add_subcommand("clear", "Forget a source's faults: its reads and generates run again");
  CLI::Option* q_uri = q_clear->add_option("URI", inv.quarantine.uri, "The source URI, as `list` shows it")
                           ->type_name("")
                           ->check(kNotEmpty);
  q_clear->callback([&inv, q_uri] {
    if (q_uri->count() == 0) throw CLI::RequiredError("URI");
    inv.quarantine.clear = true;
  });
  quarantine->footer("A source is quarantined after 3 faults of its jobs (transcoder.job_memory,\n"
                     "transcoder.job_timeout, a crash or a refused system call in the decoder);\n"
                     "a changed file starts over. Exit status: 0 done; 1 the daemon cannot be\n"
                     "reached, or (clear) the source has no fault recorded; 2 usage.");

  CLI::App* sign = command("sign", CtlCommand::sign, "A signed playback URL for a playlist");
  positional(sign, "PATH_OR_URI", inv.sign.what,
             "The playlist: a path under the mount (/media/out/a/master.m3u8), or its\n"
             "target URI (file:///..., s3://..., oss://...)");
  sign->add_option("--ttl", inv.sign.ttl, "How long the URL plays, like 2h, 30m, 7d (default: signing.default_ttl)")
      ->type_name("DURATION")
      ->check(kDuration);
  sign->add_flag("--allow-store-root", inv.sign.allow_store_root,
                 "Sign a playlist at a store's root (its URL opens every file of the store)");
  sign->footer("The URL opens the playlist's directory (its renditions and segments), so a\n"
               "playlist at a store's root is refused unless --allow-store-root.\n"
               "Reads the configuration and its signing.secret, not the daemon.\n"
               "Exit status: 0 the URL is printed; 1 failed; 2 refused (no signing.secret,\n"
               "in no configured store, a store's root) or a usage error.");

  CLI::App* site = command("nginx-site", CtlCommand::nginx_site,
                           "The nginx server block for the mount, with the signing secret");
  site->add_option("--listen", inv.nginx_site.listen, "nginx's listen (address:port or port)")
      ->type_name("ADDR")
      ->capture_default_str();
  CLI::Option* player =
      site->add_option("--player", inv.nginx_site.player_dir, "Serve the player page of DIR at /player/")
          ->type_name("DIR");
  CLI::Option* hls_js =
      site->add_option("--hls-js", inv.nginx_site.hls_js, "The hls.min.js the player page loads")->type_name("FILE");
  player->needs(hls_js);
  hls_js->needs(player);
  site->add_option("--output", inv.nginx_site.output,
                   "Write FILE with mode 0600 (it holds the secret; nginx reads it as root)\n"
                   "instead of printing the site")
      ->type_name("FILE");
  CLI::Option* cluster = site->add_option("--cluster", inv.nginx_site.cluster,
                                          "The front of a cluster instead: NODES are the nodes' own sites\n"
                                          "(HOST:PORT,HOST:PORT,...), each object hashed to one of them")
                             ->type_name("NODES");
  site->add_option("--tries", inv.nginx_site.tries, "With --cluster: nodes one request may try (failover)")
      ->capture_default_str()
      ->needs(cluster);
  cluster->excludes(player);
  site->footer("Reads the configuration and its signing.secret, not the daemon.");

  CLI::App* formats =
      command("formats", CtlCommand::formats, "How many containers and codecs this build reads");
  formats->add_flag("--list", inv.formats.list, "Their names too");

  CLI::App* render = command("render", CtlCommand::render,
                             "GenerateVideoPlaylist for file:/// URIs without a daemon: writes the\n"
                             "playlists and the chosen segments, prints the IMM response JSON");
  RenderOptions& r = inv.render;
  positional(render, "REQUEST.json", r.request_path, "The request (IMM's GenerateVideoPlaylist JSON)");
  render->add_option("--segments", r.segments, "Which segments of every rendition: all, or a list like 0,3-5")
      ->type_name("LIST")
      ->capture_default_str();
  render->add_option_function<std::string>(
            "--order", [&r](const std::string& order) { r.shuffled = order == "shuffled"; },
            "Make the segments in order or shuffled (default: in)")
      ->type_name("in|shuffled")
      ->check(CLI::IsMember({"in", "shuffled"}).description(""));
  render->add_option("--jobs", r.jobs, "Segments made at once (1 to 64)")
      ->type_name("N")
      ->check(CLI::Range(1, 64).description(""))
      ->capture_default_str();
  render->add_option("--preset", r.preset, "x264's preset")->type_name("PRESET")->capture_default_str();
  render->add_option("--threads", r.threads, "Encoder threads per segment (1 to 64)")
      ->type_name("N")
      ->check(CLI::Range(1, 64).description(""))
      ->capture_default_str();
  render->add_option("--x264-params", r.x264_params, "More x264 options")->type_name("K=V:...");
  render->add_flag_function("--separate", [&r](std::int64_t) { r.share_decode = false; },
                   "Decode every rendition's segment on its own (the same bytes: for checking)");
  render->add_flag("--quiet", r.quiet, "No line per segment made on stderr");
  render->footer("Exit status: 0 done; 1 a segment or file could not be made; 2 the request\n"
                 "is invalid or a usage error.");

  // A word that is no command is named as such (CLI11 would say only that a
  // subcommand is required): the top level keeps what it does not know, and
  // its callback (after everything is parsed) refuses it. Every command
  // refuses what it does not know itself.
  for (CLI::App* sub : app.get_subcommands([](CLI::App*) { return true; })) sub->allow_extras(false);
  app.allow_extras();
  app.require_subcommand(0, 1);
  app.callback([&app] {
    std::vector<std::string> rest = app.remaining();
    if (!rest.empty() && (rest[0].empty() || rest[0][0] != '-') && app.get_subcommands().empty())
      throw CLI::ParseError("unknown command \"" + rest[0] + "\" (the commands: generate, status, gc, quarantine, sign, "
                            "nginx-site, formats, render)", CLI::ExitCodes::ExtrasError);
    if (!rest.empty()) throw CLI::ExtrasError(rest);
    if (app.get_subcommands().empty()) throw CLI::RequiredError("a COMMAND");
  });

  CtlParse result;
  if (argc < 2) {  // nothing asked: the help, as an error
    err << app.help() << std::flush;
    result.exit_code = kExitUsage;
    return result;
  }
  if (auto exit_code = parse_command_line(app, argc, argv, out, err)) {
    result.exit_code = *exit_code;
    return result;
  }
  result.invocation = std::move(inv);
  return result;
}

}  // namespace hlsfs
