"""Datasette plugin: serve ``archive/metadata.yaml`` for any database file name.

Datasette names a database after its file (``nianbao.db`` → ``nianbao``) and
metadata is keyed by that name, so the file's single database block is applied
here to every database being served.
"""
from __future__ import annotations

import copy
from functools import cache
from pathlib import Path

import yaml
from datasette import hookimpl

METADATA = Path(__file__).resolve().parent.parent / "metadata.yaml"


@cache
def _metadata() -> dict:
    return yaml.safe_load(METADATA.read_text(encoding="utf-8"))


@hookimpl
def get_metadata(datasette, key, database, table):
    metadata = copy.deepcopy(_metadata())  # Datasette merges into what we return
    (block,) = metadata.pop("databases").values()
    names = [name for name in datasette.databases if name != "_internal"]
    return {**metadata, "databases": {name: copy.deepcopy(block) for name in names}}
