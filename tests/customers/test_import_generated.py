"""Generated customer lists: an invalid one writes nothing, a valid one is imported exactly."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from channelfront.customers import csv_import
from channelfront.extensions import db
from tests.customers.import_world import (  # noqa: F401  (fixtures)
    bluebird,
    count,
    csv_text,
    northwind_shop,
    snapshot,
)

pytestmark = pytest.mark.usefixtures("northwind_shop")
NAMES = st.text(st.characters(codec="utf-8", categories=("L", "N", "Zs")), min_size=1, max_size=30)
GOOD = st.tuples(NAMES, NAMES, st.sampled_from(["US", "DE", "FR", "JP"]))
BAD_CELLS = st.sampled_from(["=1+1", "+cmd", "-2", "@SUM(A1)", "not-an-email", "", "\x00"])


def _cell(text: str) -> str:
    text = text.strip().replace('"', '""')
    return f'"{text}"' if text else "x"


@st.composite
def lists(draw: st.DrawFn) -> tuple[str, bool]:
    """A CSV list and whether every row of it is valid."""
    rows, valid = [], True
    for index in range(draw(st.integers(1, 12))):
        company, contact, country = draw(GOOD)
        cells = [_cell(company), _cell(contact), f"gen{index}@list.example", country, ""]
        kind = draw(st.sampled_from(["good", "good", "bad", "duplicate"]))
        if kind == "bad":
            column = draw(st.integers(0, 3))
            bad = draw(BAD_CELLS)
            # Any text is a valid name: "not-an-email" is bad only where an address belongs.
            cells[column] = bad if bad != "not-an-email" or column >= 2 else "=HYPERLINK()"
            valid = False
        elif kind == "duplicate" and index:
            cells[2] = "gen0@list.example"
            valid = False
        rows.append(",".join(cells))
    return csv_text(*rows, header="company_name,contact_name,email,country,vat_id"), valid


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(generated=lists(), encoding=st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "cp1252"]))
def test_a_generated_list_is_written_whole_or_not_at_all(
    generated: tuple[str, bool], encoding: str
) -> None:
    text, valid = generated
    before = snapshot()
    try:
        decoded = csv_import.decode(text.encode(encoding, errors="replace"))
    except csv_import.FileRefused:
        assert encoding in ("utf-16", "cp1252")
        return
    written = csv_import.write(decoded, bluebird())
    try:
        if valid and written.check.valid:
            rows = written.check.total_rows
            assert count() == len(before) + rows
            assert written.check.counts()["new"] == rows
        else:
            assert not written.check.valid or encoding == "cp1252", written.check.errors
            if not written.check.valid:
                assert snapshot() == before
                assert all(e.row >= 2 and e.field for e in written.check.errors)
    finally:
        db.session.rollback()
    assert snapshot() == before


@pytest.mark.slow
def test_twenty_thousand_rows_are_imported_and_one_more_is_refused() -> None:
    rows = [f"Firm {i},Pat {i},p{i}@firm.example,US,,F-{i}" for i in range(csv_import.MAX_ROWS)]
    text = csv_text(*rows)
    before = count()
    written = csv_import.write(text, bluebird())
    db.session.commit()
    assert written.check.counts()["new"] == csv_import.MAX_ROWS
    assert count() == before + csv_import.MAX_ROWS
    again = csv_import.check_text(text, bluebird())
    assert again.counts()["unchanged"] == csv_import.MAX_ROWS
    over = csv_import.check_text(text + "One more,Pat,one@more.example,US,,\r\n", bluebird())
    assert not over.valid
    assert "more than 20000 rows" in over.errors[0].message
