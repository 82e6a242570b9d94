"""Serve the archive with Datasette.

``nianbao serve --db FILE`` runs :func:`serve`; :func:`serve_command` gives the
same command line for anyone who wants to run or adapt it by hand.
"""
from __future__ import annotations

import os
import sys
from pathlib import Path

PLUGINS_DIR = Path(__file__).resolve().parent / "plugins"
# The report, body and landing pages (their data: plugins/nianbao_report.py).
TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"

# Long cells (full text, sections) are cut in HTML tables; the JSON API is unaffected.
# No suggested facets: Datasette tries every column of a table for them on each page, which at
# 100,000 reports made report_summary's page take 9 s instead of 0.3 s; the useful facets
# (year, province, level, format version, check status) are declared in metadata.yaml.
SETTINGS = {"truncate_cells_html": 300, "suggest_facets": "off"}


def serve_command(db_path: Path, host: str = "127.0.0.1", port: int = 8001) -> list[str]:
    """The ``datasette serve`` command line for the archive at ``db_path``.

    Metadata (descriptions, facets, canned queries) comes from
    ``archive/metadata.yaml`` through the plugin in ``archive/plugins/``; the pages made
    for reading from ``archive/templates/``.
    """
    command = [sys.executable, "-m", "datasette", "serve", str(db_path),
               "--host", host, "--port", str(port), "--plugins-dir", str(PLUGINS_DIR),
               "--template-dir", str(TEMPLATES_DIR)]
    for name, value in SETTINGS.items():
        command += ["--setting", name, str(value)]
    return command


def serve(db_path: Path, host: str = "127.0.0.1", port: int = 8001):
    """Become Datasette serving the archive (never returns).

    The process is replaced rather than given a child, so the PID that started
    ``nianbao serve`` is Datasette's own: a signal to it stops the server, and no
    orphan is left listening when a supervisor or a test stops that PID.
    """
    command = serve_command(db_path, host, port)
    os.execv(command[0], command)
