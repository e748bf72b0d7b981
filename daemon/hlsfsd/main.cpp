// hlsfsd: the hlsfs daemon. Reads its YAML configuration, opens the stores
// (plugins) and the state (RocksDB), starts the actors, serves the control API
// and the metrics, mounts the filesystem, and runs in the foreground until
// SIGTERM/SIGINT (systemd runs it as Type=notify).
#include <signal.h>
#include <sys/stat.h>
#include <systemd/sd-daemon.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <iostream>

#include "actors/cluster/cluster_node.h"
#include "actors/gc/gc_actor.h"
#include "actors/library/library_finder.h"
#include "actors/library/library_publish.h"
#include "actors/playlist/playlist_actor.h"
#include "actors/playlist/playlist_service.h"
#include "actors/segment_cache/segment_cache_actor.h"
#include "actors/segment_cache/reconcile.h"
#include "actors/segment_cache/segment_store.h"
#include "actors/segment_cache/state_store.h"
#include "actors/storage/atomic_file.h"
#include "actors/storage/backend.h"
#include "actors/storage/storage_actor.h"
#include "actors/transcoder/av_util.h"
#include "actors/transcoder/heap_policy.h"
#include "actors/transcoder/scratch_dir.h"
#include "actors/transcoder/transcoder_actor.h"
#include "actors/watchdog/watchdog_actor.h"
#include "daemon/config/config.h"
#include "daemon/control/control_api.h"
#include "daemon/control/generate_call.h"
#include "daemon/imm/imm_endpoint.h"
#include "daemon/http/http_server.h"
#include "actors/daemon_metrics.h"
#include "daemon/cli/program_version.h"
#include "metrics/metrics.h"
#include "metrics/process_metrics.h"
#include "actors/segment_cache/recent_segments.h"
#include "actors/storage/backend_reader.h"
#include "daemon/config/reload.h"
#include "daemon/hlsfsd/daemon_command_line.h"
#include "daemon/hlsfsd/worker_setup.h"
#include "daemon/hlsfsd/notifier_setup.h"
#include "actors/playlist/recent_titles.h"
#include "fuse/hlsfs_fuse.h"
#include "hlsfs/log.h"

namespace {

std::shared_ptr<hlsfs::Services> build_services(const hlsfs::Config& cfg) {
  using namespace hlsfs;
  auto svc = std::make_shared<Services>();
  // First: every store's request metrics are registered as it opens.
  svc->metrics = std::make_shared<MetricsRegistry>();
  svc->meters = std::make_shared<DaemonMetrics>(*svc->metrics);
  svc->cache_dir = cfg.cache_dir;
  svc->encoder = EncoderConfig{cfg.preset, cfg.encoder_threads, cfg.x264_params};
  svc->encoder.thumbnails = cfg.thumbnails_in_use();
  svc->workers = cfg.workers;
  svc->progress = std::make_shared<JobProgressBoard>(reader_jobs_filling(usable_cpus(), cfg.encoder_threads));
  std::vector<std::string> plugin_dirs = cfg.plugin_dirs.empty() ? Backend::default_plugin_dirs() : cfg.plugin_dirs;
  std::vector<std::string> names;
  for (const auto& s : cfg.stores) {
    svc->backends[s.name] = Backend::load(plugin_dirs, s.plugin, s.name, s.options);
    svc->backends[s.name]->set_metrics(backend_metrics(*svc->metrics, s.name));
    if (s.plugin == "local") svc->router.add_local(s.name, s.options.at("root"));
    else if (s.options.count("bucket"))
      svc->router.add_bucket(s.name, s.plugin == "oss" ? "oss" : "s3", s.options.at("bucket"),
                             s.options.count("prefix") ? s.options.at("prefix") : "");
    names.push_back(s.name);
    HLSFS_LOG(info, "storage") << "store \"" << s.name << "\" (" << s.plugin << ") open";
  }
  make_dirs(cfg.state_dir);
  make_dirs(cfg.cache_dir);
  // Encoders' temporary files: in a private directory of the cache, never /tmp.
  set_scratch_parent(cfg.cache_dir, true);
  StateOptions state_options;
  state_options.block_cache_size = static_cast<size_t>(cfg.state_block_cache_bytes);
  state_options.memtable_budget = static_cast<size_t>(cfg.state_memtable_bytes);
  svc->state = std::shared_ptr<StateStore>(StateStore::open(cfg.state_dir, state_options));
  svc->segments = std::make_shared<SegmentStore>(cfg.cache_dir, *svc->state);
  // The catalog's truth is its index in the state (written without fsync:
  // the playlist records it follows are fsynced, and a WAL write survives a
  // killed process); memory holds a bounded cache of it.
  svc->catalog = std::make_shared<Catalog>(names, state_catalog_store(svc->state, false),
                                           CatalogOptions{static_cast<size_t>(cfg.catalog_cache_bytes)});
  svc->recent = std::make_shared<RecentSegments>();
  svc->titles = std::make_shared<RecentTitles>();
  ReadCacheOptions blocks;  // one segment span per worker (see ReadCacheOptions), and headers
  blocks.capacity_bytes = ReadCacheOptions().capacity_bytes * cfg.workers;
  svc->source_blocks = std::make_shared<BlockCache>(blocks);
  svc->set_tunables(tunables_of(cfg));
  return svc;
}

std::string joined(const std::vector<std::string>& keys) {
  std::string out;
  for (const auto& k : keys) out += (out.empty() ? "" : ", ") + k;
  return out;
}

// SIGHUP: read the file again and apply what can change while running; a
// bad file changes nothing (the running configuration stays).
void reload(hlsfs::Config& running, hlsfs::Services& svc) {
  using namespace hlsfs;
  sd_notify(0, "RELOADING=1");
  Config fresh;
  try {
    fresh = load_config(running.path);
  } catch (const ConfigError& e) {
    HLSFS_LOG(error, "hlsfsd") << "SIGHUP: " << e.what() << "; keeping the running configuration";
    sd_notify(0, "READY=1");
    return;
  }
  ReloadPlan plan = plan_reload(running, fresh);
  set_log_level(parse_log_level(fresh.log_level));
  svc.set_tunables(tunables_of(fresh));
  if (!plan.need_restart.empty())
    HLSFS_LOG(warning, "hlsfsd") << "SIGHUP: changed but applied only after a restart: " << joined(plan.need_restart);
  if (!plan.for_nginx.empty())
    HLSFS_LOG(info, "hlsfsd") << "SIGHUP: " << joined(plan.for_nginx)
                              << " changed: regenerate the nginx site (hlsfsctl nginx-site) and reload nginx";
  HLSFS_LOG(info, "hlsfsd") << "SIGHUP: " << running.path << " reloaded; "
                            << (plan.applied.empty() ? "nothing to apply" : "applied " + joined(plan.applied));
  running = with_live_changes(running, fresh);  // the next reload compares against what runs
  sd_notify(0, "READY=1");
}

void register_metrics(hlsfs::Services& svc) {
  auto state = svc.state;
  svc.metrics->gauge_callback("hlsfs_cache_bytes", "Bytes of segments in the local cache",
                              [state] { return static_cast<double>(state->local_bytes()); });
  svc.metrics->gauge_callback("hlsfs_cache_segments", "Segment records in the state",
                              [state] { return static_cast<double>(state->segment_count()); });
  for (const char* part : {"block_cache", "table_readers", "memtables"})
    svc.metrics->gauge_callback(
        "hlsfs_state_memory_bytes", "RocksDB's memory (state.block_cache, state.memtables)",
        [state, p = std::string(part)] {
          auto m = state->memory_use();
          return static_cast<double>(p == "block_cache" ? m.block_cache : p == "table_readers" ? m.table_readers : m.memtables);
        },
        {{"part", part}});
  auto catalog = svc.catalog;
  svc.metrics->gauge_callback("hlsfs_renditions", "Published renditions",
                              [catalog] { return static_cast<double>(catalog->rendition_count()); });
  svc.metrics->gauge_callback("hlsfs_catalog_cache_entries", "Renditions and playlist texts the catalog holds in memory",
                              [catalog] {
                                auto c = catalog->cache_stats();
                                return static_cast<double>(c.renditions + c.texts);
                              });
  svc.metrics->gauge_callback("hlsfs_catalog_cache_bytes", "Estimated bytes of the catalog's memory cache (catalog.cache_size)",
                              [catalog] { return static_cast<double>(catalog->cache_stats().bytes); });
  svc.metrics->gauge("hlsfs_build_info", "Always 1: the running hlsfsd's version and the FFmpeg it runs with",
                     {{"version", hlsfs::hlsfs_version()}, {"ffmpeg", av_version_info()}})
      .set(1);
  hlsfs::register_process_metrics(*svc.metrics);
}

// Ready when the mount answers: a stat of the mountpoint goes through FUSE.
bool mount_answers(const std::string& mountpoint) {
  struct stat st {};
  for (int i = 0; i < 100; ++i) {
    if (stat(mountpoint.c_str(), &st) == 0 && st.st_ino == 1) return true;
    usleep(50 * 1000);
  }
  return false;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace hlsfs;
  DaemonParse parsed =
      parse_daemon_command_line(argc, argv, HLSFS_DEFAULT_CONFIG, daemon_version_text, std::cout, std::cerr);
  if (!parsed.options) return parsed.exit_code;
  const std::string config_path = parsed.options->config_path;
  const bool check_only = parsed.options->check_only, clean_only = parsed.options->clean_only;
  Config cfg;
  std::string control_token;  // read here, not by load_config: hlsfsctl on the unix socket needs no access
  std::string notify_secret;  // the same (notifications.secret_file)
  imm::AccessKeys api_keys;   // the same: only hlsfsd reads them
  try {
    cfg = load_config(config_path);
    control_token = read_control_token(cfg);
    notify_secret = read_notifications_secret(cfg);
    api_keys = imm::load_access_keys(cfg);
  } catch (const ConfigError& e) {
    // Under systemd (ExecStartPre=--check-config too): an error in the journal.
    std::cerr << (priority_prefix_wanted("auto") ? journal_priority(LogLevel::error) : "") << "hlsfsd: " << e.what()
              << "\n";
    return 2;
  }
  if (clean_only) {
    if (clean_stale_mount(cfg.mount)) std::cout << "detached the stale mount at " << cfg.mount << "\n";
    return 0;
  }
  if (check_only) {
    std::cout << "configuration " << config_path << " is valid\n";
    return 0;
  }
  set_log_level(parse_log_level(cfg.log_level));
  set_log_priority_prefix(priority_prefix_wanted(cfg.log_priority_prefix));
  quiet_libav_logs();
  keep_large_allocations();
  // Jobs run on at most 2 x workers (readers' extra workers): an arena each.
  bound_heap_arenas(2 * cfg.workers);

  // Signals go to this thread only (sigwait below); every thread started
  // from here inherits the mask.
  sigset_t sigs;
  sigemptyset(&sigs);
  for (int s : {SIGINT, SIGTERM, SIGHUP}) sigaddset(&sigs, s);
  pthread_sigmask(SIG_BLOCK, &sigs, nullptr);
  signal(SIGPIPE, SIG_IGN);

  std::shared_ptr<Services> svc;
  try {
    svc = build_services(cfg);
  } catch (const std::exception& e) {
    HLSFS_LOG(error, "hlsfsd") << e.what();
    return 1;
  }
  register_metrics(*svc);
  ReconcileReport rec = reconcile_cache(*svc->state, *svc->segments);
  if (rec.files_removed || rec.records_dropped)
    HLSFS_LOG(warning, "hlsfsd") << "cache reconciled: " << rec.files_removed << " stray files removed ("
                                 << rec.bytes_removed << " bytes), " << rec.records_dropped
                                 << " records without their file dropped";
  try {
    start_workers(cfg, *svc);
  } catch (const std::exception& e) {
    HLSFS_LOG(error, "hlsfsd") << "cannot start the worker processes: " << e.what();
    return 1;
  }
  size_t restored = restore_catalog(*svc);
  HLSFS_LOG(info, "hlsfsd") << "state " << cfg.state_dir << ": " << restored << " renditions, "
                            << svc->state->segment_count() << " segments (" << svc->state->local_bytes()
                            << " bytes) in " << cfg.cache_dir;
  // Titles other nodes generated come from the shared buckets (issue 17).
  std::vector<ClusterStore> shared_stores;
  for (const auto& s : cfg.stores)
    if (s.plugin != "local")
      shared_stores.push_back(ClusterStore{s.name, s.plugin, s.options.count("bucket") ? s.options.at("bucket") : "",
                                           s.options.count("prefix") ? s.options.at("prefix") : ""});
  auto cluster_status = start_cluster(*svc, cfg.cluster_node, cfg.cluster_usage_interval_ms, shared_stores);
  if (cfg.metrics_node_label) svc->metrics->set_constant_labels({{"node", cfg.cluster_node}});

  caf::actor_system_config caf_cfg;
  caf_cfg.set("scheduler.max-threads", static_cast<size_t>(4));
  caf::actor_system sys{caf_cfg};
  auto notifier = start_notifier(sys, cfg, notify_secret, *svc);  // before the actors that use it
  auto transcoder = spawn_transcoder(sys, svc);
  std::map<std::string, storage_actor> storage;
  // A library store is read-only: no storage actor writes into it (its
  // playlists are published only, its segments stay in cache_dir).
  std::map<std::string, LibrarySettings> libraries;
  for (const auto& sc : cfg.stores)
    if (sc.library) libraries[sc.name] = *sc.library;
  for (const auto& [name, backend] : svc->backends)
    if (!libraries.count(name)) storage[name] = spawn_storage(sys, backend);
  auto gc = spawn_gc(sys, svc, storage);
  auto cache = spawn_segment_cache(sys, svc, transcoder, gc, storage);
  auto playlist = spawn_playlist(sys, svc, cache, storage);
  std::shared_ptr<TitleFinder> library_finder;
  if (!libraries.empty()) {  // first: a library's names are its own, before the cluster's
    library_finder = std::make_shared<LibraryFinder>(svc, libraries, publish_through(sys, playlist), std::max(2, cfg.workers));
    svc->title_finders.insert(svc->title_finders.begin(), library_finder);
  }
  caf::actor watchdog;  // systemd's WatchdogSec=: WATCHDOG=1 only while these actors answer
  if (uint64_t usec = 0; sd_watchdog_enabled(0, &usec) > 0)
    watchdog = spawn_watchdog(sys, watchdog_interval(usec),
                              {caf::actor_cast<caf::actor>(cache), caf::actor_cast<caf::actor>(transcoder)},
                              [] { sd_notify(0, "WATCHDOG=1"); });

  int rc = 0;
  {
    HttpServerOptions control_options;
    control_options.bearer_token = control_token;  // asked over TCP only
    control_options.head_timeout = std::chrono::milliseconds(cfg.control_head_timeout_ms);
    control_options.max_tcp_connections = cfg.control_max_tcp_connections;
    control_options.log = [](const std::string& m) { HLSFS_LOG(warning, "http") << m; };
    HttpServer control(make_control_handler(sys, ControlActors{playlist, cache, transcoder, gc, svc->recent, svc->quarantine, cluster_status, svc->titles}), "control",
                       control_options);
    std::unique_ptr<HttpServer> metrics_server;
    std::unique_ptr<HttpServer> api_server;  // IMM's RPC protocol (api:)
    FuseMount mount(sys, svc, cache, cfg.mount, cfg.allow_other);
    try {
      control.listen_unix(cfg.control_socket, 0660);
      if (cfg.control_listen.enabled()) control.listen_tcp(cfg.control_listen.host, cfg.control_listen.port);
      control.start();
      if (cfg.metrics_listen.enabled()) {
        auto registry = svc->metrics;
        metrics_server = std::make_unique<HttpServer>(
            [registry](HttpRequest req, Responder respond) {
              HttpResponse r;
              if (req.path != "/metrics") {
                r.status = 404;
                r.body = R"({"Code":"NotFound","Message":"see /metrics"})";
              } else {
                r.content_type = kMetricsContentType;
                r.body = registry->render();
              }
              respond(std::move(r));
            },
            "metrics");
        metrics_server->listen_tcp(cfg.metrics_listen.host, cfg.metrics_listen.port);
        metrics_server->start();
      }
      if (cfg.api_listen.enabled()) {
        imm::ImmEndpoint endpoint;
        endpoint.keys = api_keys;
        endpoint.generate = [&sys, playlist](std::string request, std::function<void(int32_t, std::string)> done) {
          call_generate(sys, playlist, std::move(request), std::move(done));
        };
        endpoint.log = [](const std::string& m) { HLSFS_LOG(info, "imm") << m; };
        HttpServerOptions api_options;
        api_options.log = [](const std::string& m) { HLSFS_LOG(warning, "imm") << m; };
        api_server = std::make_unique<HttpServer>(imm::make_imm_handler(std::move(endpoint)), "imm", api_options);
        api_server->listen_tcp(cfg.api_listen.host, cfg.api_listen.port);
        api_server->start();
      }
      mount.start();
      if (!mount_answers(cfg.mount)) throw std::runtime_error("the mount at " + cfg.mount + " does not answer");
      HLSFS_LOG(info, "hlsfsd") << "ready: mount " << cfg.mount << ", control unix:" << cfg.control_socket
                                << (cfg.control_listen.enabled() ? ", http://" + cfg.control_listen.str() : "")
                                << (cfg.metrics_listen.enabled() ? ", metrics http://" + cfg.metrics_listen.str() + "/metrics" : "")
                                << (cfg.api_listen.enabled() ? ", IMM API http://" + cfg.api_listen.str() + "/ (" +
                                                                   std::to_string(api_keys.size()) + " AccessKeys)"
                                                             : "");
      sd_notify(0, "READY=1");
      while (true) {
        int sig = 0;
        sigwait(&sigs, &sig);
        if (sig == SIGHUP) {
          reload(cfg, *svc);
          continue;
        }
        HLSFS_LOG(info, "hlsfsd") << "signal " << strsignal(sig) << ": stopping";
        break;
      }
    } catch (const std::exception& e) {
      HLSFS_LOG(error, "hlsfsd") << e.what();
      rc = 1;
    }
    sd_notify(0, "STOPPING=1");
    // Running encodes end at their next frame, and their readers get EIO:
    // the unmount waits for every reader's answer, and systemd should not
    // wait for segments nobody will get (the mount goes away).
    if (int running = svc->progress->running())
      HLSFS_LOG(info, "hlsfsd") << "abandoning " << running << " running segment job(s)";
    svc->progress->stop_all();
    mount.stop();
    if (library_finder) {  // its threads end here, while the actors still answer
      auto& finders = svc->title_finders;
      finders.erase(std::remove(finders.begin(), finders.end(), library_finder), finders.end());
      library_finder.reset();
    }
    if (api_server) api_server->stop();
    control.stop();
    if (metrics_server) metrics_server->stop();
  }
  {
    // Last access times to disk: a flush, then a request answered after it.
    caf::scoped_actor self{sys};
    self->send(gc, flush_atom::value);
    self->request(gc, std::chrono::seconds(5), status_atom::value).receive([](const std::string&) {}, [](caf::error&) {});
  }
  if (watchdog) anon_send_exit(watchdog, caf::exit_reason::user_shutdown);
  if (notifier) notifier->stop();
  anon_send_exit(playlist, caf::exit_reason::user_shutdown);
  anon_send_exit(cache, caf::exit_reason::user_shutdown);
  anon_send_exit(transcoder, caf::exit_reason::user_shutdown);
  anon_send_exit(gc, caf::exit_reason::user_shutdown);
  for (auto& [name, actor] : storage) anon_send_exit(actor, caf::exit_reason::user_shutdown);
  return rc;
}
