// Signed playback URLs must be exactly what nginx's secure_link computes.
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "daemon/ctl/nginx_site.h"
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
