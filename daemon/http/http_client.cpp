// http_call over libcurl: an easy handle per call, so it is thread-safe
// without shared state beyond curl_global_init.
#include "daemon/http/http_client.h"

#include <curl/curl.h>

#include <cerrno>
#include <cstring>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <stdexcept>

namespace hlsfs {

namespace {

constexpr size_t kMaxAnswer = 256u * 1024 * 1024;  // a confused server cannot eat all memory

struct CurlDeleter {
  void operator()(CURL* c) const { curl_easy_cleanup(c); }
  void operator()(curl_slist* l) const { curl_slist_free_all(l); }
};

void global_init() {
  // curl_global_init is not thread-safe in every libcurl build: run it once.
  static std::once_flag once;
  std::call_once(once, [] {
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) throw std::runtime_error("cannot initialise libcurl");
  });
}

size_t collect(char* data, size_t size, size_t n, void* user) {
  auto* out = static_cast<std::string*>(user);
  if (out->size() + size * n > kMaxAnswer) return 0;  // makes curl fail with CURLE_WRITE_ERROR
  out->append(data, size * n);
  return size * n;
}

// Why the connection failed, from the socket's errno when curl has one.
std::string connect_reason(CURL* curl, const char* errbuf, CURLcode rc, std::string& hint) {
  long os_errno = 0;
  curl_easy_getinfo(curl, CURLINFO_OS_ERRNO, &os_errno);
  if (os_errno == ENOENT || os_errno == ECONNREFUSED) hint = " (is the daemon running?)";
  if (os_errno == EACCES || os_errno == EPERM) hint = " (may this user open the socket? check its group and mode)";
  if (os_errno != 0) return std::strerror(static_cast<int>(os_errno));
  return errbuf[0] ? errbuf : curl_easy_strerror(rc);
}

}  // namespace

HttpResult http_call(const std::string& endpoint, const std::string& method, const std::string& path,
                     const std::string& body, long timeout_s, const std::string& bearer_token) {
  std::string url, socket_path;
  if (endpoint.rfind("unix:", 0) == 0) {
    socket_path = endpoint.substr(5);
  } else if (!endpoint.empty() && endpoint[0] == '/') {
    socket_path = endpoint;
  } else if (endpoint.rfind("http://", 0) == 0 && endpoint.size() > 7) {
    url = endpoint;
    while (!url.empty() && url.back() == '/') url.pop_back();
  } else {
    throw std::invalid_argument("endpoint must be unix:/path/to.sock or http://HOST:PORT, got \"" + endpoint + "\"");
  }
  if (!socket_path.empty() || endpoint.rfind("unix:", 0) == 0) {
    if (socket_path.empty() || socket_path[0] != '/')
      throw std::invalid_argument("endpoint must be unix:/absolute/path.sock, got \"" + endpoint + "\"");
    url = "http://localhost";  // the Host header; the socket decides where it goes
  }
  url += path.empty() || path[0] != '/' ? "/" + path : path;

  global_init();
  std::unique_ptr<CURL, CurlDeleter> curl(curl_easy_init());
  if (!curl) throw std::runtime_error("cannot initialise libcurl");
  CURL* h = curl.get();
  char errbuf[CURL_ERROR_SIZE] = {0};
  HttpResult result;

  curl_easy_setopt(h, CURLOPT_URL, url.c_str());
  if (!socket_path.empty()) curl_easy_setopt(h, CURLOPT_UNIX_SOCKET_PATH, socket_path.c_str());
  curl_easy_setopt(h, CURLOPT_PROXY, "");  // never send the control API through http_proxy
  curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);  // threads: no SIGALRM for timeouts
  curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
  curl_easy_setopt(h, CURLOPT_TIMEOUT, timeout_s > 0 ? timeout_s : 0L);
  curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, timeout_s > 0 && timeout_s < 10 ? timeout_s : 10L);
  curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, collect);
  curl_easy_setopt(h, CURLOPT_WRITEDATA, &result.body);

  // "Expect:" stops curl from waiting for 100 Continue before larger bodies;
  // an empty "Content-Type:" stops it from calling a JSON-less POST a form.
  curl_slist* raw = curl_slist_append(nullptr, "Expect:");
  raw = curl_slist_append(raw, body.empty() ? "Content-Type:" : "Content-Type: application/json");
  if (!bearer_token.empty()) {
    if (bearer_token.find_first_of("\r\n") != std::string::npos)
      throw std::invalid_argument("the control API token may not hold a line break");
    raw = curl_slist_append(raw, ("Authorization: Bearer " + bearer_token).c_str());
  }
  std::unique_ptr<curl_slist, CurlDeleter> headers(raw);
  curl_easy_setopt(h, CURLOPT_HTTPHEADER, raw);

  if (method == "HEAD") {
    curl_easy_setopt(h, CURLOPT_NOBODY, 1L);
  } else if (method == "GET" && body.empty()) {
    curl_easy_setopt(h, CURLOPT_HTTPGET, 1L);
  } else {
    if (!body.empty() || method == "POST" || method == "PUT" || method == "PATCH") {
      // POSTFIELDS (even empty) keeps curl from reading the body from stdin.
      curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
      curl_easy_setopt(h, CURLOPT_POSTFIELDS, body.c_str());
    }
    curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, method.c_str());
  }

  CURLcode rc = curl_easy_perform(h);
  if (rc != CURLE_OK) {
    std::string hint;
    switch (rc) {
      case CURLE_COULDNT_CONNECT:
      case CURLE_COULDNT_RESOLVE_HOST: {
        std::string why = connect_reason(h, errbuf, rc, hint);
        throw std::runtime_error("cannot reach hlsfsd at " + endpoint + ": " + why + hint);
      }
      case CURLE_OPERATION_TIMEDOUT:
        throw std::runtime_error("hlsfsd at " + endpoint + " did not answer " + method + " " + path + " within " +
                                 std::to_string(timeout_s) + " s");
      case CURLE_WRITE_ERROR:
        throw std::runtime_error("the answer of hlsfsd at " + endpoint + " to " + method + " " + path +
                                 " is larger than " + std::to_string(kMaxAnswer >> 20) + " MiB");
      default:
        throw std::runtime_error("request " + method + " " + path + " to hlsfsd at " + endpoint + " failed: " +
                                 (errbuf[0] ? errbuf : curl_easy_strerror(rc)));
    }
  }
  long status = 0;
  curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
  result.status = static_cast<int>(status);
  char* ct = nullptr;
  if (curl_easy_getinfo(h, CURLINFO_CONTENT_TYPE, &ct) == CURLE_OK && ct) result.content_type = ct;
  return result;
}

std::string describe_error(const HttpResult& result) {
  auto j = nlohmann::json::parse(result.body, nullptr, false);
  if (j.is_object()) {
    auto m = j.find("Message");
    if (m != j.end() && m->is_string() && !m->get<std::string>().empty()) return m->get<std::string>();
    auto c = j.find("Code");
    if (c != j.end() && c->is_string()) return "HTTP " + std::to_string(result.status) + ": " + c->get<std::string>();
  }
  std::string line = result.body.substr(0, result.body.find('\n'));
  if (line.size() > 200) line = line.substr(0, 200) + "...";
  if (line.empty()) return "HTTP " + std::to_string(result.status) + " (empty answer)";
  return "HTTP " + std::to_string(result.status) + ": " + line;
}

}  // namespace hlsfs
