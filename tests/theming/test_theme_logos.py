"""Logos of stored themes: a PNG checked by its bytes, an SVG rebuilt without anything
that could run, anything else refused; the logo is served by its hash and shown."""

from __future__ import annotations

import hashlib
import io
import re

import pytest
from sqlalchemy import func, select
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from channelfront.extensions import db
from channelfront.theming.logos import MAX_BYTES, LogoRefused, check_logo, png_size
from channelfront.theming.models import ThemeLogo, ThemeVersion
from tests.theming.conftest import BASE_FORM, png, token_of

NOT_AN_IMAGE = "Upload the logo as a PNG or an SVG file."
EVIL_SVG = (
    b'<?xml version="1.0"?>\n'
    b'<svg xmlns="http://www.w3.org/2000/svg" width="120" height="40" onload="alert(1)">'
    b"<script>alert(2)</script>"
    b'<rect width="120" height="40" fill="#0b4f6c" onclick="alert(3)"/>'
    b'<a href="javascript:alert(4)"><text x="4" y="24" fill="#fff">Spring</text></a>'
    b"</svg>"
)


def upload(console, theme, data: bytes, filename: str, **fields):  # type: ignore[no-untyped-def]
    page = f"/admin/themes/{theme.id}"
    token = token_of(console.get(page).get_data(as_text=True))
    form = {**BASE_FORM, **fields, "csrf_token": token}
    form["logo"] = FileStorage(io.BytesIO(data), filename)
    # Encoded in memory: the test client spools a body over 500 KB to a file it never closes.
    boundary, body = encode_multipart(form)
    return console.post(page, data=body, content_type=f'multipart/form-data; boundary="{boundary}"')


def logo_of(number: int) -> ThemeLogo | None:
    db.session.expire_all()
    version = db.session.scalar(select(ThemeVersion).where(ThemeVersion.number == number))
    return version.logo


def test_a_png_logo_is_stored_served_by_its_hash_and_shown_in_the_header(
    console, make_theme, publish, use_theme, northwind
):
    theme = make_theme()
    data = png(120, 40)
    response = upload(console, theme, data, "logo.png")
    assert response.status_code == 302, response.get_data(as_text=True)
    logo = logo_of(2)
    assert logo.sha256 == hashlib.sha256(data).hexdigest()
    assert logo.content_type == "image/png"
    served = northwind.get(f"/brand/logos/{logo.sha256}")
    assert served.status_code == 200
    assert served.data == data
    assert served.mimetype == "image/png"
    publish(theme, 2)
    use_theme("northwind", "spring")
    page = northwind.get("/").get_data(as_text=True)
    header = re.search(r'<header class="site-header">.*?</header>', page, re.S).group(0)
    assert f'src="/brand/logos/{logo.sha256}"' in header


def test_the_logo_stays_when_no_file_is_sent_and_goes_when_removed(console, make_theme, save):
    theme = make_theme()
    upload(console, theme, png(), "logo.png")
    kept = logo_of(2)
    assert save(theme, primary="#7a2e8e").status_code == 302
    assert logo_of(3).id == kept.id
    assert save(theme, remove_logo="y").status_code == 302
    assert logo_of(4) is None


def test_the_same_file_twice_is_stored_once(console, make_theme):
    theme = make_theme()
    upload(console, theme, png(), "a.png")
    upload(console, theme, png(), "b.png")
    assert logo_of(2).id == logo_of(3).id
    assert db.session.scalar(select(func.count(ThemeLogo.id))) == 1


def test_an_svg_logo_loses_its_scripts_and_event_handlers(console, make_theme, northwind):
    theme = make_theme()
    response = upload(console, theme, EVIL_SVG, "logo.svg")
    assert response.status_code == 302, response.get_data(as_text=True)
    logo = logo_of(2)
    assert logo.content_type == "image/svg+xml"
    stored = logo.data.lower()
    for word in (b"<script", b"onload", b"onclick", b"javascript:", b"alert"):
        assert word not in stored
    assert b"<rect" in stored
    served = northwind.get(f"/brand/logos/{logo.sha256}")
    assert served.data == logo.data
    assert "default-src 'none'" in served.headers["Content-Security-Policy"]


@pytest.mark.parametrize(
    ("data", "filename", "message"),
    [
        (
            b"GIF89a\x01\x00\x01\x00\x00\x00\x00;",
            "logo.gif",
            "Upload the logo as a PNG or an SVG file.",
        ),
        (b"%PDF-1.7\n", "logo.png", NOT_AN_IMAGE),
        (b"<svg><g></svg>", "logo.svg", "The SVG file could not be read"),
        (b"<html><body>x</body></html>", "logo.svg", NOT_AN_IMAGE),
        (b"\x89PNG\r\n\x1a\n\x00\x00", "logo.png", "The PNG file is damaged"),
        (png(2001, 10), "wide.png", "2001 × 10 pixels; at most 2000 × 2000"),
        (png(10, 2400), "tall.png", "10 × 2400 pixels"),
        (b"\x89PNG\r\n\x1a\n" + b"\0" * MAX_BYTES, "big.png", "larger than 512 KB"),
        (b"", "empty.png", "The file is empty."),
    ],
)
def test_a_file_that_is_no_acceptable_logo_is_refused_beside_the_field(
    console, make_theme, data, filename, message
):
    theme = make_theme()
    response = upload(console, theme, data, filename, primary="#7a2e8e")
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    field = re.search(r'<div class="field has-error">\s*<label for="logo".*?</div>', page, re.S)
    assert field, "no error beside the logo field"
    assert message in field.group(0)
    db.session.expire_all()
    assert db.session.scalar(select(func.count(ThemeVersion.id))) == 1
    assert db.session.scalar(select(func.count(ThemeLogo.id))) == 0


def test_png_dimensions_come_from_the_ihdr_chunk():
    assert png_size(png(300, 120)) == (300, 120)
    assert check_logo(png(2000, 2000)).content_type == "image/png"


def test_an_svg_without_an_svg_root_is_no_logo():
    with pytest.raises(LogoRefused):
        check_logo(b'<?xml version="1.0"?><note xmlns="urn:x">hi</note>')


@pytest.mark.parametrize(
    "damage",
    [
        lambda data: data[:-5],  # cut short inside IEND
        lambda data: data[:40] + b"\x00garbage" + data[48:],  # a chunk's bytes changed
        lambda data: data + b"trailing bytes",  # something after IEND
    ],
)
def test_a_png_with_a_good_header_but_damaged_chunks_is_refused(damage):
    with pytest.raises(LogoRefused, match="cut short or corrupted"):
        check_logo(damage(png(120, 40)))
