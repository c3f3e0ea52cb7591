"""Flow tests run real Prefect flows (under Prefect's test harness), real Scrapy crawls in
subprocesses against a local WordPress-like site, and the real Elasticsearch node."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from core.settings import get_settings
from core.thai_calendar import BANGKOK
from demo.wordpress import WordPressSite, serve


@pytest.fixture(scope="session")
def prefect_harness():
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=120):
        yield


PARAGRAPHS = [
    "นายชาตรี วัฒนเขจร รองปลัดกรุงเทพมหานคร เป็นประธานการประชุมติดตามการระบายน้ำในพื้นที่เขตบางเขน",
    "สำนักการระบายน้ำ (สนน.) กทม. เร่งติดตั้งเครื่องสูบน้ำเพิ่มเติม เพื่อรับมือฝนตกหนัก",
    "ทั้งนี้ สำนักงานเขตบางเขนได้ประสานสำนักงานส่งเสริมเศรษฐกิจดิจิทัล (ดีป้า) ติดตั้งเซนเซอร์วัดระดับน้ำ",
]


def make_posts(n: int, start_id: int = 1000, days_back: int = 20) -> list[dict]:
    now = datetime.now(BANGKOK).replace(microsecond=0)
    posts = []
    for i in range(n):
        when = now - timedelta(days=days_back * (i + 1) / (n + 1), minutes=i)
        body = "".join(f"<p>{p} (ฉบับที่ {i})</p>" for p in PARAGRAPHS[: 1 + i % 3])
        posts.append({"id": start_id + i, "title": f"กทม. เตรียมพร้อมรับมือน้ำท่วม ครั้งที่ {i}",
                      "content": body, "date": when.strftime("%Y-%m-%dT%H:%M:%S"),
                      "categories": ["ข่าวผู้บริหาร"], "tags": ["น้ำท่วม"]})
    return posts


@pytest.fixture
def wp_site():
    site = WordPressSite(make_posts(12))
    with serve(site) as server:
        yield site, server.url


@pytest.fixture
def flow_env(tmp_path, es_alias, monkeypatch):
    """Settings for one flow test: its own landing zone and alias, fast loads."""
    monkeypatch.setenv("BMA_NEWS_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("BMA_NEWS_INDEX", es_alias)
    monkeypatch.setenv("BMA_NEWS_DOWNLOAD_DELAY", "0")
    get_settings.cache_clear()
    yield {"data_dir": str(tmp_path / "data"), "index": es_alias}
    get_settings.cache_clear()


def prefect_artifacts(key: str | None = None) -> list[str]:
    """Markdown of the Prefect artifacts (newest first), optionally of one key.

    Posted to the REST API directly: this Prefect's server rejects the client's None
    defaults for the flow-run and task-run filters (a 422), and empty filter objects
    join away the artifacts that flows (rather than tasks) publish.
    """
    import asyncio

    from prefect.client.orchestration import get_client

    body: dict = {"limit": 200, "offset": 0, "sort": "CREATED_DESC"}
    if key:
        body["artifacts"] = {"key": {"any_": [key]}}

    async def read() -> list[str]:
        async with get_client() as client:
            response = await client._client.post("/artifacts/filter", json=body)
            response.raise_for_status()
            return [str(a["data"]) for a in response.json()]

    return asyncio.run(read())
