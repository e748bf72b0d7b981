#!/usr/bin/env python3
"""A TCP proxy in front of an HTTP object store (moto) that can stall a
reply in the middle of its body, as a store or a network path gone quiet
does: the connection stays open, nothing more arrives.

  stall_proxy.py LISTEN_PORT UPSTREAM_PORT TRIGGER_FILE KEY_PART [COUNT_FILE]

Requests and replies pass through unchanged, except: while TRIGGER_FILE
exists, a successful reply (2xx) with a body to a GET whose target contains
KEY_PART is forwarded with its head and the first half of its body (at most
4 KiB), then nothing more until the trigger is removed (then the rest, if
the client is still there). One line per stalled reply goes to stderr
("stalled GET <target> after N of M body bytes").

With COUNT_FILE, every reply is also counted there, one line each as it ends:
"METHOD TARGET STATUS BODY_BYTES RANGE SENT HEAD", the body bytes the client
was sent (fewer than the reply's length when the client hung up first), the
request's Range header ("-" without one), and when the request was passed
on and when the reply's head came back (Unix time: the store's own time).
The bytes an object store really served, and its time (long_sources_s3.sh,
tests/bench/long_source_store.sh; without a TRIGGER_FILE it is a counting
proxy and nothing more).
"""
import os
import socket
import sys
import threading
import time

LISTEN_PORT, UPSTREAM_PORT = int(sys.argv[1]), int(sys.argv[2])
TRIGGER, KEY_PART = sys.argv[3], sys.argv[4]
COUNT_FILE = open(sys.argv[5], "a", buffering=1) if len(sys.argv) > 5 else None
COUNT_LOCK = threading.Lock()


def count(reply):
    """reply: [method, target, status, body bytes sent, range, sent, head]."""
    if COUNT_FILE:
        with COUNT_LOCK:
            COUNT_FILE.write("%s %s %d %d %s %.6f %.6f\n" % tuple(reply))


def stalled():
    return os.path.exists(TRIGGER)


def client_to_upstream(client, upstream, requests):
    """Forwards requests as they are; notes each one's method, target and
    Range (libcurl sends one request at a time on a connection)."""
    buf = b""
    try:
        while True:
            data = client.recv(65536)
            if not data:
                break
            buf += data
            # Noted before it is sent: the reply may come back at once.
            while b"\r\n" in buf:
                line, buf = buf.split(b"\r\n", 1)
                parts = line.split(b" ")
                if len(parts) == 3 and parts[2].startswith(b"HTTP/"):
                    requests.append([parts[0].decode(), parts[1].decode(), "-", time.time()])
                elif line[:6].lower() == b"range:" and requests:
                    requests[-1][2] = line[6:].strip().decode().replace(" ", "")
            buf = buf[-65536:]
            upstream.sendall(data)
    except OSError:
        pass
    finally:
        try:
            upstream.shutdown(socket.SHUT_WR)
        except OSError:
            pass


def read_head(upstream, pending):
    """Reads until the end of a reply's head; returns (head, rest)."""
    while b"\r\n\r\n" not in pending:
        data = upstream.recv(65536)
        if not data:
            return None, pending
        pending += data
    head, rest = pending.split(b"\r\n\r\n", 1)
    return head + b"\r\n\r\n", rest


def upstream_to_client(client, upstream, requests):
    pending = b""
    reply = None  # the one being forwarded: counted when it ends, however it ends
    try:
        while True:
            head, pending = read_head(upstream, pending)
            if head is None:
                if pending:
                    client.sendall(pending)
                return
            lines = head.split(b"\r\n")
            status = int(lines[0].split(b" ")[1])
            length = None
            for line in lines[1:]:
                name, _, value = line.partition(b":")
                if name.strip().lower() == b"content-length":
                    length = int(value.strip())
            if status < 200:  # 100 Continue: the request's reply is still to come
                client.sendall(head)
                continue
            method, target, ranged, sent_at = requests.pop(0) if requests else ("?", "?", "-", 0.0)
            reply = [method, target, status, 0, ranged, sent_at, time.time()]
            if method == "HEAD" or status in (204, 304):
                client.sendall(head)
                count(reply)
                reply = None
                continue
            if length is None:  # chunked or until close: pass the rest through as it is
                client.sendall(head + pending)
                reply[3] += len(pending)
                while True:
                    data = upstream.recv(65536)
                    if not data:
                        return
                    client.sendall(data)
                    reply[3] += len(data)
            stall_at = -1
            if method == "GET" and KEY_PART in target and 200 <= status < 300 and length > 0 and stalled():
                stall_at = min(length // 2, 4096)
            client.sendall(head)
            sent = 0
            while sent < length:
                if sent == stall_at:
                    print(f"stalled GET {target} after {sent} of {length} body bytes", file=sys.stderr, flush=True)
                    while stalled():
                        time.sleep(0.1)
                if not pending:
                    pending = upstream.recv(65536)
                    if not pending:
                        return
                take = length - sent
                if stall_at > sent:
                    take = min(take, stall_at - sent)
                chunk, pending = pending[:take], pending[take:]
                client.sendall(chunk)
                sent += len(chunk)
                reply[3] = sent
            count(reply)
            reply = None
    except (OSError, ValueError, IndexError):
        pass
    finally:
        if reply:
            count(reply)
        for s in (client, upstream):
            try:
                s.close()
            except OSError:
                pass


def serve(client):
    try:
        upstream = socket.create_connection(("127.0.0.1", UPSTREAM_PORT))
    except OSError:
        client.close()
        return
    requests = []
    threading.Thread(target=client_to_upstream, args=(client, upstream, requests), daemon=True).start()
    upstream_to_client(client, upstream, requests)


def main():
    listener = socket.socket()
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", LISTEN_PORT))
    listener.listen(64)
    while True:
        client, _ = listener.accept()
        threading.Thread(target=serve, args=(client,), daemon=True).start()


main()
