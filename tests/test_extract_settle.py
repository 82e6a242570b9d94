"""Unsure OCR figures confirmed by the format's identities (extract/settle.py, docs/ocr.md "No
wrong number"): the identity alone never fills a cell; the reading alone below the floor never
stands; both agreeing, the figure stands and the record says which identities confirmed it."""
from __future__ import annotations

from extract import standard_format as sf
from extract.numbers import UNREAD, parse_number
from extract.ocr import Recognised
from extract.settle import confirm_unsure

ROW = "requests.not_processed.mass_repeated"  # 无法提供… a row of table 3: its total and six applicant columns
PARTS = [f"{ROW}.{column.suffix}" for column in sf.APPLICANT_COLUMNS if column.suffix != "total"]
TOTAL = f"{ROW}.total"


def reading(values: dict[str, int], unsure: dict[str, str | None]) -> tuple[dict, dict, dict]:
    """A table-3 row read by OCR: ``values`` read surely; ``unsure`` keys read below the floor,
    with what was read there (None: nothing made out)."""
    figures = dict.fromkeys([TOTAL, *PARTS])
    cells, reasons = {}, {}
    for key, value in values.items():
        figures[key], cells[key] = value, Recognised(str(value), 0.99)
    for key, guess in unsure.items():
        figures[key], cells[key] = None, Recognised(UNREAD, 0.6, guess)
        reasons[key] = parse_number(UNREAD)[1]
    return figures, cells, reasons


def test_a_reading_the_row_total_gives_exactly_is_confirmed():
    figures, cells, reasons = reading({TOTAL: 7, **dict.fromkeys(PARTS[1:], 1)}, {PARTS[0]: "2"})
    assert confirm_unsure(figures, cells, reasons, "2021") == {PARTS[0]: [f"applicants_sum.{ROW[9:]}"]}
    assert figures[PARTS[0]] == 2 and PARTS[0] not in reasons and cells[PARTS[0]] == "2"
    assert cells[PARTS[0]].confidence == 0.6  # as unsure as it was read: the record says why it stands


def test_a_reading_the_identity_contradicts_stays_null_with_both_numbers():
    figures, cells, reasons = reading({TOTAL: 7, **dict.fromkeys(PARTS[1:], 1)}, {PARTS[0]: "3"})
    assert confirm_unsure(figures, cells, reasons, "2021") == {}
    assert figures[PARTS[0]] is None
    assert reasons[PARTS[0]].endswith(f"; read 3 unsurely, but applicants_sum.{ROW[9:]} give 2")


def test_the_identity_alone_never_fills_a_cell():
    figures, cells, reasons = reading({TOTAL: 7, **dict.fromkeys(PARTS[1:], 1)}, {PARTS[0]: None})
    assert confirm_unsure(figures, cells, reasons, "2021") == {} and figures[PARTS[0]] is None
    assert reasons[PARTS[0]] == parse_number(UNREAD)[1]


def test_two_unknowns_in_one_identity_settle_nothing():
    figures, cells, reasons = reading({TOTAL: 7, **dict.fromkeys(PARTS[2:], 1)}, {PARTS[0]: "1", PARTS[1]: "1"})
    assert confirm_unsure(figures, cells, reasons, "2021") == {}
    assert figures[PARTS[0]] is None and figures[PARTS[1]] is None


def test_a_figure_confirmed_leaves_the_next_the_only_unknown():
    """The row total unsure too: once the row's parts are read, the total is confirmed, and a
    figure of another identity that needed it may be confirmed in turn (the column's balance)."""
    column = "natural_person"
    new, carried, handled, forward = (f"requests.{row}.{column}" for row in
                                      ("new_received", "carried_over", "handled_total", "carried_forward"))
    figures, cells, reasons = reading({new: 5, carried: 1}, {handled: "6", forward: "0"})
    confirmed = confirm_unsure(figures, cells, reasons, "2021")
    assert confirmed == {}  # handled and forward both unknown in the balance, and handled's parts unread
    figures, cells, reasons = reading({new: 5, carried: 1, forward: 0}, {handled: "6"})
    assert confirm_unsure(figures, cells, reasons, "2021") == {handled: [f"balance.{column}"]}
    assert figures[handled] == 6


def test_identities_that_disagree_confirm_nothing():
    """A figure in two identities as the only unknown of each: they must give the same value."""
    column = "natural_person"
    new, carried, handled, forward = (f"requests.{row}.{column}" for row in
                                      ("new_received", "carried_over", "handled_total", "carried_forward"))
    results = [f"{row.key}.{column}" for row in sf.RESULT_ROWS["2021"]]
    figures, cells, reasons = reading({new: 5, carried: 1, forward: 0, **dict.fromkeys(results, 0)}, {handled: "6"})
    figures[results[0]] = 5  # the results sum to 5, the balance says 6: the report's own arithmetic fails
    assert confirm_unsure(figures, cells, reasons, "2021") == {}
    assert "give 5 or 6" in reasons[handled]
