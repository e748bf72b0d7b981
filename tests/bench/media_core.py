#!/usr/bin/env python3
"""Media core benchmarks, each a ratio against the ffmpeg CLI in the same run.

Source: 60 s 1080p30 H.264 + AAC. Target: 1280x720, 25 fps, CRF 26, AAC 128k,
InitialSegments [2,2,2], Duration 5 (segments 0,2,4,6,11,...,56,60 s).

  cold_segment   the segment 36-41 s, made alone (hlsfsctl render --segments 9)
                 vs `ffmpeg -ss 36 -t 5` of the same span         target <= 1.0x
  seek           the last segment vs the first, per second of output  <= 1.2x
  whole          every segment, one job, vs one CLI pass to HLS       <= 1.15x
  rss            peak RSS of one render job (and of the CLI, for scale)

Times are medians of --runs runs (default 3). hlsfs times are the segment's own
encode time as `render` reports it (what a daemon with the probe cached pays),
with the whole process time alongside. Usage: media_core.py [--build DIR] [--runs N]
"""
import json, os, re, shutil, statistics, sys, tempfile

from bench_lib import arguments, run, source_60s_1080p30

args = arguments()
build = args.build
ctl = os.path.join(build, "bin", "hlsfsctl")
work = tempfile.mkdtemp(prefix="hlsfs-bench-")
src = source_60s_1080p30(build)


def median(xs):
    return statistics.median(xs)


out = os.path.join(work, "out")
os.makedirs(out)
req = os.path.join(work, "req.json")
with open(req, "w") as f:
    json.dump({"SourceURI": "file://" + src, "Targets": [{
        "URI": "file://" + out + "/v", "Duration": 5, "InitialSegments": [2, 2, 2],
        "Video": {"TranscodeVideo": {"CRF": 26, "FrameRate": 25, "Resolution": "1280x"}},
        "Audio": {"TranscodeAudio": {"Codec": "aac", "Bitrate": 128000}}}]}, f)

VF = "fps=25,scale=1280:720"
X264 = ["-c:v", "libx264", "-preset", "veryfast", "-crf", "26", "-c:a", "aac", "-b:a", "128k"]
bounds = [0, 2, 4, 6] + list(range(11, 60, 5)) + [60]


def render(segments):
    for fn in os.listdir(out):
        os.unlink(os.path.join(out, fn))
    wall, rss, err = run([ctl, "render", req, "--segments", segments, "--jobs", "1"])
    made = [float(m) for m in re.findall(r"made \S+ \(.*?, ([0-9.]+) ms\)", err)]
    return wall, rss, sum(made) / 1000.0


def cli_span(start, dur):
    return run(["ffmpeg", "-nostdin", "-v", "error", "-y", "-ss", str(start), "-t", str(dur), "-i", src, "-vf", VF]
               + X264 + ["-f", "mpegts", os.path.join(work, "cli.ts")])


def cli_whole():
    d = os.path.join(work, "cli_hls")
    shutil.rmtree(d, ignore_errors=True)
    os.makedirs(d)
    keys = ",".join(str(b) for b in bounds[:-1])
    return run(["ffmpeg", "-nostdin", "-v", "error", "-y", "-i", src, "-vf", VF] + X264
               + ["-force_key_frames", keys, "-f", "hls", "-hls_time", "5", "-hls_playlist_type", "vod",
                  "-hls_segment_filename", os.path.join(d, "s%d.ts"), os.path.join(d, "x.m3u8")])


res = {"cold": [], "cold_proc": [], "cli_cold": [], "first": [], "last": [], "whole": [], "whole_proc": [],
       "cli_whole": [], "rss": [], "cli_rss": []}
nseg = len(bounds) - 1
for _ in range(args.runs):
    w, rss, seg = render("9")
    res["cold"].append(seg); res["cold_proc"].append(w); res["rss"].append(rss)
    w, rss, _ = cli_span(36, 5)
    res["cli_cold"].append(w); res["cli_rss"].append(rss)
    res["first"].append(render("0")[2] / (bounds[1] - bounds[0]))
    res["last"].append(render(str(nseg - 1))[2] / (bounds[-1] - bounds[-2]))
    w, _, seg = render("all")
    res["whole"].append(seg); res["whole_proc"].append(w)
    res["cli_whole"].append(cli_whole()[0])

m = {k: median(v) for k, v in res.items()}
rows = [
    ("cold_segment (36-41 s)", m["cold"] / m["cli_cold"], 1.0,
     f"hlsfs {m['cold']:.2f} s (process {m['cold_proc']:.2f} s, ratio {m['cold_proc'] / m['cli_cold']:.2f}x), "
     f"ffmpeg -ss 36 -t 5 {m['cli_cold']:.2f} s"),
    ("seek (last vs first, per s)", m["last"] / m["first"], 1.2,
     f"first {m['first']:.3f} s/s, last {m['last']:.3f} s/s"),
    ("whole (all segments, 1 job)", m["whole"] / m["cli_whole"], 1.15,
     f"hlsfs {m['whole']:.2f} s (process {m['whole_proc']:.2f} s, ratio {m['whole_proc'] / m['cli_whole']:.2f}x), "
     f"ffmpeg -f hls {m['cli_whole']:.2f} s"),
    ("peak RSS, one render job", m["rss"] / m["cli_rss"], None,
     f"hlsfs {m['rss'] / 1024:.0f} MiB, ffmpeg CLI {m['cli_rss'] / 1024:.0f} MiB"),
]
print(f"media core benchmark, {args.runs} runs, medians, {os.cpu_count()} CPUs")
for name, ratio, target, detail in rows:
    verdict = "" if target is None else ("meets" if ratio <= target else "MISSES") + f" target <= {target}x"
    print(f"  {name:30s} {ratio:5.2f}x  {verdict:22s} {detail}")
json.dump({"medians": m, "runs": res}, open(os.path.join(build, "bench", "media_core.json"), "w"), indent=1)
shutil.rmtree(work)
