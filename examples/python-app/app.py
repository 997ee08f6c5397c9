#!/usr/bin/env python3
"""A small web app in Python (standard library only) that healthgate can gate.

It follows the instance contract of `healthgate rehearse --app` (docs/rollout-and-cli.md): it listens on
HOST:PORT, learns its instance id from IMDSv2 (AWS_EC2_METADATA_SERVICE_ENDPOINT) as an app on EC2 would, and
serves a deep /health in application/health+json. A required configuration key that is missing is a failure
that waiting will not heal, so its check says `"transient": false` and the gate abandons the instance at once.
With BOOT_FAILURE_REPORT=exit the app refuses to start instead, as many apps do; the gate then finds nothing
listening and abandons the instance at its deadline.

Run it alone: HOST=127.0.0.1 PORT=8080 SECRET_KEY=x HEALTHGATE_INSTANCE_ID=i-0123456789abcdef0 python3 app.py
"""

import json
import os
import signal
import sys
import threading
import time
import urllib.request
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

REQUIRED_KEYS = [k for k in os.environ.get("REQUIRED_KEYS", "SECRET_KEY").split(",") if k]
VERSION = os.environ.get("APP_VERSION", "dev")
RELEASE_ID = os.environ.get("RELEASE_ID", VERSION)


def instance_id():
    """The instance id from IMDSv2 (a session token first, then the metadata), else the contract's variable."""
    endpoint = os.environ.get("AWS_EC2_METADATA_SERVICE_ENDPOINT")
    if endpoint:
        try:
            token_request = urllib.request.Request(
                endpoint + "/latest/api/token",
                method="PUT",
                headers={"X-aws-ec2-metadata-token-ttl-seconds": "300"},
            )
            token = urllib.request.urlopen(token_request, timeout=2).read().decode()
            request = urllib.request.Request(
                endpoint + "/latest/meta-data/instance-id", headers={"X-aws-ec2-metadata-token": token}
            )
            return urllib.request.urlopen(request, timeout=2).read().decode()
        except OSError as error:
            print(f"IMDS unavailable ({error}); using HEALTHGATE_INSTANCE_ID", file=sys.stderr)
    return os.environ.get("HEALTHGATE_INSTANCE_ID", "unknown")


MISSING = [key for key in REQUIRED_KEYS if not os.environ.get(key)]
if MISSING and os.environ.get("BOOT_FAILURE_REPORT") == "exit":
    print(f"cannot start: missing configuration: {', '.join(MISSING)}", file=sys.stderr)
    sys.exit(1)
INSTANCE_ID = instance_id()


def health():
    """The health body and its HTTP status: 503 when any check fails."""
    now = datetime.now(timezone.utc).isoformat()
    config = {
        "componentType": "system",
        "observedValue": len(REQUIRED_KEYS) - len(MISSING),
        "observedUnit": "keys",
        "time": now,
        "status": "fail" if MISSING else "pass",
    }
    if MISSING:
        config["output"] = f"missing configuration: {', '.join(MISSING)}"
        config["transient"] = False
    body = {
        "status": "fail" if MISSING else "pass",
        "version": VERSION,
        "releaseId": RELEASE_ID,
        "serviceId": "python-example",
        "instanceId": INSTANCE_ID,
        "checks": {"configuration:keys": [config]},
    }
    return body, 503 if MISSING else 200


class Handler(BaseHTTPRequestHandler):
    def do_GET(self):
        if self.path.split("?")[0] == "/health":
            body, status = health()
            self.reply(status, "application/health+json", json.dumps(body).encode())
        elif self.path == "/":
            self.reply(200, "text/plain", f"hello from {VERSION} on {INSTANCE_ID}\n".encode())
        else:
            self.reply(404, "text/plain", b"not found\n")

    def reply(self, status, content_type, payload):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Cache-Control", "no-store")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, *args):
        pass


def main():
    server = ThreadingHTTPServer((os.environ.get("HOST", "127.0.0.1"), int(os.environ.get("PORT", "8080"))), Handler)
    # shutdown() waits for serve_forever() to return, so it must run beside it, not in this (the serving) thread.
    signal.signal(signal.SIGTERM, lambda *_: threading.Thread(target=server.shutdown).start())
    print(f"python example {VERSION} listening on {server.server_address[0]}:{server.server_address[1]}", flush=True)
    started = time.monotonic()
    server.serve_forever()
    print(f"stopped after {time.monotonic() - started:.1f} s", flush=True)


if __name__ == "__main__":
    main()
