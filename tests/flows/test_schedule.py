"""The next scheduled run, read from a real Prefect server (the test harness's) holding the
nightly deployment and its scheduled runs; then shown by the status page."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from core.settings import get_settings
from core.status import bangkok_time


def test_next_run_is_the_deployments_earliest_scheduled_run(prefect_harness, es_client,
                                                            es_alias, tmp_path):
    from fastapi.testclient import TestClient
    from prefect.client.orchestration import get_client
    from prefect.states import Scheduled

    from flows.deploy import DEPLOYMENT_NAME, nightly_schedule
    from flows.nightly import nightly
    from flows.schedule import next_run
    from search.web.app import create_app

    deployment_id = nightly.to_deployment(
        name=DEPLOYMENT_NAME, schedule=nightly_schedule(get_settings())).apply()
    soon = datetime.now(UTC).replace(microsecond=0) + timedelta(hours=5)

    async def schedule_runs() -> None:
        async with get_client() as client:
            for when in (soon + timedelta(days=1), soon):
                await client.create_flow_run_from_deployment(
                    deployment_id, state=Scheduled(scheduled_time=when))

    asyncio.run(schedule_runs())
    info = next_run()
    assert info.next_run and datetime.fromisoformat(info.next_run) == soon
    assert (info.cron, info.timezone) == ("0 2 * * *", "Asia/Bangkok")
    assert info.deployment == "bma-news-nightly/bma-news-nightly" and not info.paused

    app = create_app(client=es_client, index=es_alias, data_dir=tmp_path, schedule=next_run)
    with TestClient(app, raise_server_exceptions=False) as client:
        page = client.get("/status")
    assert page.status_code == 200
    assert bangkok_time(soon.isoformat()) in page.text and "0 2 * * *" in page.text


def test_no_server_is_said_in_one_line(monkeypatch):
    from prefect.settings import PREFECT_API_URL, temporary_settings

    from flows.schedule import next_run
    from tests.flows.test_status import closed_port

    monkeypatch.delenv("PREFECT_API_URL", raising=False)
    monkeypatch.setenv("BMA_NEWS_PREFECT_PORT", str(closed_port()))
    get_settings.cache_clear()
    try:  # no API URL (the harness of other tests may have set one): the local server's
        with temporary_settings(restore_defaults={PREFECT_API_URL}):
            info = next_run()
    finally:
        get_settings.cache_clear()
    assert info.next_run is None
    assert info.detail == "no schedule (Prefect server not running)"
