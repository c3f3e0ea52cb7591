"""Elasticsearch: the client the project uses and the local node it can manage."""
