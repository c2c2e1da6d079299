"""The whole-file check and the all-or-nothing write of a customer list."""

from __future__ import annotations

import pytest

from channelfront.customers import csv_import
from channelfront.extensions import db
from tests.customers.import_world import (  # noqa: F401  (fixtures)
    bluebird,
    count,
    csv_text,
    customer,
    northwind_shop,
    snapshot,
)

pytestmark = pytest.mark.usefixtures("northwind_shop")


def errors_of(check: csv_import.Check) -> list[tuple[int, str]]:
    return [(e.row, e.field) for e in check.errors]


def test_a_bom_and_semicolons_as_german_excel_writes_them_are_read() -> None:
    text = csv_import.decode(
        "\ufeffCompany_Name;Contact_Name;EMAIL;Country\r\n"
        "Müller GmbH;Jörg Müller;joerg@mueller.example;de\r\n".encode()
    )
    check = csv_import.check_text(text, bluebird())
    assert check.valid, check.errors
    assert check.counts() == {"new": 1, "updated": 0, "unchanged": 0, "invalid": 0}
    assert check.changes[0].values["company_name"] == "Müller GmbH"
    assert check.changes[0].values["country"] == "DE"


def test_a_file_that_is_not_utf8_is_refused_naming_the_row() -> None:
    data = csv_text(
        "Acme,Ada,ada@acme.example,US,,"
    ).encode() + "Café,Zoé,z@c.example,FR,,\r\n".encode("latin-1")
    with pytest.raises(csv_import.FileRefused) as refused:
        csv_import.decode(data)
    assert refused.value.error.row == 3
    assert "not UTF-8" in refused.value.error.message


def test_too_large_a_file_is_refused() -> None:
    with pytest.raises(csv_import.FileRefused, match="larger than 5 MB"):
        csv_import.decode(b"x" * (csv_import.MAX_BYTES + 1))


@pytest.mark.parametrize(
    ("header", "field"),
    [
        ("company_name,contact_name,email,country,phone", "phone"),
        ("company_name,contact_name,email", "country"),
        ("company_name,contact_name,email,country,email", "email"),
    ],
)
def test_an_unknown_missing_or_repeated_column_is_a_file_error(header: str, field: str) -> None:
    check = csv_import.check_text(csv_text("a,b,c@d.example,US", header=header), bluebird())
    assert errors_of(check) == [(1, field)]
    assert field in check.errors[0].message


def test_more_rows_than_allowed_are_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(csv_import, "MAX_ROWS", 3)
    rows = [f"C{i},Ada,a{i}@x.example,US,," for i in range(4)]
    check = csv_import.check_text(csv_text(*rows), bluebird())
    assert not check.valid
    assert "more than 3 rows" in check.errors[0].message


def test_every_bad_row_is_named_with_its_field_and_empty_lines_are_skipped() -> None:
    text = csv_text(
        "Acme,Ada,ada@acme.example,US,,",
        "",
        '=HYPERLINK("http://x"),Bob,bob@x.example,US,,',
        "Beta,Bea,not-an-email,US,,",
        "Gamma,Gil,gil@gamma.example,USA,,",
        "Delta,Dee,dee@delta.example,US,,@SUM(A1)",
        " ,Eve,eve@x.example,US,,",
    )
    check = csv_import.check_text(text, bluebird())
    assert errors_of(check) == [
        (4, "company_name"),
        (5, "email"),
        (6, "country"),
        (7, "crm_account_id"),
        (8, "company_name"),
    ]
    assert check.counts() == {"new": 1, "updated": 0, "unchanged": 0, "invalid": 5}
    assert check.total_rows == 6


def test_crm_id_beats_vat_id_beats_email() -> None:
    by_crm = customer("By CRM", "crm@x.example", crm_account_id="CRM-1")
    by_vat = customer("By VAT", "vat@x.example", vat_id="DE123456789")
    by_email = customer("By Mail", "Mail@X.example")

    def matched(row: str) -> int | None:
        check = csv_import.check_text(csv_text(row), bluebird())
        assert check.valid, check.errors
        return check.changes[0].customer_id

    # Each row names the others' keys too: the strongest one decides.
    assert matched("Renamed,Casey,mail@x.example,US,DE123456789,CRM-1") == by_crm.id
    assert matched("Renamed,Casey,MAIL@x.example,US,de 123.456.789,CRM-9") == by_vat.id
    assert matched("Renamed,Casey,MAIL@x.example,US,,CRM-9") == by_email.id
    assert matched("Renamed,Casey,nobody@x.example,US,,") is None


def test_two_rows_for_one_customer_or_one_key_make_the_later_one_a_duplicate() -> None:
    known = customer("Known", "known@x.example", crm_account_id="K-1")
    text = csv_text(
        "Known,Casey Customer,known@x.example,US,,K-1",
        "Known again,Casey Customer,KNOWN@x.example,US,,",
        "New,Nina,new@x.example,US,,N-1",
        "Newer,Nina,newer@x.example,US,,N-1",
    )
    check = csv_import.check_text(text, bluebird())
    assert [(e.row, e.message) for e in check.errors] == [
        (3, "Duplicate of row 2."),
        (5, "Duplicate of row 4."),
    ]
    assert check.changes[0].customer_id == known.id


def test_an_unchanged_row_is_counted_as_such_and_a_missing_column_keeps_the_value() -> None:
    customer("Same", "same@x.example", vat_id="GB123456789", crm_account_id="S-1")
    text = csv_text(
        "Same,Casey Customer,same@x.example,US,GB123456789,S-1",
    )
    assert csv_import.check_text(text, bluebird()).counts()["unchanged"] == 1
    no_vat = csv_text(
        "Same,Casey Customer,same@x.example,US,S-1",
        header="company_name,contact_name,email,country,crm_account_id",
    )
    assert csv_import.check_text(no_vat, bluebird()).counts()["unchanged"] == 1


def test_an_invalid_file_writes_nothing_and_a_valid_one_writes_every_row() -> None:
    old = customer("Old", "old@x.example", crm_account_id="O-1")
    before = snapshot()
    bad = csv_text("Old New Name,Casey,old@x.example,US,,O-1", "Bad,Bo,bad,US,,")
    written = csv_import.write(bad, bluebird())
    assert not written.check.valid
    db.session.commit()
    assert snapshot() == before

    good = csv_text("Old New Name,Casey,old@x.example,US,,O-1", "Fresh,Fay,fay@x.example,FR,,")
    written = csv_import.write(good, bluebird())
    db.session.commit()
    assert written.check.counts() == {"new": 1, "updated": 1, "unchanged": 0, "invalid": 0}
    assert count() == len(before) + 1
    db.session.refresh(old)
    assert old.company_name == "Old New Name"
    assert old.updated_at is not None


def test_a_country_code_that_names_no_country_is_refused() -> None:
    check = csv_import.check_text(csv_text("Acme,Ada,ada@acme.example,XX,,"), bluebird())
    assert errors_of(check) == [(2, "country")]
    assert check.errors[0].message == "XX is not a country code."
