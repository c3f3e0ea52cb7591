"""The terminal: one console for results (stdout) and one for messages (stderr)."""

from __future__ import annotations

from rich.console import Console

err = Console(stderr=True, highlight=False, soft_wrap=True, markup=False)
out = Console(highlight=False, soft_wrap=True, markup=False)
