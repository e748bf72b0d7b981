#!/usr/bin/env python3
"""Runs a command with stdout and stderr connected to journald, as systemd
connects a service's (StandardError=journal): a stream socket of journald's
stdout protocol, and JOURNAL_STREAM naming its device and inode.

    journal_stream.py SOCKET IDENTIFIER -- COMMAND [ARGS...]

SOCKET: journald's stdout socket, e.g. /run/systemd/journal.NS/stdout of a
journal namespace (systemd-journald NS). Lines starting with <N> get
priority N (level_prefix on, as for services); others get info."""
import os
import socket
import sys

path, ident = sys.argv[1], sys.argv[2]
assert sys.argv[3] == "--", __doc__
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.connect(path)
s.shutdown(socket.SHUT_RD)
# identifier, unit id, priority, level_prefix, forward to syslog, kmsg, console
s.sendall(f"{ident}\n\n6\n1\n0\n0\n0\n".encode())
st = os.fstat(s.fileno())
os.environ["JOURNAL_STREAM"] = f"{st.st_dev}:{st.st_ino}"
fd = s.detach()
os.dup2(fd, 1)
os.dup2(fd, 2)
os.close(fd)
os.execvp(sys.argv[4], sys.argv[4:])
