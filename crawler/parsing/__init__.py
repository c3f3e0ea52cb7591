"""The parsers' toolkit, pure functions without Scrapy: what a parser returns (`article`),
decoding bytes (`encoding`) and HTML to clean text (`text`)."""
