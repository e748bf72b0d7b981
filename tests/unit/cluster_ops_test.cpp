// The operator's side of a cluster: the front site of `hlsfsctl nginx-site
// --cluster` (and its example, which must be what it prints), the cluster
// keys of the configuration, and the metrics' node label.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "daemon/config/config.h"
#include "daemon/ctl/nginx_site.h"
#include "metrics/metrics.h"

using namespace hlsfs;

namespace {

std::string slurp(const std::string& p) {
  std::ifstream f(p);
  std::stringstream s;
  s << f.rdbuf();
  return s.str();
}

Config with_secret() {
  Config c;
  c.path = "h.yaml";
  c.signing_secret = "0123456789abcdef0123";
  return c;
}

std::string config_error(const std::string& yaml) {
  try {
    parse_config(yaml + "\nstores: {m: {plugin: local, root: /x}}\n", "f.yaml");
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "(accepted)";
}

}  // namespace

TEST(ClusterFront, HashesTheObjectPathAndFailsOverBounded) {
  std::string site = nginx_front_site(with_secret(), "80", parse_cluster_nodes("10.0.0.1:8088,node-b:8088"), 2);
  // The hash key leaves out signature and expiry: every viewer of a segment
  // lands on the same node.
  EXPECT_NE(site.find("hash $hlsfs_prefix$hlsfs_rest consistent;"), std::string::npos) << site;
  EXPECT_NE(site.find("server 10.0.0.1:8088 max_fails=1 fail_timeout=10s;"), std::string::npos);
  EXPECT_NE(site.find("server node-b:8088 max_fails=1 fail_timeout=10s;"), std::string::npos);
  EXPECT_NE(site.find("proxy_next_upstream error timeout http_500 http_502 http_503;"), std::string::npos);
  EXPECT_NE(site.find("proxy_next_upstream_tries 2;"), std::string::npos);
  EXPECT_NE(site.find("secure_link_md5 \"$secure_link_expires$hlsfs_prefix $hlsfs_secret\""), std::string::npos);
  EXPECT_NE(site.find("location / { return 403; }"), std::string::npos);
}

TEST(ClusterFront, RefusesWhatNginxWouldMisreadOrWhatCannotFailOver) {
  EXPECT_THROW(parse_cluster_nodes(""), ConfigError);
  EXPECT_THROW(parse_cluster_nodes("a:1,,b:2"), ConfigError);
  EXPECT_THROW(parse_cluster_nodes("a:1; include /etc/passwd"), ConfigError);
  EXPECT_THROW(parse_cluster_nodes("a:1\nb"), ConfigError);
  EXPECT_EQ(parse_cluster_nodes("[::1]:8088").front(), "[::1]:8088");
  EXPECT_THROW(nginx_front_site(with_secret(), "80", {"a:1"}, 2), ConfigError);  // more tries than nodes
  EXPECT_THROW(nginx_front_site(with_secret(), "80", {"a:1"}, 0), ConfigError);
  Config none = with_secret();
  none.signing_secret.clear();
  EXPECT_THROW(nginx_front_site(none, "80", {"a:1"}, 1), ConfigError);
}

// etc/nginx/hlsfs-cluster.conf is what the documented command prints for
// etc/hlsfs.yaml (placeholder secret). HLSFS_UPDATE_EXAMPLES=1 rewrites it.
TEST(ClusterFront, TheExampleIsWhatNginxSitePrints) {
  const std::string src = HLSFS_SOURCE_DIR;
  Config c = parse_config(slurp(src + "/etc/hlsfs.yaml"), "/etc/hlsfs/hlsfs.yaml");
  c.signing_secret = "CHANGE-ME-the-secret-of-hlsfs.yaml";
  std::string site =
      nginx_front_site(c, "80", parse_cluster_nodes("10.0.0.11:8088,10.0.0.12:8088,10.0.0.13:8088"), 2);
  if (getenv("HLSFS_UPDATE_EXAMPLES")) std::ofstream(src + "/etc/nginx/hlsfs-cluster.conf") << site;
  EXPECT_EQ(slurp(src + "/etc/nginx/hlsfs-cluster.conf"), site) << "run with HLSFS_UPDATE_EXAMPLES=1 to update the example";
}

TEST(ClusterConfig, NodeNameIntervalAndLabel) {
  Config c = parse_config("cluster: {node: node-a.1, usage_interval: 2m}\nmetrics: {node_label: true}\n"
                          "stores: {m: {plugin: local, root: /x}}\n",
                          "f.yaml");
  EXPECT_EQ(c.cluster_node, "node-a.1");
  EXPECT_EQ(c.cluster_usage_interval_ms, 120000);
  EXPECT_TRUE(c.metrics_node_label);
  Config d = parse_config("stores: {m: {plugin: local, root: /x}}\n", "f.yaml");
  EXPECT_EQ(d.cluster_node, "");
  EXPECT_EQ(d.cluster_usage_interval_ms, 300000);

  EXPECT_NE(config_error("cluster: {node: a/b}").find("cluster.node"), std::string::npos);
  EXPECT_NE(config_error("cluster: {node: ..}").find("cluster.node"), std::string::npos);
  EXPECT_NE(config_error("cluster: {node: \"" + std::string(65, 'a') + "\"}").find("cluster.node"), std::string::npos);
  EXPECT_NE(config_error("cluster: {node: a, usage_interval: 10ms}").find("cluster.usage_interval"), std::string::npos);
  EXPECT_NE(config_error("cluster: {nodes: a}").find("cluster.nodes"), std::string::npos);  // a typo is an error
  EXPECT_NE(config_error("metrics: {node_label: true}").find("needs cluster.node"), std::string::npos);
}

// A cluster node prefetches nothing unless told to: the next segment
// usually hashes to another node, which would make it again.
TEST(ClusterConfig, PrefetchDefaultsToNoneOnAClusterNodeAndStaysOverridable) {
  auto prefetch = [](const std::string& yaml) {
    return parse_config(yaml + "stores: {m: {plugin: local, root: /x}}\n", "f.yaml").prefetch_segments;
  };
  EXPECT_EQ(prefetch(""), 2);                                                  // a lone node
  EXPECT_EQ(prefetch("cluster: {node: a}\n"), 0);                              // a cluster node
  EXPECT_EQ(prefetch("cluster: {node: a}\ntranscoder: {workers: 2}\n"), 0);   // other transcoder keys set
  EXPECT_EQ(prefetch("cluster: {node: a}\ntranscoder: {prefetch_segments: 3}\n"), 3);  // set: kept
  EXPECT_EQ(prefetch("transcoder: {prefetch_segments: 3}\ncluster: {node: a}\n"), 3);  // in any order
  EXPECT_EQ(prefetch("cluster: {node: a}\ntranscoder: {prefetch_segments: 2}\n"), 2);  // the old default, asked for
}

TEST(ClusterMetrics, TheNodeLabelIsOnEverySeries) {
  MetricsRegistry reg;
  reg.counter("a_total", "A").inc();
  reg.counter("b_total", "B", {{"op", "read"}}).inc(2);
  reg.histogram("c_seconds", "C", {1}).observe(0.5);
  reg.set_constant_labels({{"node", "n1"}});
  const std::string text = reg.render();
  EXPECT_NE(text.find("a_total{node=\"n1\"} 1\n"), std::string::npos) << text;
  EXPECT_NE(text.find("b_total{node=\"n1\",op=\"read\"} 2\n"), std::string::npos) << text;
  EXPECT_NE(text.find("c_seconds_bucket{node=\"n1\",le=\"1\"} 1\n"), std::string::npos) << text;
  EXPECT_NE(text.find("c_seconds_count{node=\"n1\"} 1\n"), std::string::npos) << text;
  EXPECT_THROW(reg.set_constant_labels({{"le", "x"}}), std::invalid_argument);
  EXPECT_THROW(reg.set_constant_labels({{"bad-name", "x"}}), std::invalid_argument);
}
