"""Crawl directory → SQLite archive (sqlite-utils) → Datasette.

``build.build`` writes the archive, ``serve.serve`` browses it; ``schema`` holds
the tables and views, ``search`` the Chinese full-text index.
"""
