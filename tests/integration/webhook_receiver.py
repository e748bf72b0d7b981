#!/usr/bin/env python3
"""A webhook receiver for imm_fields.sh: checks each POST's HMAC-SHA256
signature (X-Hlsfs-Signature: sha256=hex over "<X-Hlsfs-Timestamp>.<body>")
with the shared key and appends one JSON line per POST to OUTPUT:
{"status", "signature_ok", "timestamp_ok", "event", "delivery", "attempt", "body"}.
The first POST it gets is answered 500 (the notifier must try it again);
the others 200.
Usage: webhook_receiver.py PORT KEY_FILE OUTPUT"""
import hashlib
import hmac
import json
import sys
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

port, key_file, out = int(sys.argv[1]), sys.argv[2], sys.argv[3]
key = open(key_file, "rb").read().rstrip(b"\r\n")
seen = {"posts": 0}


class Hook(BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        ts = self.headers.get("X-Hlsfs-Timestamp", "")
        want = "sha256=" + hmac.new(key, ts.encode() + b"." + body, hashlib.sha256).hexdigest()
        got = self.headers.get("X-Hlsfs-Signature", "")
        seen["posts"] += 1
        status = 500 if seen["posts"] == 1 else 200
        try:
            parsed = json.loads(body)
        except ValueError:
            parsed = None
        record = {"status": status, "signature_ok": hmac.compare_digest(want, got),
                  "timestamp_ok": ts.isdigit() and abs(time.time() - int(ts)) < 300,
                  "event": self.headers.get("X-Hlsfs-Event"), "delivery": self.headers.get("X-Hlsfs-Delivery"),
                  "attempt": self.headers.get("X-Hlsfs-Attempt"), "body": parsed}
        with open(out, "a") as f:
            f.write(json.dumps(record) + "\n")
        self.send_response(status)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


ThreadingHTTPServer(("127.0.0.1", port), Hook).serve_forever()
