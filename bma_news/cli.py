"""The `bma-news` command: the top floor, importing the layers below.

Each command group is a module of `bma_news.commands` exposing `register(app)`. Bad input
and failures the user can act on (`core.errors.UserFacingError`) end in one line on stderr
and the error's exit code, never a traceback.
"""

from __future__ import annotations

import importlib
import os
import sys

import typer
from pydantic import ValidationError

from bma_news.commands import modules_for
from bma_news.commands.console import err
from core.errors import EXIT_BAD_INPUT, EXIT_INTERRUPTED, UserFacingError

# Prefect's temporary server would try to send telemetry; this project makes no calls
# outside the machine unless asked to.
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")

app = typer.Typer(
    name="bma-news",
    help="BMA press releases: crawl, enrich, load into Elasticsearch, search.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)



@app.callback()
def _group() -> None:
    """BMA press releases: crawl, enrich, load into Elasticsearch, search."""
    # A callback keeps `bma-news` a group of commands even when only one command module is
    # imported below: without it, Typer makes a lone command the app itself, and
    # `bma-news crawl …` would read `crawl` as an extra argument.


# Only the modules the command line needs: each group's top-level imports cost start-up
# time that every other command would pay (`bma-news enrich` is a whole process per file).
for _name in modules_for(sys.argv[1:]):
    importlib.import_module(f"bma_news.commands.{_name}").register(app)


def main() -> None:
    try:
        result = app(standalone_mode=False)
    except UserFacingError as exc:
        err.print(f"error: {exc}")
        sys.exit(exc.exit_code)
    except typer.Exit as exc:
        sys.exit(exc.exit_code)
    except ValidationError as exc:
        first = exc.errors()[0]
        field = "_".join(str(p) for p in first["loc"]).upper()
        err.print(f"error: invalid setting BMA_NEWS_{field}: {first['msg']}")
        sys.exit(EXIT_BAD_INPUT)
    except typer.Abort:
        err.print("aborted")
        sys.exit(EXIT_INTERRUPTED)
    except KeyboardInterrupt:
        err.print("interrupted")
        sys.exit(EXIT_INTERRUPTED)
    except Exception as exc:  # click usage errors and the like
        import click

        if isinstance(exc, click.exceptions.ClickException):
            exc.show()
            sys.exit(exc.exit_code)
        raise
    sys.exit(result if isinstance(result, int) else 0)


if __name__ == "__main__":
    main()
