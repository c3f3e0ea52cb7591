"""Scrapy spiders that collect BMA press releases into the landing zone."""
