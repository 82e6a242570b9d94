"""Figures OCR read unsurely, confirmed by the format's arithmetic (docs/ocr.md, "No wrong number").

A figure recognised below the confidence floor is null, "figure not read surely by OCR", and
its cell keeps what was read there (``ocr.Recognised.guess``). Where that figure is the only
unknown of one of the format's identities (a row's total and its parts, a column's balance),
the identity gives the one value it can have. When every such identity gives the same value and
it is exactly what OCR read, the reading is confirmed and the figure stands: two readings of the
same cell, the ink's and the table's own sums, agree. The identity alone never fills a cell (a
value OCR did not read there), and a reading the identities contradict stays null, its reason
giving both numbers. The identities that confirmed a figure pass by construction: the record
names them (``ocr.confirmed``), so they are not taken for independent checks.
"""
from __future__ import annotations

from . import standard_format as sf
from .numbers import parse_number
from .ocr import Recognised


def confirm_unsure(figures: dict, cells: dict, null_reasons: dict, version: str | None) -> dict[str, list[str]]:
    """Confirm the unsure OCR figures the identities settle, in ``figures`` and ``null_reasons``
    (in place); key → names of the identities that confirmed each. A confirmed figure may leave
    another figure the only unknown of an identity: confirmed in turn, till none is."""
    guesses = {key: _guess(cells.get(key)) for key, value in figures.items() if value is None}
    guesses = {key: guess for key, guess in guesses.items() if guess is not None}
    identities = sf.identities(version) if guesses else ()
    confirmed: dict[str, list[str]] = {}
    while True:
        settled = {key: _settled(key, figures, identities) for key in guesses}
        agreed = {key: names for key, (values, names) in settled.items() if values == {guesses[key]}}
        if not agreed:
            break
        for key, names in agreed.items():
            figures[key] = guesses.pop(key)
            cells[key] = Recognised(cells[key].guess, cells[key].confidence)  # the cell as read, unsurely
            null_reasons.pop(key, None)
            confirmed[key] = names
    for key, (values, names) in settled.items():
        if names:  # the identities decide it, and not as what OCR read
            given = " or ".join(str(v) for v in sorted(values))
            null_reasons[key] += f"; read {guesses[key]} unsurely, but {', '.join(names)} give {given}"
    return confirmed


def _guess(text) -> int | None:
    """The whole number OCR read unsurely in a cell, or None."""
    guess = getattr(text, "guess", None)
    value = parse_number(guess)[0] if guess else None
    return value if isinstance(value, int) else None


def _settled(key: str, figures: dict, identities) -> tuple[set, list[str]]:
    """The values the identities in which ``key`` is the only unknown give it, and their names
    (none when there is no such identity)."""
    values, names = set(), []
    for identity in identities:
        operands = identity.lhs + identity.rhs
        if key not in operands or any(figures.get(k) is None for k in operands if k != key):
            continue
        mine, other = (identity.lhs, identity.rhs) if key in identity.lhs else (identity.rhs, identity.lhs)
        values.add(sum(figures[k] for k in other) - sum(figures[k] for k in mine if k != key))
        names.append(identity.name)
    return values, names
