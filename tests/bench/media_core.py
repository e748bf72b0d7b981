#!/usr/bin/env python3
"""Media core benchmarks, each a ratio against the ffmpeg CLI in the same run.

Source: 60 s 1080p30 H.264 + AAC. Target: 1280x720, 25 fps, CRF 26, AAC 128k,
InitialSegments [2,2,2], Duration 5 (segments 0,2,4,6,11,...,56,60 s).

  cold_segment   the segment 36-41 s, made alone (hlsfsctl render --segments 9)
                 vs `ffmpeg -ss 36 -t 5` of the same span         target <= 1.0x
  seek           the last segment vs the first, per second of output  <= 1.2x
  whole          every segment, one job, vs one CLI pass to HLS       <= 1.15x
  rss            peak RSS of one render job (and of the CLI, for scale)

hlsfs and the CLI run in interleaved pairs (--pairs N, default 7; the order
swaps from pair to pair), and each figure is the median of the pairwise
ratios, with min and max: this machine's noise is larger than the effects
measured. hlsfs times are the segment's own encode time as `render` reports
it (what a daemon with the probe cached pays), with the whole process
alongside. Usage: media_core.py [--build DIR] [--pairs N]
"""
import json, os, re, shutil, statistics, sys, tempfile

from bench_lib import arguments, describe, interleaved, ratio_summary, run, source_60s_1080p30

args = arguments(lambda ap: ap.add_argument("--pairs", type=int, default=7, help="interleaved pairs (default 7)"))
build = args.build
ctl = os.path.join(build, "bin", "hlsfsctl")
work = tempfile.mkdtemp(prefix="hlsfs-bench-")
src = source_60s_1080p30(build)


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


nseg = len(bounds) - 1
cold = interleaved(args.pairs, lambda: render("9"), lambda: cli_span(36, 5))
seek = interleaved(args.pairs, lambda: render("0")[2] / (bounds[1] - bounds[0]),
                   lambda: render(str(nseg - 1))[2] / (bounds[-1] - bounds[-2]))
whole = interleaved(args.pairs, lambda: render("all"), cli_whole)

ratios = {
    "cold": [h[2] / c[0] for h, c in cold],
    "cold_process": [h[0] / c[0] for h, c in cold],
    "seek": [last / first for first, last in seek],
    "whole": [h[2] / c[0] for h, c in whole],
    "whole_process": [h[0] / c[0] for h, c in whole],
    "rss": [h[1] / c[1] for h, c in cold],
}
summary = {k: ratio_summary(v) for k, v in ratios.items()}
med = statistics.median
rows = [
    ("cold_segment (36-41 s)", "cold", 1.0,
     f"process {describe(summary['cold_process'])}; medians: hlsfs {med(h[2] for h, _ in cold):.2f} s "
     f"(process {med(h[0] for h, _ in cold):.2f} s), ffmpeg -ss 36 -t 5 {med(c[0] for _, c in cold):.2f} s"),
    ("seek (last vs first, per s)", "seek", 1.2,
     f"medians: first {med(f for f, _ in seek):.3f} s/s, last {med(l for _, l in seek):.3f} s/s"),
    ("whole (all segments, 1 job)", "whole", 1.15,
     f"process {describe(summary['whole_process'])}; medians: hlsfs {med(h[2] for h, _ in whole):.2f} s "
     f"(process {med(h[0] for h, _ in whole):.2f} s), ffmpeg -f hls {med(c[0] for _, c in whole):.2f} s"),
    ("peak RSS, one render job", "rss", None,
     f"medians: hlsfs {med(h[1] for h, _ in cold) / 1024:.0f} MiB, ffmpeg CLI {med(c[1] for _, c in cold) / 1024:.0f} MiB"),
]
print(f"media core benchmark, {args.pairs} interleaved pairs, median of pairwise ratios (min, max), {os.cpu_count()} CPUs")
for name, key, target, detail in rows:
    ratio = summary[key]["median"]
    verdict = "" if target is None else ("meets" if ratio <= target else "MISSES") + f" target <= {target}x"
    print(f"  {name:30s} {describe(summary[key]):34s} {verdict:22s} {detail}")
json.dump({"summary": summary, "ratios": ratios,
           "pairs": {"cold": [[h, c[:2]] for h, c in cold], "seek": seek, "whole": [[h, c[:2]] for h, c in whole]}},
          open(os.path.join(build, "bench", "media_core.json"), "w"), indent=1)
shutil.rmtree(work)
