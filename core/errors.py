"""Errors: the three kinds of failure, and the errors the CLI turns into one clear line.

Failures come in three kinds, and every part of the project classifies its own with them:
- **transient**: worth another try later (a node or site briefly away or overloaded);
  retried with backoff, and the work stays pending until it succeeds;
- **permanent**: another try gives the same answer (a record the mapping rejects, a
  robots.txt that forbids the crawl); dead-lettered or reported, never retried;
- **duplicate**: the work was already done (the same article twice); counted as success.

Anything raised as a `UserFacingError` is a problem the user can fix (bad input, missing
JDK, unreachable cluster); the CLI prints its message without a traceback and exits with
its `exit_code`.
"""

from __future__ import annotations

# Exit codes of the `bma-news` command.
EXIT_FAILED = 1  # the job failed; the message says why
EXIT_BAD_INPUT = 2  # bad input or configuration
EXIT_UNAVAILABLE = 3  # Elasticsearch (or another service we need) is unreachable
EXIT_SITE_UNREACHABLE = 4  # the site could not be crawled
EXIT_INTERRUPTED = 130  # Ctrl-C

# HTTP statuses worth another try, for every server we talk to (the BMA sites and
# Elasticsearch alike): rate limited, briefly unwell, or a gateway timing out.
TRANSIENT_HTTP_STATUSES = frozenset({408, 429, 500, 502, 503, 504, 522, 524})


def is_transient_status(status: int) -> bool:
    return status in TRANSIENT_HTTP_STATUSES


class UserFacingError(Exception):
    """An error with a message meant for the person at the terminal."""

    exit_code = EXIT_FAILED


class Transient(UserFacingError):
    """A failure that another try later may not repeat: retried with backoff."""


class Permanent(UserFacingError):
    """A failure another try would repeat: dead-lettered or reported, never retried."""


class Duplicate(Exception):  # noqa: N818 - a kind of outcome, not an error
    """The work was already done; counted as success, never retried or dead-lettered."""


class ConfigError(Permanent):
    exit_code = EXIT_BAD_INPUT


class InputError(Permanent):
    """Bad command-line input (a malformed date, URL or option)."""

    exit_code = EXIT_BAD_INPUT


class ElasticsearchUnavailable(Transient):
    exit_code = EXIT_UNAVAILABLE


def is_transient(exc: BaseException) -> bool:
    """Whether a failure is worth another try: our Transient errors and the network's."""
    return isinstance(exc, Transient | ConnectionError | TimeoutError)
