"""What the media benchmarks share: their arguments, the 60 s 1080p30 source
(made once per build directory), and running a command for its time."""
import argparse, os, statistics, subprocess, sys, time


def arguments(add=None):
    """--build and --runs; add(parser) adds a benchmark's own options."""
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", default=os.path.join(os.path.dirname(__file__), "..", "..", "build"))
    ap.add_argument("--runs", type=int, default=3)
    if add:
        add(ap)
    args = ap.parse_args()
    args.build = os.path.abspath(args.build)
    return args


def source_60s_1080p30(build):
    """60 s of 1080p30 H.264 (keyframe every 2 s) + AAC, as a camera or an
    upload would give."""
    src = os.path.join(build, "bench", "src60_1080p30.mp4")
    if not os.path.exists(src):
        os.makedirs(os.path.dirname(src), exist_ok=True)
        subprocess.run(["ffmpeg", "-nostdin", "-v", "error", "-y", "-f", "lavfi", "-i",
                        "testsrc2=size=1920x1080:rate=30", "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000",
                        "-t", "60", "-c:v", "libx264", "-preset", "veryfast", "-g", "60", "-pix_fmt", "yuv420p",
                        "-c:a", "aac", "-b:a", "128k", src], check=True)
    return src


def run(cmd):
    """Runs cmd; returns (wall seconds, peak RSS kB, stderr). Exits on failure."""
    t0 = time.monotonic()
    p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    err = p.stderr.read()
    _, status, ru = os.wait4(p.pid, 0)
    wall = time.monotonic() - t0
    if status != 0:
        sys.exit(f"failed: {' '.join(cmd)}\n{err}")
    return wall, ru.ru_maxrss, err


def bytes_read(cmd):
    """Bytes a shell command read (page cache or not): the rchar of a shell
    that ran it and reaped it, less one that did not."""
    def rchar(line):
        out = subprocess.run(["bash", "-c", line + " >/dev/null 2>&1; grep ^rchar /proc/$$/io"],
                             capture_output=True, text=True).stdout
        return int(out.split()[-1])
    return rchar(cmd) - rchar("true")


def interleaved(pairs, first, second):
    """Runs first() and second() `pairs` times each, side by side, the order
    swapped from one pair to the next so that neither side always runs first
    (page cache, clocks, a neighbour's load): [(first's, second's), ...]."""
    out = []
    for i in range(pairs):
        if i % 2 == 0:
            a = first()
            b = second()
        else:
            b = second()
            a = first()
        out.append((a, b))
    return out


def ratio_summary(ratios):
    """The median of pairwise ratios with min and max: this machine's noise
    is larger than the effects measured, which a ratio of medians hides."""
    return {"median": statistics.median(ratios), "min": min(ratios), "max": max(ratios), "pairs": len(ratios)}


def describe(summary):
    return f"{summary['median']:.2f}x (min {summary['min']:.2f}, max {summary['max']:.2f}, {summary['pairs']} pairs)"
