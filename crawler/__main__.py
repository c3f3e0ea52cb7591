"""`python -m crawler crawl ...`: the crawl command alone, without the other parts' CLIs."""

from __future__ import annotations

import sys

import typer

from bma_news.errors import UserFacingError
from crawler.cli import register

app = typer.Typer(add_completion=False, pretty_exceptions_enable=False, no_args_is_help=True)
register(app)


@app.callback()
def _main() -> None:
    """The bma-news crawler."""


def main() -> None:
    try:
        app(standalone_mode=False)
    except UserFacingError as exc:
        print(f"error: {exc}", file=sys.stderr)
        sys.exit(exc.exit_code)
    except typer.Exit as exc:
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        sys.exit(130)
    except Exception as exc:
        import click

        if isinstance(exc, click.exceptions.ClickException):
            exc.show()
            sys.exit(exc.exit_code)
        raise


if __name__ == "__main__":
    main()
