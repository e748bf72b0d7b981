#!/usr/bin/env python3
"""The systemd side of sd_notify, for tests: binds NOTIFY_SOCKET (a unix
datagram socket path) and prints every message it receives, one per line,
as `<seconds since start> <message>` (READY=1, RELOADING=1, STOPPING=1...).
Usage: notify_listener.py SOCKET_PATH OUTPUT_FILE"""
import os
import socket
import sys
import time

path, out = sys.argv[1], sys.argv[2]
if os.path.exists(path):
    os.unlink(path)
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(path)
t0 = time.monotonic()
with open(out, "a", buffering=1) as f:
    while True:
        data = s.recv(4096).decode(errors="replace")
        for line in data.splitlines():
            f.write(f"{time.monotonic() - t0:.3f} {line}\n")
