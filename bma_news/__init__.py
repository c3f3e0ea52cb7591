"""bma-news: BMA press releases as a searchable, entity-aware archive."""

__version__ = "0.1.0"
