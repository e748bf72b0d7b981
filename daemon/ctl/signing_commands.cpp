#include "daemon/ctl/signing_commands.h"

#include <sys/stat.h>
#include <unistd.h>

#include <ctime>
#include <iostream>
#include <stdexcept>

#include "hlsfs/units.h"
#include "actors/storage/store_router.h"
#include "daemon/config/config.h"
#include "daemon/ctl/nginx_site.h"
#include "daemon/ctl/private_file.h"
#include "daemon/ctl/sign.h"

namespace hlsfs {

int sign_command(const std::string& config_path, const SignRequest& req) {
  Config cfg = load_config(config_path);  // refuses a file others can read
  if (cfg.signing_secret.empty()) {
    std::cerr << "error: " << config_path << ": signing.secret is not set\n";
    return 2;
  }
  int64_t ttl_ms = req.ttl.empty() ? cfg.signing_ttl_ms : parse_duration_ms(req.ttl);
  // A target URI (file:///srv/media/out/x.m3u8) or a path under the mount.
  std::string path = req.what;
  if (req.what.find("://") != std::string::npos) {
    StoreRouter router;
    for (const auto& s : cfg.stores)
      if (s.plugin == "local") router.add_local(s.name, s.options.at("root"));
      else if (s.options.count("bucket"))
        router.add_bucket(s.name, s.plugin == "oss" ? "oss" : "s3", s.options.at("bucket"),
                          s.options.count("prefix") ? s.options.at("prefix") : "");
    auto loc = router.locate(req.what);
    if (!loc) {
      std::cerr << "error: " << req.what << ": no configured store holds it (" << router.describe() << ")\n";
      return 2;
    }
    path = "/" + loc->store + "/" + loc->key;
  } else if (path.rfind(cfg.mount + "/", 0) == 0) {
    path = path.substr(cfg.mount.size());  // a path in the mount itself
  }
  int64_t expires = static_cast<int64_t>(time(nullptr)) + ttl_ms / 1000;
  SignedPath signed_path;
  try {
    signed_path = sign_path(path, cfg.signing_secret, expires, req.allow_store_root);
  } catch (const std::invalid_argument& e) {
    std::cerr << "error: " << e.what() << "\n";
    return 2;
  }
  std::cout << cfg.signing_base_url << signed_path.path() << std::endl;
  return 0;
}

int nginx_site_command(const std::string& config_path, const NginxSiteRequest& req) {
  Config cfg = load_config(config_path);
  std::string site = req.cluster.empty() ? nginx_site(cfg, req.listen, req.player_dir, req.hls_js)
                                         : nginx_front_site(cfg, req.listen, parse_cluster_nodes(req.cluster), req.tries);
  if (!req.output.empty()) {
    write_private_file(req.output, site);
    return 0;
  }
  std::cout << site << std::flush;
  // `nginx-site > FILE` creates FILE with the umask's mode, often 0644.
  struct stat st {};
  if (fstat(STDOUT_FILENO, &st) == 0 && S_ISREG(st.st_mode) && (st.st_mode & S_IROTH))
    std::cerr << "warning: the site holds the signing secret and went to a file every user can read: "
                 "chmod 600 it, or write it with --output FILE (mode 0600)\n";
  return 0;
}

}  // namespace hlsfs
