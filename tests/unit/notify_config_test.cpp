// notifications: in hlsfsd's configuration, and its key file.
#include <gtest/gtest.h>

#include <sys/stat.h>

#include <fstream>

#include "daemon/config/config.h"

using namespace hlsfs;

namespace {
const std::string kBase = "stores:\n  media: {plugin: local, root: /srv/media}\n";

std::string error_of(const std::string& yaml) {
  try {
    parse_config(kBase + yaml, "t.yaml");
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "";
}
}  // namespace

TEST(NotificationsConfig, DefaultsAndKeys) {
  Config none = parse_config(kBase, "t.yaml");
  EXPECT_EQ(none.notifications_url, "");
  EXPECT_EQ(none.notifications_retries, 5);
  Config c = parse_config(kBase + "notifications: {url: 'https://h.example/x', secret_file: /etc/k, retries: 2, "
                                  "timeout: 3s, queue: 7}\n",
                          "t.yaml");
  EXPECT_EQ(c.notifications_url, "https://h.example/x");
  EXPECT_EQ(c.notifications_secret_file, "/etc/k");
  EXPECT_EQ(c.notifications_retries, 2);
  EXPECT_EQ(c.notifications_timeout_ms, 3000);
  EXPECT_EQ(c.notifications_queue, 7);
}

TEST(NotificationsConfig, EveryMistakeNamesItsKey) {
  EXPECT_NE(error_of("notifications: {url: 'ftp://x', secret_file: /k}\n").find("notifications.url"), std::string::npos);
  EXPECT_NE(error_of("notifications: {url: 'http://x'}\n").find("notifications.secret_file"), std::string::npos);
  EXPECT_NE(error_of("notifications: {url: 'http://x', secret_file: k}\n").find("absolute"), std::string::npos);
  EXPECT_NE(error_of("notifications: {url: 'http://x', secret_file: /k, retries: 11}\n").find("notifications.retries"),
            std::string::npos);
  EXPECT_NE(error_of("notifications: {url: 'http://x', secret_file: /k, timeout: 10ms}\n").find("notifications.timeout"),
            std::string::npos);
  EXPECT_NE(error_of("notifications: {url: 'http://x', secret_file: /k, topic: t}\n").find("topic"), std::string::npos);
}

TEST(NotificationsConfig, TheKeyFileIsPrivateAndLongEnough) {
  char dir[] = "/tmp/hlsfs-notify-test.XXXXXX";
  ASSERT_TRUE(mkdtemp(dir));
  Config c;
  c.path = "t.yaml";
  c.notifications_secret_file = std::string(dir) + "/key";
  auto read_with = [&](const std::string& text, mode_t mode) -> std::string {
    std::ofstream(c.notifications_secret_file) << text;
    chmod(c.notifications_secret_file.c_str(), mode);
    try {
      return "key:" + read_notifications_secret(c);
    } catch (const ConfigError& e) {
      return e.what();
    }
  };
  EXPECT_EQ(read_with("0123456789abcdef0123\n", 0600), "key:0123456789abcdef0123");
  EXPECT_NE(read_with("0123456789abcdef0123\n", 0644).find("chmod 600"), std::string::npos);
  EXPECT_NE(read_with("short\n", 0600).find("at least 16"), std::string::npos);
  unlink(c.notifications_secret_file.c_str());
  EXPECT_NE(read_with("", 0600).find("notifications.secret_file"), std::string::npos);
  unlink(c.notifications_secret_file.c_str());
  rmdir(dir);
}
