#!/usr/bin/env python3
"""A cold segment of a two-hour source against the same segment of the 60 s
source it is made of (issue 14: the long one costs <= 1.05x).

The two-hour source is the 60 s 1080p30 source of media_core.py looped 120
times by stream copy (about 5 GB per container; made, measured and deleted
one container at a time), so segment N of the 60 s source (at 5N s) and the
segment of the long one at loop K (default 100, about 6000 s) plus 5N s show
the same pictures. Target: 1280x720, 25 fps, CRF 26, AAC 128k, Duration 5.
A loop lasts the clip's longest stream (its audio, a few ms more than its
video), so loop K starts K times that much later than K minutes: the long
title's segment grid starts that much later too (SourceStartTime, under
5 s), so that its segment starts at the same picture of the clip as the
short one's, and both decode from the same keyframe (render's decoded-frame
counts are printed, and must be equal). Without it, loop 100 drifted 1.06 s
across a keyframe: the long side decoded 179 frames against 151, which is
not the cost of a long source.

Interleaved pairs (--runs, default 7; which side runs first alternates), a
fresh `hlsfsctl render --segments N` process each (the probe, from the
container's index, is paid by both), after one untimed render of each.
Reported: the median of the pairwise ratios long/short, with min and max,
of the segment's own encode time as `render` reports it (what a daemon with
the probe cached pays) and of the whole process. --drop-caches empties the
page cache before every render (as root; the machine's other work pays too).

Usage: long_source_segment.py [--build DIR] [--runs PAIRS] [--formats mp4,mkv,ts]
                              [--segment N] [--loop K] [--scratch DIR] [--drop-caches]
"""
import json, os, re, shutil, statistics, subprocess, tempfile

from bench_lib import arguments, run, source_60s_1080p30

LOOPS = 120  # 120 x 60 s = 2 h


def options(ap):
    ap.set_defaults(runs=7)
    ap.add_argument("--formats", default="mp4,mkv,ts")
    ap.add_argument("--segment", type=int, default=7)
    ap.add_argument("--loop", type=int, default=100)
    ap.add_argument("--scratch", default="/tmp")
    ap.add_argument("--drop-caches", action="store_true")


args = arguments(options)
ctl = os.path.join(args.build, "bin", "hlsfsctl")
clip = source_60s_1080p30(args.build)
work = tempfile.mkdtemp(prefix="long_segment.", dir=args.scratch)
DURATION = 5


def ffmpeg(*a):
    subprocess.run(["ffmpeg", "-nostdin", "-v", "error", "-y", *a], check=True)


def duration(path):
    return float(subprocess.run(["ffprobe", "-v", "error", "-show_entries", "format=duration", "-of", "csv=p=0", path],
                                capture_output=True, text=True, check=True).stdout)


def request(name, src, start=0.0):
    out = os.path.join(work, name)
    os.makedirs(out, exist_ok=True)
    req = os.path.join(work, name + ".json")
    with open(req, "w") as f:
        json.dump({"SourceURI": "file://" + src, "SourceStartTime": start, "Targets": [{
            "URI": "file://" + out + "/v", "Duration": DURATION,
            "Video": {"TranscodeVideo": {"CRF": 26, "FrameRate": 25, "Resolution": "1280x"}},
            "Audio": {"TranscodeAudio": {"Codec": "aac", "Bitrate": 128000}}}]}, f)
    return req, out


def render(req, out, segment):
    """(whole process seconds, the segment's own encode seconds, frames decoded)"""
    shutil.rmtree(out)
    os.makedirs(out)
    if args.drop_caches:
        subprocess.run(["sync"], check=True)
        with open("/proc/sys/vm/drop_caches", "w") as f:
            f.write("1\n")
    wall, _, err = run([ctl, "render", req, "--segments", str(segment), "--jobs", "1"])
    made = re.findall(r"made \S+ \(.*?, (\d+) decoded, ([0-9.]+) ms\)", err)
    if len(made) != 1:
        raise SystemExit("render said: " + err)
    return wall, float(made[0][1]) / 1000.0, int(made[0][0])


def stats(xs):
    return "median %.3fx (min %.3f, max %.3f, %d pairs)" % (statistics.median(xs), min(xs), max(xs), len(xs))


try:
    for fmt in args.formats.split(","):
        short = clip
        if fmt != "mp4":
            short = os.path.join(work, "short." + fmt)
            ffmpeg("-i", clip, "-c", "copy", short)
        long = os.path.join(work, "long." + fmt)
        ffmpeg("-stream_loop", str(LOOPS - 1), "-i", clip, "-c", "copy", long)
        period = duration(long) / LOOPS
        n_short = args.segment
        at = args.loop * period + n_short * DURATION  # the same picture in loop K
        n_long = int(at // DURATION)
        start_long = at - n_long * DURATION
        print("%s: %.0f MiB, %.3f s (a loop lasts %.4f s); segment %d of the 60 s source (%.2f s) vs segment %d of the "
              "two-hour one (%.2f s: loop %d at %.2f s; its grid starts at SourceStartTime %.4f s)" % (
                  fmt, os.path.getsize(long) / 2**20, duration(long), period, n_short, n_short * DURATION, n_long,
                  at, args.loop, n_short * DURATION, start_long), flush=True)
        sides = {"short": request("short", short) + (n_short,), "long": request("long", long, start_long) + (n_long,)}
        for side in sides.values():
            render(*side)  # untimed: libraries, page cache of the binaries
        ratios_job, ratios_wall = [], []
        for i in range(args.runs):
            order = ["short", "long"] if i % 2 == 0 else ["long", "short"]
            got = {name: render(*sides[name]) for name in order}
            (sw, sj, sd), (lw, lj, ld) = got["short"], got["long"]
            if sd != ld:
                raise SystemExit("not the same work: %d frames decoded against %d" % (sd, ld))
            ratios_job.append(lj / sj)
            ratios_wall.append(lw / sw)
            print("  pair %d (%s first): segment encode %.3f s vs %.3f s, whole process %.3f s vs %.3f s "
                  "(60 s vs 2 h, %d frames decoded each): %.3fx, %.3fx" % (
                      i + 1, order[0], sj, lj, sw, lw, sd, lj / sj, lw / sw), flush=True)
        print("  %s long/short, segment encode: %s (target <= 1.05x); whole process (its probe included): %s" % (
            fmt, stats(ratios_job), stats(ratios_wall)), flush=True)
        os.unlink(long)
finally:
    shutil.rmtree(work, ignore_errors=True)
