"""Prefect flows: thin wrappers over crawler/ and pipeline/."""
