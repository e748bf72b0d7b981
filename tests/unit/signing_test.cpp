// Signed playback URLs must be exactly what nginx's secure_link computes.
#include <gtest/gtest.h>
#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "daemon/ctl/nginx_site.h"
#include "daemon/ctl/private_file.h"
#include "daemon/ctl/sign.h"

using namespace hlsfs;

TEST(Signing, MatchesNginxDocumentedExample) {
  // nginx.org, ngx_http_secure_link_module: for
  //   secure_link_md5 "$secure_link_expires$uri$remote_addr secret";
  // expires 2147483647, uri /s/link, remote_addr 127.0.0.1 gives:
  EXPECT_EQ(secure_link_md5("2147483647/s/link127.0.0.1 secret"), "_e4Nc3iduzkWRm01TBBNYw");
}

TEST(Signing, SignsTheDirectoryOfThePlaylist) {
  SignedPath s = sign_path("/media/out/movie/master.m3u8", "0123456789abcdef", 1700000000);
  EXPECT_EQ(s.prefix, "/media/out/movie");
  EXPECT_EQ(s.rest, "master.m3u8");
  EXPECT_EQ(s.signature, secure_link_md5("1700000000/media/out/movie 0123456789abcdef"));
  EXPECT_EQ(s.path(), "/s/" + s.signature + "/1700000000/media/out/movie/~/master.m3u8");
  // Another directory, another signature.
  EXPECT_NE(sign_path("/media/out/other/master.m3u8", "0123456789abcdef", 1700000000).signature, s.signature);
  EXPECT_THROW(sign_path("media/x.m3u8", "k", 1), std::invalid_argument);
  EXPECT_THROW(sign_path("/x.m3u8", "k", 1), std::invalid_argument);  // no directory to sign
  EXPECT_THROW(sign_path("/media/~/x.m3u8", "k", 1), std::invalid_argument);
}

TEST(Signing, NginxSiteNeedsTheSecretAndDeniesTheRest) {
  Config c;
  c.path = "h.yaml";
  c.mount = "/srv/hlsfs";
  EXPECT_THROW(nginx_site(c, "127.0.0.1:80", "", ""), ConfigError);
  c.signing_secret = "0123456789abcdef0123";
  std::string site = nginx_site(c, "127.0.0.1:80", "", "");
  EXPECT_NE(site.find("secure_link_md5 \"$secure_link_expires$hlsfs_prefix $hlsfs_secret\""), std::string::npos);
  EXPECT_NE(site.find("set $hlsfs_secret \"0123456789abcdef0123\""), std::string::npos);
  EXPECT_NE(site.find("location / { return 403; }"), std::string::npos);
  EXPECT_NE(site.find("root /srv/hlsfs;"), std::string::npos);
}

// etc/nginx/hlsfs.conf is exactly what `hlsfsctl nginx-site --listen 80`
// prints for etc/hlsfs.yaml (with a placeholder secret), so the example never
// drifts from the code. HLSFS_UPDATE_EXAMPLES=1 rewrites it.
TEST(Signing, TheExampleSiteIsWhatNginxSitePrints) {
  auto slurp = [](const std::string& p) {
    std::ifstream f(p);
    std::stringstream s;
    s << f.rdbuf();
    return s.str();
  };
  const std::string src = HLSFS_SOURCE_DIR;
  Config c = parse_config(slurp(src + "/etc/hlsfs.yaml"), "/etc/hlsfs/hlsfs.yaml");
  c.signing_secret = "CHANGE-ME-the-secret-of-hlsfs.yaml";
  std::string site = nginx_site(c, "80", "", "");
  if (getenv("HLSFS_UPDATE_EXAMPLES")) std::ofstream(src + "/etc/nginx/hlsfs.conf") << site;
  EXPECT_EQ(slurp(src + "/etc/nginx/hlsfs.conf"), site) << "run with HLSFS_UPDATE_EXAMPLES=1 to update the example";
}

TEST(Signing, ThePlaceholderSecretIsRefused) {
  EXPECT_THROW(parse_config("signing: {secret: CHANGE-ME-openssl-rand-hex-32}\nstores: {m: {plugin: local, root: /x}}\n",
                            "f"),
               ConfigError);
}

// A playlist at a store's root has the store itself as its signed prefix:
// its URL would open every file of the store.
TEST(Signing, AStoreRootIsNotSignedByDefault) {
  try {
    sign_path("/media/master.m3u8", "0123456789abcdef", 1700000000);
    FAIL() << "signed the whole store";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("--allow-store-root"), std::string::npos) << e.what();
  }
  EXPECT_EQ(sign_path("/media/out/master.m3u8", "0123456789abcdef", 1700000000).prefix, "/media/out");
  SignedPath s = sign_path("/media/master.m3u8", "0123456789abcdef", 1700000000, /*allow_store_root=*/true);
  EXPECT_EQ(s.path(), "/s/" + secure_link_md5("1700000000/media 0123456789abcdef") + "/1700000000/media/~/master.m3u8");
}

// nginx merges "//" and resolves "." and ".." before matching: such a prefix
// would be signed as written and never verify (or hide a store root).
TEST(Signing, PathsAreCleanMountPaths) {
  for (const char* p : {"/media//master.m3u8", "/media/./master.m3u8", "/media/out/..", "/media/out/../a.m3u8",
                        "/media/out/", "/", "/media/~/a/x.m3u8"})
    EXPECT_THROW(sign_path(p, "k", 1, true), std::invalid_argument) << p;
}

// Every location of the site that reaches the control API checks a
// signature first, as the media locations do: no anonymous request gets
// past nginx.
TEST(Signing, EveryProxiedLocationChecksTheSignature) {
  Config c;
  c.path = "h.yaml";
  c.signing_secret = "0123456789abcdef0123";
  std::string site = nginx_site(c, "80", "/usr/share/hlsfs/player", "/usr/share/hlsfs/player/hls.min.js");
  int proxied = 0;
  for (size_t at = site.find("\n  location "); at != std::string::npos; at = site.find("\n  location ", at + 1)) {
    size_t line_end = site.find('\n', at + 1);
    bool one_line = site[line_end - 1] == '}';  // location = /x { alias ...; }
    std::string block = site.substr(at, (one_line ? line_end : site.find("\n  }", at)) - at);
    if (block.find("proxy_pass") == std::string::npos) continue;
    ++proxied;
    EXPECT_NE(block.find("secure_link_md5 \"$secure_link_expires$hlsfs_prefix $hlsfs_secret\""), std::string::npos)
        << block;
    EXPECT_NE(block.find("if ($secure_link = \"\") { return 403; }"), std::string::npos) << block;
    EXPECT_NE(block.find("if ($secure_link = \"0\") { return 403; }"), std::string::npos) << block;
  }
  EXPECT_EQ(proxied, 1) << "the player's readout (events)";
}

// `nginx-site --output`: the site holds the secret, so the file is 0600 from
// its first byte whatever the umask, an older world-readable site is
// replaced, and a link the operator made (sites-enabled -> sites-available)
// keeps pointing at the new file.
TEST(Signing, ThePrivateFileIsNeverReadableByOthers) {
  char dir[] = "/tmp/hlsfs-private-test.XXXXXX";
  ASSERT_TRUE(mkdtemp(dir));
  const std::string d = dir, site = d + "/hlsfs.conf";
  auto mode = [](const std::string& p) {
    struct stat st {};
    EXPECT_EQ(lstat(p.c_str(), &st), 0) << p;
    return st.st_mode & 07777;
  };
  auto slurp = [](const std::string& p) {
    std::ifstream f(p);
    std::stringstream s;
    s << f.rdbuf();
    return s.str();
  };
  mode_t old_umask = umask(0);
  std::ofstream(site) << "an older site";
  chmod(site.c_str(), 0644);
  write_private_file(site, "server {}\n");
  EXPECT_EQ(mode(site), 0600u);
  EXPECT_EQ(slurp(site), "server {}\n");
  ASSERT_EQ(symlink((d + "/hlsfs.conf").c_str(), (d + "/enabled.conf").c_str()), 0);
  write_private_file(d + "/enabled.conf", "server { listen 80; }\n");
  struct stat st {};
  ASSERT_EQ(lstat((d + "/enabled.conf").c_str(), &st), 0);
  EXPECT_TRUE(S_ISLNK(st.st_mode));
  EXPECT_EQ(slurp(site), "server { listen 80; }\n");
  EXPECT_EQ(mode(site), 0600u);
  umask(old_umask);
  try {
    write_private_file(d + "/no/such/dir/site.conf", "x");
    ADD_FAILURE() << "wrote into a missing directory";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find(d + "/no/such/dir/site.conf"), std::string::npos) << e.what();
  }
  // Nothing left beside it but the two names.
  int entries = 0;
  DIR* dp = opendir(dir);
  while (dirent* e = readdir(dp)) entries += e->d_name[0] != '.';
  closedir(dp);
  EXPECT_EQ(entries, 2);
  unlink((d + "/enabled.conf").c_str());
  unlink(site.c_str());
  rmdir(dir);
}
