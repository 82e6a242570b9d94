"""Serve the archive with Datasette.

``nianbao serve --db FILE`` runs :func:`serve`: Datasette in this process, under uvicorn at
WARNING level unless ``verbose`` (then uvicorn's INFO lines, one per request).
:func:`serve_command` gives the equivalent ``datasette serve`` command line for anyone who
wants to run or adapt it by hand (it logs at INFO: Datasette fixes uvicorn's level).
"""
from __future__ import annotations

import copy
import sys
from pathlib import Path

PLUGINS_DIR = Path(__file__).resolve().parent / "plugins"
# The report, body and landing pages (their data: plugins/nianbao_report.py).
TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"

# Long cells (full text, sections) are cut in HTML tables; the JSON API is unaffected.
# No suggested facets: Datasette tries every column of a table for them on each page, which at
# 100,000 reports made report_summary's page take 9 s instead of 0.3 s; the useful facets
# (year, province, level, format version, check status) are declared in metadata.yaml.
SETTINGS = {"truncate_cells_html": 300, "suggest_facets": False}


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
        command += ["--setting", name, ("on" if value else "off") if isinstance(value, bool) else str(value)]
    return command


def serve(db_path: Path, host: str = "127.0.0.1", port: int = 8001, verbose: bool = False) -> None:
    """Serve the archive until SIGINT or SIGTERM (uvicorn then shuts down cleanly and this returns).

    In this process, not a child: the PID that started ``nianbao serve`` is the server's own, so
    a signal to it stops the server and no orphan is left listening. Datasette starts its plugins
    on the first request, as ``datasette serve`` does.
    """
    import uvicorn
    from datasette.app import Datasette
    from uvicorn.config import LOGGING_CONFIG

    datasette = Datasette([str(db_path)], plugins_dir=str(PLUGINS_DIR), template_dir=str(TEMPLATES_DIR),
                          settings=SETTINGS)
    # The whole log on stderr: uvicorn sends its access lines to stdout, which is the command's output.
    log_config = copy.deepcopy(LOGGING_CONFIG)
    log_config["handlers"]["access"]["stream"] = "ext://sys.stderr"
    uvicorn.run(datasette.app(), host=host, port=port, lifespan="on", workers=1, log_config=log_config,
                log_level="info" if verbose else "warning")
