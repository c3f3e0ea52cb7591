"""Errors that the CLI turns into one clear line and a non-zero exit.

Anything raised as a `UserFacingError` is a problem the user can fix (bad input,
missing JDK, unreachable cluster); the CLI prints its message without a traceback.
"""


class UserFacingError(Exception):
    """An error with a message meant for the person at the terminal."""

    exit_code = 1


class ConfigError(UserFacingError):
    exit_code = 2


class ElasticsearchUnavailable(UserFacingError):
    exit_code = 3


class InputError(UserFacingError):
    """Bad command-line input (a malformed date, URL or option)."""

    exit_code = 2
