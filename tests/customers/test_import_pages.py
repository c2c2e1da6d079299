"""The upload page, the preview, the import button and the progress of a large file."""

# ruff: noqa: F811  (fixtures imported from import_world are redefined as arguments)
from __future__ import annotations

import io
import re
from collections.abc import Callable

import pytest
from sqlalchemy import func, select

from channelfront.accounts.models import User
from channelfront.customers import import_views
from channelfront.customers.models import CustomerImport
from channelfront.extensions import db
from tests.conftest import HostClient
from tests.customers.import_world import (  # noqa: F401  (fixtures)
    bluebird,
    count,
    csv_text,
    northwind_shop,
    other_company,
    reseller,
    signed_in,
)

pytestmark = pytest.mark.usefixtures("northwind_shop")
BUYER = "buyer@bluebird.example"


def upload(client: HostClient, text: str | bytes, name: str = "customers.csv"):  # type: ignore[no-untyped-def]
    data = text.encode() if isinstance(text, str) else text
    return client.post(
        "/customers/import",
        data={
            "csrf_token": client.csrf_token("/customers/import"),
            "file": (io.BytesIO(data), name),
        },
        content_type="multipart/form-data",
    )


def import_id(response) -> int:  # type: ignore[no-untyped-def]
    assert response.status_code == 303, response.get_data(as_text=True)
    found = re.search(r"/customers/import/(\d+)$", response.headers["Location"])
    assert found
    return int(found.group(1))


def test_upload_preview_then_import(signed_in: Callable[[str], HostClient]) -> None:
    client = signed_in(BUYER)
    before = count()
    number = import_id(upload(client, csv_text("Acme,Ada,ada@acme.example,US,,A-1")))
    page = client.get(f"/customers/import/{number}").get_data(as_text=True)
    assert 'data-count="new">1<' in page
    assert "import-run" in page
    assert count() == before, "nothing is written before the import is confirmed"
    token = client.csrf_token(f"/customers/import/{number}")
    done = client.post(f"/customers/import/{number}/run", data={"csrf_token": token})
    assert done.status_code == 303
    assert count() == before + 1
    assert "import-done" in client.get(f"/customers/import/{number}").get_data(as_text=True)
    again = client.post(f"/customers/import/{number}/run", data={"csrf_token": token})
    assert again.status_code == 409
    assert count() == before + 1


def test_the_downloaded_list_uploads_again_unchanged(
    signed_in: Callable[[str], HostClient],
) -> None:
    client = signed_in(BUYER)
    first = import_id(upload(client, csv_text("Acme,Ada,ada@acme.example,US,,A-1")))
    token = client.csrf_token(f"/customers/import/{first}")
    assert client.post(f"/customers/import/{first}/run", data={"csrf_token": token}).status_code
    downloaded = client.get("/customers.csv", buffered=True).get_data()
    before = count()
    again = import_id(upload(client, downloaded, "downloaded.csv"))
    page = client.get(f"/customers/import/{again}").get_data(as_text=True)
    assert 'data-count="invalid">0<' in page, page
    assert 'data-count="new">0<' in page
    assert count() == before


def test_an_invalid_upload_lists_its_errors_and_offers_no_import(
    signed_in: Callable[[str], HostClient],
) -> None:
    client = signed_in(BUYER)
    number = import_id(upload(client, csv_text("Acme,Ada,ada@acme.example,US,,", "B,C,bad,US,,")))
    page = client.get(f"/customers/import/{number}").get_data(as_text=True)
    assert 'data-row="3" data-field="email"' in page
    assert "import-run" not in page
    token = client.csrf_token(f"/customers/import/{number}")
    assert (
        client.post(f"/customers/import/{number}/run", data={"csrf_token": token}).status_code
        == 409
    )


def test_a_file_that_is_not_utf8_is_named_on_the_page(
    signed_in: Callable[[str], HostClient],
) -> None:
    client = signed_in(BUYER)
    number = import_id(upload(client, csv_text("Café,Zoé,z@c.example,FR,,").encode("cp1252")))
    assert "not UTF-8" in client.get(f"/customers/import/{number}").get_data(as_text=True)


def test_no_file_is_a_400_naming_it(signed_in: Callable[[str], HostClient]) -> None:
    client = signed_in(BUYER)
    token = client.csrf_token("/customers/import")
    response = client.post("/customers/import", data={"csrf_token": token})
    assert response.status_code == 400
    assert 'data-field="file"' in response.get_data(as_text=True)


def test_a_file_over_5_mb_is_refused(
    signed_in: Callable[[str], HostClient], monkeypatch: pytest.MonkeyPatch
) -> None:
    client = signed_in(BUYER)
    # A smaller limit stands in for 5 MB: the test client spools large bodies to a
    # temporary file it never closes, which the suite's warnings-as-errors would catch.
    monkeypatch.setattr(import_views, "UPLOAD_LIMIT", 2000)
    response = upload(client, b"a" * 3000)
    assert response.status_code == 413
    assert "5 MB" in response.get_data(as_text=True)


def test_a_viewer_gets_403(signed_in: Callable[[str], HostClient]) -> None:
    reseller(bluebird(), "viewer@bluebird.example", "viewer")
    client = signed_in("viewer@bluebird.example")
    assert client.get("/customers/import").status_code == 403
    token = signed_in(BUYER).csrf_token("/customers/import")
    response = client.post("/customers/import", data={"csrf_token": token})
    assert response.status_code == 403
    assert db.session.scalar(select(func.count(CustomerImport.id))) == 0


def test_another_companys_import_is_not_found(signed_in: Callable[[str], HostClient]) -> None:
    number = import_id(upload(signed_in(BUYER), csv_text("Acme,Ada,ada@acme.example,US,,")))
    reseller(other_company(), "buyer@otter.example", "buyer")
    other = signed_in("buyer@otter.example")
    assert other.get(f"/customers/import/{number}").status_code == 404
    assert other.get(f"/customers/import/{number}/status").status_code == 404
    token = other.csrf_token("/customers/import")
    assert (
        other.post(f"/customers/import/{number}/run", data={"csrf_token": token}).status_code == 404
    )


def test_a_large_file_runs_as_tasks_and_its_progress_reaches_the_total(
    signed_in: Callable[[str], HostClient],
) -> None:
    client = signed_in(BUYER)
    rows = [f"Firm {i},Pat {i},p{i}@firm.example,US,,F-{i}" for i in range(1200)]
    number = import_id(upload(client, csv_text(*rows)))
    status = client.get(f"/customers/import/{number}/status").get_json()
    assert status == {
        "status": "checked",
        "processed_rows": 1200,
        "total_rows": 1200,
        "counts": {"new": 1200, "updated": 0, "unchanged": 0, "invalid": 0},
        "working": False,
    }
    before = count()
    token = client.csrf_token(f"/customers/import/{number}")
    client.post(f"/customers/import/{number}/run", data={"csrf_token": token})
    status = client.get(f"/customers/import/{number}/status").get_json()
    assert (status["status"], status["processed_rows"]) == ("done", 1200)
    assert count() == before + 1200


def test_the_progress_page_shows_a_bar_and_refreshes_without_js(
    signed_in: Callable[[str], HostClient],
) -> None:
    client = signed_in(BUYER)
    buyer = db.session.scalar(select(User).where(User.email == BUYER))
    assert buyer is not None
    upload_row = CustomerImport(
        company_id=bluebird(),
        user_id=buyer.id,
        filename="big.csv",
        content="",
        status="checking",
        total_rows=1000,
        processed_rows=250,
    )
    db.session.add(upload_row)
    db.session.commit()
    page = client.get(f"/customers/import/{upload_row.id}").get_data(as_text=True)
    assert '<progress id="import-bar" max="1000" value="250">' in page
    assert 'http-equiv="refresh"' in page
