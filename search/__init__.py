"""Search for staff and journalists: one query module shared by the CLI and the web page.

- `search.query.search()`: full-text + entity query with filters, facets, highlights
- `search.entities.top_entities()` / `entity_view()`: the entity questions
- `search.params.SearchParams.build()`: validated, bounded user input

Every function takes the Elasticsearch `client` and the `index` (alias) to use. Nothing is
imported here, so `bma-news --help` does not load Elasticsearch or the tokeniser.
"""
