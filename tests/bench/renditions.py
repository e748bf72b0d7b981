#!/usr/bin/env python3
"""First segment of a 3-rendition request, all three made, vs the ffmpeg CLI
making the same three renditions of that span in one process (one decode,
split into three scalers and encoders). Target <= 1.1x.

The request is IMM's master example: Resolution "1920x", "1280x", "720x",
ScaleType fit, CRF 26, FrameRate 25, AAC 44.1 kHz at 128k/96k/64k,
InitialSegments [2,2,2], Duration 10; source: 60 s 1080p30 H.264 + AAC.

  shared     hlsfsctl render --segments 0 --jobs 2: the three renditions of
             segment 0 share one decode (what hlsfs does)
  separate   the same with --separate: three jobs, three decodes, two at a time
  cli        ffmpeg -t 2 ... split=3 ... three MPEG-TS outputs

hlsfs times are the job's own time as render reports it (a daemon has the
probe cached), the process time alongside. Medians of --runs runs (default 3).
Usage: renditions.py [--build DIR] [--runs N]
"""
import json, os, re, shutil, statistics, sys, tempfile

from bench_lib import arguments, run, source_60s_1080p30

args = arguments()
build = args.build
ctl = os.path.join(build, "bin", "hlsfsctl")
work = tempfile.mkdtemp(prefix="hlsfs-bench-")
src = source_60s_1080p30(build)

TARGETS = [("1080p", "1920x", 1920, 1080, 128000), ("720p", "1280x", 1280, 720, 96000), ("540p", "720x", 720, 406, 64000)]
out = os.path.join(work, "out")
os.makedirs(out)
req = os.path.join(work, "req.json")
json.dump({"SourceURI": "file://" + src, "MasterURI": "file://" + out + "/master.m3u8", "Targets": [
    {"URI": f"file://{out}/{name}", "Duration": 10, "InitialSegments": [2, 2, 2], "InitialTranscode": 0,
     "Video": {"TranscodeVideo": {"CRF": 26, "FrameRate": 25, "Resolution": res, "ScaleType": "fit"}},
     "Audio": {"TranscodeAudio": {"Codec": "aac", "Bitrate": br, "SampleRate": 44100}}}
    for name, res, _, _, br in TARGETS]}, open(req, "w"))


def render(extra):
    for fn in os.listdir(out):
        os.unlink(os.path.join(out, fn))
    wall, _, err = run([ctl, "render", req, "--segments", "0", "--jobs", "2"] + extra)
    made = re.findall(r"made (\S+) \(.*?, ([0-9.]+) ms", err)
    if len(made) != 3:
        sys.exit(f"expected 3 segments, render said:\n{err}")
    # Jobs of one request start together: the last to finish is the cost.
    return max(float(ms) for _, ms in made) / 1000.0, wall


def cli():
    split = ";".join([f"[v{i}]scale={w}:{h}[o{i}]" for i, (_, _, w, h, _) in enumerate(TARGETS)])
    graph = "[0:v]fps=25,split=3[v0][v1][v2];" + split + ";[0:a]aresample=44100,asplit=3[a0][a1][a2]"
    cmd = ["ffmpeg", "-nostdin", "-v", "error", "-y", "-t", "2", "-i", src, "-filter_complex", graph]
    for i, (name, _, _, _, br) in enumerate(TARGETS):
        cmd += ["-map", f"[o{i}]", "-map", f"[a{i}]", "-c:v", "libx264", "-preset", "veryfast", "-crf", "26",
                "-c:a", "aac", "-b:a", str(br), "-f", "mpegts", os.path.join(work, f"cli_{name}.ts")]
    return run(cmd)[0]


res = {"shared": [], "shared_proc": [], "separate": [], "separate_proc": [], "cli": []}
for _ in range(args.runs):
    job, wall = render([])
    res["shared"].append(job); res["shared_proc"].append(wall)
    job, wall = render(["--separate"])
    res["separate"].append(job); res["separate_proc"].append(wall)
    res["cli"].append(cli())
m = {k: statistics.median(v) for k, v in res.items()}
print(f"3-rendition first segment, {args.runs} runs, medians, {os.cpu_count()} CPUs")
for name, target in (("shared", 1.1), ("separate", None)):
    ratio = m[name] / m["cli"]
    verdict = "" if target is None else ("meets" if ratio <= target else "MISSES") + f" target <= {target}x"
    print(f"  {name:9s} {ratio:5.2f}x  {verdict:22s} hlsfs {m[name]:.2f} s (process {m[name + '_proc']:.2f} s, "
          f"{m[name + '_proc'] / m['cli']:.2f}x), ffmpeg CLI {m['cli']:.2f} s")
json.dump({"medians": m, "runs": res}, open(os.path.join(build, "bench", "renditions.json"), "w"), indent=1)
shutil.rmtree(work)
