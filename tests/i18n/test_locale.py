"""Which language a page is shown in: saved choice, switcher cookie, browser, tenant default.

Alpenhandel is German by default and also offers English and French; Northwind is
English and offers Spanish; Sakura is Japanese and offers English.
"""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from channelfront.accounts.models import User
from channelfront.extensions import db
from channelfront.i18n.locale import LOCALE_COOKIE

SIGN_IN = {"en": "Sign in", "de": "Anmelden", "fr": "Se connecter", "es": "Iniciar sesión"}


def lang(response) -> str:  # type: ignore[no-untyped-def]
    assert response.status_code == 200, response.status_code
    match = re.search(r'<html lang="([^"]+)"', response.get_data(as_text=True))
    assert match, "page without <html lang>"
    return match.group(1)


def home(client, accept_language: str | None = None):  # type: ignore[no-untyped-def]
    headers = {"Accept-Language": accept_language} if accept_language else {}
    return client.get("/", headers=headers)


def choose(client, locale: str, next_path: str = "/"):  # type: ignore[no-untyped-def]
    """Use the language switcher in the page header, as a visitor would."""
    token = client.csrf_token("/")
    return client.post("/locale", data={"csrf_token": token, "locale": locale, "next": next_path})


def locale_cookie(client) -> str | None:  # type: ignore[no-untyped-def]
    cookie = client.get_cookie(LOCALE_COOKIE, domain=client.host)
    return cookie.value if cookie else None


@pytest.fixture
def saved_locale(app):  # type: ignore[no-untyped-def]
    """Read or set a user's saved locale in an app context of its own.

    Not the ``ctx`` fixture: requests made while it is active share its ``g``,
    where Flask-Babel keeps the locale of the first request.
    """

    def access(email: str, locale: str | None = None) -> str | None:
        with app.app_context():
            user = db.session.scalar(select(User).where(User.email == email))
            if locale is not None:
                user.locale = locale
                db.session.commit()
            return user.locale

    return access


@pytest.mark.parametrize(
    ("host", "locale", "sign_in"),
    [
        ("alpenhandel.localhost", "de", "Anmelden"),
        ("northwind.localhost", "en", "Sign in"),
        ("sakura.localhost", "ja", "ログイン"),
    ],
)
def test_tenant_default_language_without_any_preference(client_for, host, locale, sign_in):
    response = home(client_for(host))
    assert lang(response) == locale
    page = response.get_data(as_text=True)
    assert sign_in in page
    if locale != "en":
        assert ">Sign in<" not in page


def test_german_storefront_is_written_in_german(alpenhandel):
    page = home(alpenhandel).get_data(as_text=True)
    assert "Willkommen bei Alpenhandel GmbH" in page
    assert "ein autorisierter Distributor von Nimbus Software" in page
    login = alpenhandel.get("/login").get_data(as_text=True)
    # Form labels are lazy strings: they must follow the request's language.
    assert "Passwort" in login
    assert "Password" not in login


def test_browser_language_not_offered_by_the_tenant_is_ignored(alpenhandel):
    # Japanese ships with the product, but Alpenhandel does not offer it.
    assert lang(home(alpenhandel, "ja")) == "de"
    assert lang(home(alpenhandel, "ja-JP,ja;q=0.9")) == "de"


def test_browser_language_offered_by_the_tenant_is_used(alpenhandel):
    response = home(alpenhandel, "fr-FR,fr;q=0.9,de;q=0.5")
    assert lang(response) == "fr"
    assert "Se connecter" in response.get_data(as_text=True)


def test_browser_preferences_are_weighed_against_offered_languages(client_for):
    northwind = client_for("northwind.localhost")
    assert lang(home(northwind, "ja, es;q=0.8, en;q=0.5")) == "es"
    assert lang(home(northwind, "es-MX")) == "es"
    assert lang(home(northwind, "fr, de")) == "en"
    sakura = client_for("sakura.localhost")
    assert lang(home(sakura, "en-US,en;q=0.9")) == "en"


@pytest.mark.parametrize("header", ["*", "q=0.5", ";;;,,", "de;q=x", "x" * 300, "ÿ"])
def test_malformed_accept_language_falls_back_to_the_default(alpenhandel, header):
    assert lang(home(alpenhandel, header)) == "de"


def test_switcher_cookie_beats_the_browser_language(alpenhandel):
    response = choose(alpenhandel, "en")
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/")
    assert locale_cookie(alpenhandel) == "en"
    page = home(alpenhandel, "fr")
    assert lang(page) == "en"
    assert "Sign in" in page.get_data(as_text=True)


def test_switcher_returns_to_the_page_it_was_used_on(alpenhandel):
    response = choose(alpenhandel, "fr", "/login?next=%2Fcatalog")
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/login?next=%2Fcatalog")
    page = alpenhandel.get("/login?next=%2Fcatalog")
    assert lang(page) == "fr"
    assert "Mot de passe" in page.get_data(as_text=True)


@pytest.mark.parametrize("target", ["//evil.example/", "https://evil.example/", "/\\evil.example"])
def test_switcher_never_sends_the_visitor_off_site(alpenhandel, target):
    response = choose(alpenhandel, "en", target)
    assert response.status_code == 302
    assert "evil.example" not in response.headers["Location"]


@pytest.mark.parametrize("code", ["ja", "xx", "", "de-AT", "../en", "en\r\nSet-Cookie: a=b"])
def test_switcher_refuses_a_language_the_tenant_does_not_offer(alpenhandel, code):
    response = choose(alpenhandel, code)
    assert response.status_code in (302, 303, 400, 422)
    assert LOCALE_COOKIE + "=" not in response.headers.get("Set-Cookie", "")
    assert locale_cookie(alpenhandel) is None
    page = alpenhandel.get("/") if response.status_code in (302, 303) else response
    text = page.get_data(as_text=True)
    # Said in the visitor's language, and the page stays German.
    assert "Diese Sprache wird hier nicht angeboten." in text
    assert lang(alpenhandel.get("/")) == "de"


def test_switcher_needs_the_form_token(alpenhandel):
    response = alpenhandel.post("/locale", data={"locale": "en", "next": "/"})
    assert response.status_code == 400
    assert locale_cookie(alpenhandel) is None
    assert lang(home(alpenhandel)) == "de"


@pytest.mark.parametrize("value", ["ja", "klingon", "de" * 500, "en;fr", "%00", "\u00e9t\u00e9"])
def test_unusable_locale_cookie_is_ignored(alpenhandel, value):
    alpenhandel.set_cookie(LOCALE_COOKIE, value, domain="alpenhandel.localhost")
    assert lang(home(alpenhandel, "fr")) == "fr"
    assert lang(home(alpenhandel)) == "de"


def test_cookie_chosen_on_one_storefront_stays_there(client_for):
    response = choose(client_for("alpenhandel.localhost"), "fr")
    cookie = response.headers["Set-Cookie"]
    assert cookie.startswith(f"{LOCALE_COOKIE}=fr;")
    # Host-only: the choice made on Alpenhandel never reaches Sakura in the same browser.
    assert "domain=" not in cookie.lower()
    assert lang(home(client_for("sakura.localhost"))) == "ja"


def test_saved_choice_of_a_signed_in_user_beats_the_cookie(client_for, saved_locale):
    alpenhandel = client_for("alpenhandel.localhost")
    assert alpenhandel.login("buyer@bluebird.example").status_code == 302
    assert choose(alpenhandel, "fr").status_code == 302
    assert saved_locale("buyer@bluebird.example") == "fr"

    # Another choice made in the same browser later, e.g. before signing in again.
    alpenhandel.set_cookie(LOCALE_COOKIE, "en", domain="alpenhandel.localhost")
    response = alpenhandel.get("/account", headers={"Accept-Language": "de"})
    assert lang(response) == "fr"
    assert "Votre compte" in response.get_data(as_text=True)

    # A fresh browser: the saved choice follows the user once they sign in.
    other = client_for("alpenhandel.localhost")
    assert lang(home(other)) == "de"
    other.login("buyer@bluebird.example")
    assert lang(home(other)) == "fr"


def test_saved_choice_not_offered_on_a_storefront_is_passed_over(client_for, saved_locale):
    saved_locale("buyer@bluebird.example", "fr")
    northwind = client_for("northwind.localhost")  # offers English and Spanish only
    northwind.login("buyer@bluebird.example")
    assert lang(northwind.get("/account")) == "en"
    assert lang(northwind.get("/account", headers={"Accept-Language": "es"})) == "es"


def test_signing_out_keeps_the_switcher_choice(client_for):
    alpenhandel = client_for("alpenhandel.localhost")
    alpenhandel.login("buyer@bluebird.example")
    choose(alpenhandel, "en")
    token = alpenhandel.csrf_token("/account")
    response = alpenhandel.post("/logout", data={"csrf_token": token}, follow_redirects=True)
    assert lang(response) == "en"
    assert "You are signed out." in response.get_data(as_text=True)


def test_messages_from_python_code_are_translated(alpenhandel, sakura):
    wrong = alpenhandel.login("buyer@bluebird.example", "not-the-password")
    assert wrong.status_code == 401
    assert "Die E-Mail-Adresse oder das Passwort ist falsch." in wrong.get_data(as_text=True)
    missing = sakura.get("/no-such-page")
    assert missing.status_code == 404
    assert "ページが見つかりません" in missing.get_data(as_text=True)
    redirected = alpenhandel.get("/catalog", follow_redirects=True)
    assert "Bitte melden Sie sich an, um diese Seite zu sehen." in redirected.get_data(as_text=True)


def test_plural_forms_follow_the_language(client_for):
    sakura = client_for("sakura.localhost")
    sakura.login("buyer@kirin.example")
    page = sakura.get("/catalog?q=SHD-PERP").get_data(as_text=True)
    assert "1件の製品" in page
    alpenhandel = client_for("alpenhandel.localhost")
    alpenhandel.login("buyer@bluebird.example")
    german = alpenhandel.get("/catalog?q=SHD-PERP").get_data(as_text=True)
    assert "1 Produkt<" in german
    many = alpenhandel.get("/catalog?q=SHD").get_data(as_text=True)
    assert re.search(r"\b\d+ Produkte<", many)


@pytest.mark.parametrize(
    ("accept", "expected"),
    [
        ("*", "de"),
        ("fr;q=0.5, *;q=0.9", "de"),
        ("fr, en;q=0.8", "fr"),
        ("en, fr;q=0.8", "en"),
        ("", "de"),
    ],
)
def test_default_locale_wins_a_wildcard_whatever_the_listed_order(app, accept, expected):
    from types import SimpleNamespace

    from flask import g

    from channelfront.i18n.locale import select_locale

    tenant = SimpleNamespace(locales=["en", "fr", "de"], default_locale="de")
    with app.test_request_context(headers={"Accept-Language": accept}):
        g.tenant = tenant
        assert select_locale() == expected
