"""Test helpers other parts may reuse (a local WordPress-like site)."""
