"""The next scheduled nightly run, as the Prefect server knows it, for the operators' status.

Asked over the REST API with a short timeout and no retry: the status must answer at once
when no server runs, and then says so instead of failing.
"""

from __future__ import annotations

import httpx

from core.limits import HEALTH_TIMEOUT_S
from core.settings import Settings, get_settings
from core.status import NO_SERVER, ScheduleInfo
from flows.deploy import DEPLOYMENT_NAME, FLOW_NAME


def api_url(settings: Settings) -> str:
    """PREFECT_API_URL when set, else the local server's (`bma-news prefect up`)."""
    from flows.server import LocalPrefectServer, configured_api_url

    return configured_api_url() or LocalPrefectServer(settings).url


def next_run(settings: Settings | None = None, timeout: float = HEALTH_TIMEOUT_S) -> ScheduleInfo:
    settings = settings or get_settings()
    url = api_url(settings)
    name = f"{FLOW_NAME}/{DEPLOYMENT_NAME}"
    try:
        with httpx.Client(base_url=url, timeout=timeout) as http:
            found = http.get(f"/deployments/name/{name}")
            if found.status_code == 404:
                return ScheduleInfo(server=url, detail=f"no deployment {name} on the Prefect "
                                    "server (`bma-news deploy` or `bma-news nightly --serve`)")
            found.raise_for_status()
            deployment = found.json()
            runs = http.post("/flow_runs/filter", json={
                "deployments": {"id": {"any_": [deployment["id"]]}},
                "flow_runs": {"state": {"type": {"any_": ["SCHEDULED"]}}},
                "sort": "EXPECTED_START_TIME_ASC", "limit": 1, "offset": 0})
            runs.raise_for_status()
            scheduled = runs.json()
    except httpx.InvalidURL:
        return ScheduleInfo(server=url, detail=f"PREFECT_API_URL {url!r} is not a valid URL")
    except httpx.TransportError:
        return ScheduleInfo(server=url, detail=NO_SERVER)
    except (httpx.HTTPStatusError, ValueError, KeyError, TypeError) as exc:
        return ScheduleInfo(server=url, detail=f"the Prefect server at {url} gave no schedule "
                            f"({type(exc).__name__})")
    schedules = [s.get("schedule") or {} for s in deployment.get("schedules") or []]
    cron = next((s for s in schedules if s.get("cron")), {})
    paused = bool(deployment.get("paused"))
    first = scheduled[0].get("expected_start_time") if scheduled else None
    detail = ("" if first else
              "the deployment is paused" if paused else "no run scheduled yet")
    return ScheduleInfo(next_run=first, deployment=name, cron=cron.get("cron"),
                        timezone=cron.get("timezone"), paused=paused, server=url, detail=detail)
