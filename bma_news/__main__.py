"""`python -m bma_news ...` is the `bma-news` command (the flows launch crawls this way)."""

from bma_news.cli import main

main()
