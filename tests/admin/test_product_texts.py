"""Product texts per locale in the console: edit, missing-language badges, CSV round trip."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from channelfront.audit.models import AuditEvent
from channelfront.catalog import texts_csv
from channelfront.catalog.models import Product, ProductText


def product_id(rows, sku="SHD-SUP-BAS"):
    return rows(select(Product.id).where(Product.sku == sku))[0][0]


def texts(rows, sku="SHD-SUP-BAS"):
    return {
        loc: (name, desc)
        for loc, name, desc in rows(
            select(ProductText.locale, ProductText.name, ProductText.description)
            .join(Product, Product.id == ProductText.product_id)
            .where(Product.sku == sku)
        )
    }


def page_data(**overrides):
    data = {}
    for loc in ("en", "de", "fr", "es", "ja"):
        data[f"name_{loc}"] = f"Name {loc}"
        data[f"description_{loc}"] = f"Description {loc}"
    data.update(overrides)
    return data


def test_texts_page_edits_every_locale_and_audits(console, submit, rows):
    page = f"/admin/products/{product_id(rows)}/texts"
    response = submit(page, data=page_data(name_ja="シールド サポート", description_fr=""))
    assert response.status_code == 302
    saved = texts(rows)
    assert saved["ja"] == ("シールド サポート", "Description ja")
    assert saved["fr"] == ("Name fr", "")
    assert set(saved) == {"en", "de", "fr", "es", "ja"}
    assert rows(select(AuditEvent.id).where(AuditEvent.action == "product.texts_changed"))


def test_empty_locale_removes_its_text_and_english_is_required(console, submit, rows):
    page = f"/admin/products/{product_id(rows)}/texts"
    before = texts(rows)
    refused = submit(page, data=page_data(name_en="  "))
    assert refused.status_code == 400
    assert "English name" in refused.get_data(as_text=True)
    assert texts(rows) == before
    too_long = submit(page, data=page_data(name_de="x" * 201))
    assert too_long.status_code == 400
    assert texts(rows) == before
    orphan = submit(page, data=page_data(name_es="", description_es="Sin nombre"))
    assert orphan.status_code == 400
    assert texts(rows) == before
    response = submit(page, data=page_data(name_es="", description_es=""))
    assert response.status_code == 302
    assert "es" not in texts(rows)


def test_unknown_product_is_404(console):
    assert console.get("/admin/products/999999/texts").status_code == 404


def test_product_list_flags_missing_locales(console, submit, rows, text_of):
    page = f"/admin/products/{product_id(rows)}/texts"
    submit(page, data=page_data(name_fr="", description_fr="", name_ja="", description_ja=""))
    html = console.get("/admin/products").get_data(as_text=True)
    row = html.split('data-sku="SHD-SUP-BAS"')[1].split("</tr>")[0]
    assert 'data-locale="fr"' in row
    assert 'data-locale="ja"' in row
    assert 'data-locale="de"' not in row
    complete = html.split('data-sku="SHD-STD-1Y"')[1].split("</tr>")[0]
    assert "missing-locale" not in complete


def upload(submit, content: bytes, name="texts.csv"):
    import io

    page = "/admin/products/texts/import"
    return submit(page, data={"file": (io.BytesIO(content), name)})


def test_export_then_import_round_trip(console, submit, rows):
    exported = console.get("/admin/products/texts.csv")
    assert exported.status_code == 200
    body = exported.get_data()
    assert body.startswith("\ufeff".encode())
    text = body.decode("utf-8-sig")
    assert text.splitlines()[0] == "sku,locale,name,description"
    assert "SHD-SUP-BAS,ja," in text
    edited = text.replace(
        "SHD-SUP-BAS,de,Nimbus Shield Basis-Support (Zusatz)", "SHD-SUP-BAS,de,Schild Basis"
    )
    response = upload(submit, edited.encode("utf-8-sig"))
    assert response.status_code == 302, response.get_data(as_text=True)
    assert texts(rows)["de"][0] == "Schild Basis"
    assert texts(rows, "BKP-PERP")["ja"][0].startswith("Nimbus Backup")


def test_semicolons_without_bom_are_read(console, submit, rows):
    content = b"sku;locale;name;description\nSHD-SUP-BAS;fr;Bouclier;Aide\n"
    assert upload(submit, content).status_code == 302
    assert texts(rows)["fr"] == ("Bouclier", "Aide")


@pytest.mark.parametrize(
    ("line", "field"),
    [
        ("NOPE-1,de,Name,", "sku"),
        ("SHD-SUP-BAS,xx,Name,", "locale"),
        ("SHD-SUP-BAS,de,,", "name"),
        ("SHD-SUP-BAS,de," + "x" * 201 + ",", "name"),
        ("SHD-SUP-BAS,de,=HYPERLINK(1),", "name"),
        ("SHD-SUP-BAS,de,Name,@SUM(1)", "description"),
    ],
)
def test_invalid_file_writes_nothing_and_names_row_and_field(submit, rows, line, field):
    before = texts(rows)
    content = f"sku,locale,name,description\nSHD-SUP-BAS,fr,Valide,\n{line}\n".encode()
    response = upload(submit, content)
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert f'data-row="3" data-field="{field}"' in html
    assert texts(rows) == before


def test_file_level_problems_are_400(submit, rows, monkeypatch):
    before = texts(rows)
    for content in (b"", b"name,desc\nx,y\n", b"\xff\xfe bad", b"sku,locale,name,description\n"):
        assert upload(submit, content).status_code == 400
    monkeypatch.setattr(texts_csv, "MAX_BYTES", 100)
    too_big = b"sku,locale,name,description\n" + b"SHD-SUP-BAS,de,x,y\n" * 10
    response = upload(submit, too_big)
    assert response.status_code == 400
    assert "larger than" in response.get_data(as_text=True)
    assert texts(rows) == before
