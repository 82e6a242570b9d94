"""The portal file: which government portals to crawl.

A YAML file with a top-level ``portals:`` list::

    portals:
      - name: 罗山县人民政府            # publishing body (required, unique)
        url: http://www.luoshan.gov.cn/ # home page (required)
        region: 河南省信阳市            # optional: the body's place names, largest first
        level: county                   # optional: one of LEVELS
        allow_hosts: [xxgk.henan.gov.cn] # optional: hosts (and their sub-domains) on another domain
                                        # its pages, attachments and pictures may come from
        units: true                     # optional: crawl the units it hosts (departments, townships;
                                        # docs/crawling.md); false: only the portal's own reports
        hints:                          # optional; each one a promise checked by the crawl
          column_url: http://www.luoshan.gov.cn/zfxxgk/gknb/  # start here instead of the home page
          cms: trs                      # read listings the way this CMS writes them: trs | hanweb
          year_url_template: http://www.luoshan.gov.cn/zfxxgk/gknb/{year}nb.html  # fetch these too
          years: 2019-2024              # for the template (list or range); see year_url_template_errors
          units_url: http://www.luoshan.gov.cn/zfxxgk/bmxxgk/  # a directory of hosted units the rules miss

Every problem is reported as :class:`PortalFileError` naming the file, the entry
and the field, so a typo is fixed in one go rather than discovered mid-crawl.
"""
from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml

REQUIRED = ("name", "url")
OPTIONAL = ("region", "level", "hints", "allow_hosts", "units")
HOST_NAME = re.compile(r"(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*")
URL_HINTS = ("column_url", "year_url_template", "units_url")
HINTS = (*URL_HINTS, "cms", "years")
CMS = ("trs", "hanweb")
# The record's level vocabulary (docs/architecture.md): the archive shows the portal file's
# level for the portal's own body in the same column, so it must speak the same words.
LEVELS = ("national", "province", "city", "county", "township", "department")


class PortalFileError(ValueError):
    """A portal file or entry that cannot be crawled; the message says what to fix."""


def load_portals(path: str | Path) -> list[dict[str, Any]]:
    """Read and validate a portal file; return normalised entries (see :func:`validate_portals`)."""
    path = Path(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise PortalFileError(f"{path}: cannot read portal file ({exc.strerror})") from exc
    except yaml.YAMLError as exc:
        raise PortalFileError(f"{path}: not valid YAML: {exc}") from exc
    if not isinstance(data, dict) or "portals" not in data:
        raise PortalFileError(f"{path}: expected a top-level 'portals:' list")
    return validate_portals(data["portals"], source=str(path))


def validate_portals(entries: Any, source: str = "portals") -> list[dict[str, Any]]:
    """Validate a list of portal mappings; return copies with every optional key present.

    Used for portal files and for portals built in code (``nianbao crawl --url``),
    so both paths accept exactly the same entries.
    """
    if not isinstance(entries, list) or not entries:
        raise PortalFileError(f"{source}: 'portals' must be a non-empty list")
    portals = [validate_portal(entry, f"{source}: portal #{i}") for i, entry in enumerate(entries, 1)]
    names = [p["name"] for p in portals]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise PortalFileError(f"{source}: portal names must be unique; repeated: {', '.join(duplicates)}")
    return portals


def validate_portal(entry: Any, where: str = "portal") -> dict[str, Any]:
    """Validate one portal mapping; return it normalised (stripped strings, ``hints`` a dict)."""
    if not isinstance(entry, dict):
        raise PortalFileError(f"{where}: expected a mapping with 'name' and 'url', got {entry!r}")
    where = f"{where} ({entry.get('name', '?')})"
    unknown = sorted(set(entry) - set(REQUIRED) - set(OPTIONAL))
    if unknown:
        raise PortalFileError(
            f"{where}: unknown key(s) {', '.join(map(str, unknown))}; allowed: {', '.join(REQUIRED + OPTIONAL)}"
        )
    portal = {key: _text(entry, key, where, required=key in REQUIRED) for key in ("name", "url", "region", "level")}
    _check_url(portal["url"], f"{where}: 'url'")
    if portal["level"] is not None and portal["level"] not in LEVELS:
        raise PortalFileError(f"{where}: 'level' must be one of {', '.join(LEVELS)}, got {portal['level']!r}")
    portal["hints"] = _hints(entry.get("hints") or {}, where)
    portal["allow_hosts"] = _hosts(entry.get("allow_hosts") or [], f"{where}: 'allow_hosts'")
    portal["units"] = entry.get("units", True)
    if not isinstance(portal["units"], bool):
        raise PortalFileError(f"{where}: 'units' must be true or false, got {portal['units']!r}")
    return portal


def _hosts(value: Any, what: str) -> list[str]:
    """Host names (lower case), each allowing itself and its sub-domains (crawler.addresses)."""
    if not isinstance(value, list) or not all(isinstance(host, str) for host in value):
        raise PortalFileError(f"{what} must be a list of host names like files.example.gov.cn, got {value!r}")
    hosts = [host.strip().lower().rstrip(".") for host in value]
    bad = [host for host in hosts if not HOST_NAME.fullmatch(host)]
    if bad:
        raise PortalFileError(f"{what}: not a host name (no scheme, port or path): {', '.join(map(repr, bad))}")
    return hosts


def _hints(hints: Any, where: str) -> dict[str, Any]:
    if not isinstance(hints, dict):
        raise PortalFileError(f"{where}: 'hints' must be a mapping, got {hints!r}")
    unknown = sorted(set(hints) - set(HINTS))
    if unknown:
        raise PortalFileError(f"{where}: unknown hint(s) {', '.join(map(str, unknown))}; allowed: {', '.join(HINTS)}")
    hints = dict(hints)
    template = hints.get("year_url_template")
    if template is not None and (not isinstance(template, str) or "{year}" not in template):
        raise PortalFileError(f"{where}: 'hints.year_url_template' must contain {{year}}, got {template!r}")
    for key in URL_HINTS:
        if key in hints:
            _check_url(hints[key].replace("{year}", "2020"), f"{where}: 'hints.{key}'")
    if "cms" in hints and hints["cms"] not in CMS:
        raise PortalFileError(f"{where}: 'hints.cms' must be one of {', '.join(CMS)}, got {hints['cms']!r}")
    if "years" in hints:
        if template is None:
            raise PortalFileError(f"{where}: 'hints.years' is only used with 'hints.year_url_template'")
        hints["years"] = _years(hints["years"], f"{where}: 'hints.years'")
    return hints


def _years(value: Any, what: str) -> list[int]:
    """``[2019, 2021]`` or ``"2019-2024"`` as a list of years."""
    if isinstance(value, str) and re.fullmatch(r"\s*\d{4}\s*-\s*\d{4}\s*", value):
        first, last = (int(part) for part in value.split("-"))
        if first <= last:
            return list(range(first, last + 1))
    if isinstance(value, list) and value and all(isinstance(v, int) and 1990 <= v <= 2100 for v in value):
        return value
    raise PortalFileError(f"{what} must be a list of years or a range like 2019-2024, got {value!r}")


def _text(entry: dict, key: str, where: str, required: bool) -> str | None:
    value = entry.get(key)
    if value is None and not required:
        return None
    if not isinstance(value, str) or not value.strip():
        raise PortalFileError(f"{where}: '{key}' must be a non-empty string, got {value!r}")
    return value.strip()


def _check_url(value: Any, what: str) -> None:
    parts = urlsplit(value) if isinstance(value, str) else None
    if not parts or parts.scheme not in ("http", "https") or not parts.netloc:
        raise PortalFileError(f"{what} must be an absolute http(s) URL like http://www.example.gov.cn/, got {value!r}")


def due_year(today: date) -> int:
    """The last year whose report must be out by ``today``: the 条例 (art. 50) has each year's reports
    published by 31 March of the next."""
    return today.year - 1 if (today.month, today.day) > (3, 31) else today.year - 2


def template_years(hints: dict[str, Any], first_year: int, today: date) -> list[int]:
    """The years ``hints.year_url_template`` is fetched for: ``hints.years``, else ``first_year`` to
    last year (a report may be out before it is due)."""
    return hints.get("years") or list(range(first_year, today.year))


def year_url_template_errors(hints: dict[str, Any], answers: dict[int, str], today: date) -> list[tuple[str, str]]:
    """(URL, message) of each broken promise of ``hints.year_url_template``, given ``answers``: each
    year fetched → "" if it gave a report, else why not.

    With ``hints.years`` every listed year is promised. Without, the template promises the years from
    the first one it gave a report for to the last one due (:func:`due_year`): the portal may be younger
    than ``NIANBAO_FIRST_YEAR`` (or have kept its old reports elsewhere), and last year's report may
    not be out yet. If it gave no report at all, that is one error, naming the template."""
    template = hints["year_url_template"]
    missing = {year: why for year, why in sorted(answers.items()) if why}
    found = [year for year, why in answers.items() if not why]
    if "years" not in hints and answers and not found:
        return [(template, f"year_url_template: no report for any year {min(answers)}–{max(answers)}")]
    if "years" not in hints and found:
        missing = {year: why for year, why in missing.items() if min(found) < year <= due_year(today)}
    return [(template.format(year=year), f"year_url_template: no report for {year} ({why})")
            for year, why in missing.items()]
