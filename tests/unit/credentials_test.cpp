// Secrets from systemd credentials: "credential:NAME" in the configuration,
// read from $CREDENTIALS_DIRECTORY (LoadCredential=) or the credstore.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <string>

#include "daemon/config/config.h"
#include "daemon/config/credentials.h"

using namespace hlsfs;

namespace {

class Credentials : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/hlsfs-cred-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    creds_ = dir_ + "/creds";
    store_ = dir_ + "/credstore";
    mkdir(creds_.c_str(), 0700);
    mkdir(store_.c_str(), 0700);
    unsetenv("CREDENTIALS_DIRECTORY");
  }
  void TearDown() override {
    unsetenv("CREDENTIALS_DIRECTORY");
    std::string cmd = "rm -rf '" + dir_ + "'";
    ASSERT_EQ(system(cmd.c_str()), 0);
  }
  std::string write(const std::string& path, const std::string& text, mode_t mode) {
    { std::ofstream(path) << text; }
    chmod(path.c_str(), mode);
    return path;
  }
  std::string config(const std::string& signing, const std::string& store_extra = "") {
    return "mount: " + dir_ + "/mnt\nsigning: {secret: \"" + signing + "\"}\nstores:\n  media: {plugin: local, root: " +
           dir_ + "}\n  s3: {plugin: s3, bucket: b" + store_extra + "}\n";
  }
  std::string dir_, creds_, store_;
};

}  // namespace

TEST_F(Credentials, SigningSecretFromTheUnitsCredentialsDirectory) {
  write(creds_ + "/hlsfs.signing", "0123456789abcdef0123\n", 0400);
  // The file holds no secret: readable by all is fine.
  std::string path = write(dir_ + "/hlsfs.yaml", config("credential:hlsfs.signing"), 0644);
  setenv("CREDENTIALS_DIRECTORY", creds_.c_str(), 1);
  Config c = load_config(path);
  EXPECT_EQ(c.signing_secret, "0123456789abcdef0123");
}

TEST_F(Credentials, StoreKeysToo) {
  write(creds_ + "/s3-secret", "wJalrXUtnFEMI/K7MDENG\n", 0400);
  write(creds_ + "/s3-id", "AKIDEXAMPLE", 0400);
  std::string path = write(dir_ + "/hlsfs.yaml",
                           config("0123456789abcdef0123", ", access_key_id: \"credential:s3-id\", "
                                                          "secret_access_key: \"credential:s3-secret\""),
                           0640);
  setenv("CREDENTIALS_DIRECTORY", creds_.c_str(), 1);
  Config c = load_config(path);
  EXPECT_EQ(c.store("s3")->options.at("secret_access_key"), "wJalrXUtnFEMI/K7MDENG");
  EXPECT_EQ(c.store("s3")->options.at("access_key_id"), "AKIDEXAMPLE");
}

TEST_F(Credentials, ReferencesAreNotSecretsOfTheFile) {
  Config c = parse_config(config("credential:a", ", secret_access_key: \"credential:b\""), "x.yaml");
  EXPECT_TRUE(secrets_in(c).empty());
  Config d = parse_config(config("0123456789abcdef0123", ", secret_access_key: k"), "x.yaml");
  EXPECT_EQ(secrets_in(d).size(), 2u);
}

TEST_F(Credentials, OutsideTheUnitTheCredstoreIsRead) {
  write(store_ + "/hlsfs.signing", "fedcba9876543210fedc", 0600);
  Config c = parse_config(config("credential:hlsfs.signing"), "x.yaml");
  resolve_credentials(c, nullptr, {dir_ + "/nothing-here", store_});
  EXPECT_EQ(c.signing_secret, "fedcba9876543210fedc");
}

TEST_F(Credentials, AMissingCredentialNamesTheKeyAndTheFix) {
  Config c = parse_config(config("credential:hlsfs.signing"), "x.yaml");
  try {
    resolve_credentials(c, creds_.c_str(), {store_});
    FAIL() << "no error";
  } catch (const ConfigError& e) {
    std::string m = e.what();
    EXPECT_NE(m.find("signing.secret"), std::string::npos) << m;
    EXPECT_NE(m.find("LoadCredential=hlsfs.signing"), std::string::npos) << m;
  }
  // In the unit only $CREDENTIALS_DIRECTORY counts, not the credstore.
  write(store_ + "/hlsfs.signing", "fedcba9876543210fedc", 0600);
  EXPECT_THROW(resolve_credentials(c, creds_.c_str(), {store_}), ConfigError);
}

TEST_F(Credentials, AWorldReadableOrEmptyCredentialIsRefused) {
  Config c = parse_config(config("credential:s"), "x.yaml");
  write(store_ + "/s", "fedcba9876543210fedc", 0644);
  EXPECT_THROW(resolve_credentials(c, nullptr, {store_}), ConfigError);
  write(store_ + "/s", "\n", 0600);
  EXPECT_THROW(resolve_credentials(c, nullptr, {store_}), ConfigError);
  mkdir((store_ + "/d").c_str(), 0700);
  Config d = parse_config(config("credential:d"), "x.yaml");
  EXPECT_THROW(resolve_credentials(d, nullptr, {store_}), ConfigError);
}

TEST_F(Credentials, TheSecretIsCheckedAsIfWrittenInTheFile) {
  write(store_ + "/short", "tooshort", 0600);
  Config c = parse_config(config("credential:short"), "x.yaml");
  try {
    resolve_credentials(c, nullptr, {store_});
    FAIL() << "no error";
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("signing.secret"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("too short"), std::string::npos) << e.what();
  }
}

TEST_F(Credentials, NamesThatLeaveTheDirectoryAreRefused) {
  EXPECT_THROW(parse_config(config("credential:../etc/shadow"), "x.yaml"), ConfigError);
  EXPECT_THROW(parse_config(config("credential:"), "x.yaml"), ConfigError);
  EXPECT_THROW(parse_config(config("credential:.."), "x.yaml"), ConfigError);
  Config c = parse_config(config("credential:ok", ", secret_access_key: \"credential:a/b\""), "x.yaml");
  EXPECT_THROW(resolve_credentials(c, creds_.c_str(), {store_}), ConfigError);
}
