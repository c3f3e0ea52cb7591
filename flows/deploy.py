"""The nightly deployment: registered with a Prefect server for a work pool's workers
(`bma-news deploy`), or served by this process on the local server (`bma-news nightly --serve`).

Either way it is the flow `bma-news-nightly`, deployment `bma-news-nightly`, on the cron
schedule of the settings (02:00 Asia/Bangkok, which is 19:00 UTC). Everything that can go
wrong with the server is checked first and said in one line.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx

from core.settings import Settings
from flows.server import (
    PrefectConfigError,
    PrefectServerError,
    Report,
    check_compatible,
    get_retrying,
)

DEPLOYMENT_NAME = "bma-news-nightly"
FLOW_NAME = "bma-news-nightly"
ENTRYPOINT = "flows/nightly.py:nightly"
# The folder that holds flows/: what a process worker on this machine runs the flow from.
SOURCE_ROOT = Path(__file__).resolve().parents[1]
WORKER_POOL_TYPES = ("process",)


def nightly_schedule(settings: Settings):
    from prefect.schedules import Cron

    return Cron(settings.schedule_cron, timezone=settings.schedule_timezone)


def check_work_pool(api_url: str, name: str) -> None:
    """The pool exists and is of a type that runs the flow from this machine's source."""
    try:
        response = get_retrying(f"{api_url}/work_pools/{name}", timeout=10)
    except httpx.HTTPError as exc:
        raise PrefectServerError(f"the Prefect server at {api_url} stopped answering "
                                 f"({type(exc).__name__})") from None
    if response.status_code == 404:
        raise PrefectConfigError(
            f"work pool {name!r} does not exist on {api_url}; create it with "
            f"`prefect work-pool create {name} --type process`")
    if response.status_code != 200:
        raise PrefectServerError(f"the Prefect server at {api_url} answered HTTP "
                                 f"{response.status_code} for work pool {name!r}")
    kind = response.json().get("type")
    if kind not in WORKER_POOL_TYPES:
        raise PrefectConfigError(
            f"work pool {name!r} is of type {kind!r}; the nightly flow runs from this "
            f"machine's source, so it needs a process pool (`prefect work-pool create NAME "
            "--type process`)")


def _one_line(api_url: str, exc: BaseException) -> PrefectServerError:
    from prefect.exceptions import PrefectHTTPStatusError

    if isinstance(exc, PrefectHTTPStatusError):
        detail = exc.response.text.replace("\n", " ")[:200]
        return PrefectServerError(f"the Prefect server at {api_url} refused the deployment: "
                                  f"HTTP {exc.response.status_code} {detail}")
    first = (str(exc).splitlines() or [type(exc).__name__])[0]
    return PrefectServerError(f"could not register the deployment with {api_url}: {first}")


def deploy_nightly(settings: Settings, api_url: str, work_pool: str) -> Any:
    """Register (or update) the nightly deployment for `work_pool`; its id."""
    from prefect.settings import PREFECT_API_URL, temporary_settings

    from flows.nightly import nightly

    check_compatible(api_url)
    check_work_pool(api_url, work_pool)
    try:
        with temporary_settings(updates={PREFECT_API_URL: api_url}):
            flow = nightly.from_source(source=str(SOURCE_ROOT), entrypoint=ENTRYPOINT)
            return flow.deploy(name=DEPLOYMENT_NAME, work_pool_name=work_pool,
                               schedules=[nightly_schedule(settings)],
                               print_next_steps=False)
    except (httpx.HTTPError, ValueError, RuntimeError) as exc:
        raise _one_line(api_url, exc) from None


def serve_nightly(settings: Settings, api_url: str, report: Report = print) -> None:
    """Serve the nightly deployment on `api_url` until SIGINT or SIGTERM; both end cleanly
    (the runner stops polling and pauses the schedule, which the next serve resumes)."""
    from prefect.runner import Runner
    from prefect.settings import PREFECT_API_URL, temporary_settings

    from flows.nightly import nightly

    stop: list[Callable[[], object]] = []

    class NightlyRunner(Runner):
        def handle_sigterm(self, *args: Any, **kwargs: Any) -> None:
            # Prefect's own handler stops the runner from inside the signal handler and
            # exits mid-await (a traceback). Cancelling the serving task instead lets the
            # runner leave its context as after Ctrl-C: polling stops, the schedule pauses.
            for cancel in stop:
                cancel()

    async def serve() -> None:
        main, loop = asyncio.current_task(), asyncio.get_running_loop()
        if main is not None:
            stop.append(lambda: loop.call_soon_threadsafe(main.cancel))
        runner = NightlyRunner(name=DEPLOYMENT_NAME, limit=1)
        await runner.aadd_flow(nightly, name=DEPLOYMENT_NAME,
                               schedules=[nightly_schedule(settings)], concurrency_limit=1)
        report(f"serving {FLOW_NAME}/{DEPLOYMENT_NAME} on {api_url}: "
               f"{settings.schedule_cron} {settings.schedule_timezone}; Ctrl-C or SIGTERM stops")
        await runner.start()

    with temporary_settings(updates={PREFECT_API_URL: api_url}):
        check_compatible(api_url)
        try:
            asyncio.run(serve())
        except (KeyboardInterrupt, asyncio.CancelledError):
            report("stopped serving (the schedule is paused until the next serve)")
        except (httpx.HTTPError, RuntimeError) as exc:
            raise _one_line(api_url, exc) from None
