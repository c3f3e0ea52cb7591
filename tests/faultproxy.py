"""A loopback HTTP proxy in front of the real Elasticsearch node that injects faults.

It forwards every request unchanged, except that it answers some `_bulk` requests with
the 429 `es_rejected_execution_exception` a busy node gives. The node itself is real;
only the network between client and node misbehaves.
"""

from __future__ import annotations

import json
import threading
from collections import Counter
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx

REJECTION = (b'{"error":{"type":"es_rejected_execution_exception","reason":"rejected execution'
             b' (injected by the test proxy)"},"status":429}')


class FaultProxy:
    def __init__(self, upstream: str, reject_every_nth_bulk: int = 0,
                 on_bulk: Callable[[int], None] | None = None):
        """`reject_every_nth_bulk`: answer bulk requests 1, n+1, 2n+1, ... with a 429.
        `on_bulk(n)`: called before the n-th bulk request is forwarded (e.g. to kill the node).
        """
        self.upstream = upstream.rstrip("/")
        self.reject_every = reject_every_nth_bulk
        self.bulk_requests = 0
        self.rejected = 0
        self.on_bulk = on_bulk
        # How many times each document id reached the node in a forwarded bulk request.
        self.forwarded_ids: Counter[str] = Counter()
        # Requests by endpoint (`_bulk`, `_mget`, `_refresh`, ...), and each bulk body's size.
        self.requests: Counter[str] = Counter()
        self.bulk_bytes: list[int] = []
        self._lock = threading.Lock()
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # keep test output quiet
                pass

            def _forward(self):
                length = int(self.headers.get("content-length") or 0)
                body = self.rfile.read(length) if length else None
                endpoint = next((part for part in self.path.split("?")[0].split("/")
                                 if part.startswith("_")), self.path)
                with proxy._lock:
                    proxy.requests[endpoint] += 1
                    if endpoint == "_bulk":
                        proxy.bulk_bytes.append(len(body or b""))
                if "/_bulk" in self.path:
                    with proxy._lock:
                        proxy.bulk_requests += 1
                        seen = proxy.bulk_requests
                        reject = bool(proxy.reject_every) and seen % proxy.reject_every == 1
                        if reject:
                            proxy.rejected += 1
                    if proxy.on_bulk and not reject:
                        proxy.on_bulk(seen)
                    if reject:
                        self.send_response(429)
                        self.send_header("content-type", "application/json")
                        self.send_header("x-elastic-product", "Elasticsearch")
                        self.send_header("content-length", str(len(REJECTION)))
                        self.end_headers()
                        self.wfile.write(REJECTION)
                        return
                if "/_bulk" in self.path and body:
                    for line in body.splitlines():
                        action = json.loads(line)
                        write = action.get("index") or action.get("create")
                        if isinstance(write, dict) and "_id" in write:
                            with proxy._lock:
                                proxy.forwarded_ids[write["_id"]] += 1
                headers = {k: v for k, v in self.headers.items()
                           if k.lower() not in ("host", "content-length", "connection")}
                try:
                    resp = httpx.request(self.command, proxy.upstream + self.path, content=body,
                                         headers=headers, timeout=60)
                except httpx.TransportError:
                    self.send_response(502)  # the node behind the proxy is gone
                    self.send_header("content-length", "0")
                    self.end_headers()
                    return
                self.send_response(resp.status_code)
                for key, value in resp.headers.items():
                    if key.lower() not in ("content-length", "transfer-encoding", "connection",
                                           "content-encoding"):
                        self.send_header(key, value)
                self.send_header("content-length", str(len(resp.content)))
                self.end_headers()
                self.wfile.write(resp.content)

            do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = _forward

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> FaultProxy:
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()
