#include "actors/playlist/geometry.h"

#include <algorithm>
#include <cmath>

namespace hlsfs {

int round_even(double x) { return std::max(2, static_cast<int>(std::lround(x / 2.0)) * 2); }

OutputGeometry compute_geometry(const SourcePicture& src, const VideoRequest& req, const std::string& field) {
  OutputGeometry g;
  g.rotation = ((src.rotation + req.rotation) % 360 + 360) % 360;
  double sar = src.sar.valid() ? src.sar.to_double() : 1.0;
  double dw = src.width * sar, dh = src.height;
  if (g.rotation == 90 || g.rotation == 270) std::swap(dw, dh);

  // 0 = not given.
  int W = req.width.value_or(0), H = req.height.value_or(0);
  // AdaptiveResolutionDirection: "WxH" is long edge x short edge, so a portrait
  // source gets a portrait output.
  if (req.adaptive_resolution_direction && dh > dw) std::swap(W, H);

  const bool adaptive = req.resolution_option == ValueOption::adaptive;
  const bool fall = req.resolution_option == ValueOption::fall;
  auto refuse = [&](double want_w, double want_h) {
    char buf[160];
    snprintf(buf, sizeof buf, "source is %.0fx%.0f, smaller than the requested %.0fx%.0f (ResolutionOption fall)", dw,
             dh, want_w, want_h);
    throw RequestError(field + ".ResolutionOption", buf);
  };

  auto finish_scaled = [&](double sw, double sh) {
    g.scale_w = g.width = round_even(sw);
    g.scale_h = g.height = round_even(sh);
  };

  if (!W && !H) {
    finish_scaled(dw, dh);
    return g;
  }
  if (!W || !H) {
    // One edge: the other keeps the displayed aspect.
    double s = W ? W / dw : H / dh;
    if (s > 1.0 + 1e-9) {
      if (fall) refuse(W ? W : dw * s, H ? H : dh * s);
      if (adaptive) s = 1.0;
    }
    finish_scaled(dw * s, dh * s);
    return g;
  }

  double bw = W, bh = H;
  if (req.scale_type == ScaleType::stretch) {
    if (bw > dw + 1e-9 || bh > dh + 1e-9) {
      if (fall) refuse(bw, bh);
      if (adaptive) bw = std::min(bw, dw), bh = std::min(bh, dh);
    }
    finish_scaled(bw, bh);
    return g;
  }

  double s = req.scale_type == ScaleType::crop ? std::max(bw / dw, bh / dh) : std::min(bw / dw, bh / dh);
  if (s > 1.0 + 1e-9) {
    if (fall) refuse(bw, bh);
    if (adaptive) {  // shrink the box with the picture: same framing, no upscale
      bw /= s, bh /= s;
      s = 1.0;
    }
  }
  g.scale_w = round_even(dw * s);
  g.scale_h = round_even(dh * s);
  switch (req.scale_type) {
    case ScaleType::fit:
      g.width = g.scale_w, g.height = g.scale_h;
      break;
    case ScaleType::fill:
      g.width = std::max(round_even(bw), g.scale_w);
      g.height = std::max(round_even(bh), g.scale_h);
      g.pad_x = (g.width - g.scale_w) / 4 * 2;
      g.pad_y = (g.height - g.scale_h) / 4 * 2;
      break;
    case ScaleType::crop:
      g.width = std::min(round_even(bw), g.scale_w);
      g.height = std::min(round_even(bh), g.scale_h);
      g.crop_x = (g.scale_w - g.width) / 4 * 2;
      g.crop_y = (g.scale_h - g.height) / 4 * 2;
      break;
    case ScaleType::stretch:
      break;
  }
  return g;
}

}  // namespace hlsfs
