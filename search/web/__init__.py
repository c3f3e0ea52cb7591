"""The search web page: FastAPI with server-rendered Jinja2 templates and one static script."""
