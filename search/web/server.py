"""How the web app is served (by `bma-news serve` and the browser tests alike)."""

from __future__ import annotations

import uvicorn
from fastapi import FastAPI

# A 10,000-character Thai query is about 90 KB once percent-encoded in the URL. h11's default
# (16 KB for a request head) would answer such a request with a bare "Invalid HTTP request";
# with room for it, the app itself answers with its clear "the query is too long" page.
MAX_REQUEST_HEAD_BYTES = 256 * 1024


def server_config(app: FastAPI, host: str = "127.0.0.1", port: int = 8000,
                  log_level: str = "warning") -> uvicorn.Config:
    return uvicorn.Config(app, host=host, port=port, log_level=log_level, http="h11",
                          h11_max_incomplete_event_size=MAX_REQUEST_HEAD_BYTES,
                          lifespan="off", server_header=False)
