"""The theme editor's logo field posted with bytes that are no image: anything at all, a
PNG signature before a header that is not a PNG's, an SVG or XML start whose tag never
closes. Every one is refused (400) beside the logo field, and no logo or version is
stored. The form fuzzing (test_forms.py) sends no files; this is its file field.

The rest of the form is the editor page's own values: the same post with a real PNG
saves (the control at the end), so a 400 here is the logo's.
"""

from __future__ import annotations

import io
import os
import re
from urllib.parse import urlsplit

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select
from werkzeug.datastructures import FileStorage, MultiDict
from werkzeug.test import encode_multipart

from channelfront.extensions import db
from channelfront.theming.models import ThemeLogo, ThemeVersion
from tests.conftest import HostClient
from tests.fuzz.pages import Form, forms_on
from tests.fuzz.writes import write_log
from tests.walls.theme_world import console_theme, png

pytestmark = pytest.mark.slow

EXAMPLES = 5 * int(os.environ.get("FUZZ_EXAMPLES", "6"))
BOOKKEEPING = {"user_session"}
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
# What a PNG holds right after its signature: the 13-byte IHDR chunk's length and type.
IHDR_START = b"\x00\x00\x00\x0dIHDR"
MARKUP_STARTS = [b"<svg", b"<?xml", b"<!--", b"<!DOCTYPE svg", b"\xef\xbb\xbf<svg", b" \n<svg"]


def _neither_png_nor_markup(data: bytes) -> bool:
    markup = data.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<")
    return not markup and not data.startswith(PNG_SIGNATURE)


# Bytes that cannot be a PNG or an SVG, whatever the checks do: no PNG signature and no
# markup; a signature without the IHDR chunk a PNG must start with; a tag never closed.
garbage = st.one_of(
    st.binary(max_size=4096).filter(_neither_png_nor_markup),
    st.binary(max_size=512)
    .filter(lambda tail: not tail.startswith(IHDR_START))
    .map(lambda tail: PNG_SIGNATURE + tail),
    st.tuples(st.sampled_from(MARKUP_STARTS), st.binary(max_size=512)).map(
        lambda parts: parts[0] + parts[1].replace(b">", b"")
    ),
)
filenames = st.sampled_from(
    ["logo.png", "logo.svg", "logo", "LOGO.PNG", "../../etc/passwd.png", "ロゴ.svg", "x" * 300]
)
content_types = st.sampled_from(
    ["image/png", "image/svg+xml", "application/octet-stream", "text/html", ""]
)


def _editor_form(admin: HostClient, theme_id: int) -> Form:
    url = f"http://{admin.host}/admin/themes/{theme_id}"
    [form] = [
        found
        for found in forms_on(url, admin.get(url).get_data(as_text=True))
        if found.method == "POST" and urlsplit(found.action).path == urlsplit(url).path
    ]
    return form


def _post(admin: HostClient, form: Form, data: bytes, filename: str, content_type: str):  # type: ignore[no-untyped-def]
    fields = MultiDict([(name, value) for name, values in form.fields.items() for value in values])
    fields.add("logo", FileStorage(io.BytesIO(data), filename, content_type=content_type))
    # Encoded in memory: the test client spools a large body to a file it never closes.
    boundary, body = encode_multipart(fields)
    return admin.post(
        form.action,
        data=body,
        content_type=f'multipart/form-data; boundary="{boundary}"',
        buffered=True,
    )


def _rows() -> tuple[int, int]:
    return (
        db.session.scalar(select(func.count(ThemeVersion.id))),
        db.session.scalar(select(func.count(ThemeLogo.id))),
    )


def test_logo_bytes_that_are_no_image_are_refused_beside_the_field_and_store_nothing(
    app, ctx, client_for
):
    theme = console_theme("fuzz-logo")
    admin = client_for("admin.localhost")
    assert admin.login("admin@nimbus.example").status_code == 302
    form = _editor_form(admin, theme.id)
    before = _rows()

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        derandomize=True,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(garbage, filenames, content_types)
    def upload(data: bytes, filename: str, content_type: str) -> None:
        with write_log(db.engine) as log:
            response = _post(admin, form, data, filename, content_type)
        assert response.status_code == 400, (data[:40], filename, response.status_code)
        page = response.get_data(as_text=True)
        field = re.search(r'<div class="field has-error">\s*<label for="logo".*?</div>', page, re.S)
        assert field, ("no error beside the logo field", data[:40])
        assert '<p class="field-error">' in field.group(0)
        assert not set(log.kept()) - BOOKKEEPING, (data[:40], log.kept())
        assert _rows() == before, data[:40]

    upload()
    # The control: the same form with a real PNG saves one version and one logo.
    saved = _post(admin, form, png(64, 64), "logo.png", "image/png")
    assert saved.status_code == 302, saved.get_data(as_text=True)
    assert _rows() == (before[0] + 1, before[1] + 1)
