"""The message catalogs: current with the sources, complete and compilable in every locale.

When a test here fails after you added or changed a UI string, run
``make update-catalogs``, translate the new entries in every
``translations/<locale>/LC_MESSAGES/messages.po`` and run ``make compile-catalogs``.
"""

from __future__ import annotations

import gettext
import re
from io import BytesIO
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog, Message
from babel.messages.frontend import CommandLineInterface
from babel.messages.mofile import write_mo
from babel.messages.plurals import get_plural
from babel.messages.pofile import read_po

from channelfront.i18n.locale import SHIPPED_LOCALES

ROOT = Path(__file__).resolve().parents[2]
TRANSLATIONS = ROOT / "translations"
TEMPLATE = TRANSLATIONS / "messages.pot"

# Non-English translations rightly spelled as in English ("*": in every language).
# Anything else identical to its msgid is an English string copied in, not translated.
# Strings without words ("%(field)s: %(error)s") need no entry.
# Reviewed per locale: words a translator rightly keeps as in English, so the test never
# forces an unnatural word (a msgid listed here may still be translated differently).
SAME_AS_ENGLISH = {
    "*": {"SKU", "CSV", "API", "URL", "PO", "MDF", "SPIFF", "OK"},
    "de": {
        "Name",
        "Status",
        "Token",
        "SKU: %(name)s",
        "Person",
        "Website",
        "Deal",
        "Deals",
        "Webhook",
        "Webhooks",
        "Optional",
        "CRM",
        "Support",
        "Team",
        "Partner",
        "Details",
        "Login",
        "Format",
        "Name (%(locale)s)",
        "Editor",
    },
    "fr": {
        "Pages",
        "Service",
        "Total",
        "Description",
        "Transactions",
        "Notes",
        "Options",
        "Date",
        "Type",
        "Contact",
        "Webhooks",
        "Code",
        "Message",
        "Actions",
        "Description (%(locale)s)",
        "commission",
        "Menu",
    },
    "es": {
        "Error",
        "Error %(status)s",
        "Token",
        "SKU: %(name)s",
        "No",
        "Total",
        "Webhooks",
        "Editor",
        "Marginal",
    },
    "ja": set(),
}

# A printf conversion as Python's % operator reads it (Flask-Babel formats every
# template string with %, so a stray % in a translation breaks the page).
PLACEHOLDER = re.compile(r"%(?:\((\w+)\))?[-#0 +]*(?:\*|\d+)?(?:\.(?:\*|\d+))?[diouxXeEfFgGcrs%]")

Key = tuple[str | tuple[str, ...], str | None]


def po_path(locale: str) -> Path:
    return TRANSLATIONS / locale / "LC_MESSAGES" / "messages.po"


def read_catalog(path: Path, locale: str | None = None) -> Catalog:
    with path.open("rb") as handle:
        return read_po(handle, locale=locale)


def entries(catalog: Catalog) -> list[Message]:
    return [message for message in catalog if message.id]


def keys(catalog: Catalog) -> set[Key]:
    """Each message's identity: its msgid (with the plural msgid) and its context."""
    return {
        (tuple(m.id) if isinstance(m.id, (list, tuple)) else m.id, m.context)
        for m in entries(catalog)
    }


def strings(message: Message) -> list[str]:
    return list(message.string) if message.pluralizable else [message.string]


def label(message: Message) -> str:
    return message.id[0] if message.pluralizable else message.id


def placeholders(text: str) -> set[str]:
    return {match.group(0) for match in PLACEHOLDER.finditer(text)}


def has_words(text: str) -> bool:
    return any(char.isalpha() for char in PLACEHOLDER.sub("", text))


def stray_percent(text: str) -> bool:
    return "%" in PLACEHOLDER.sub("", text)


@pytest.fixture(scope="module")
def sources(tmp_path_factory: pytest.TempPathFactory) -> Catalog:
    """The strings in the code and templates now, extracted as `make extract-messages` does."""
    out = tmp_path_factory.mktemp("extract") / "messages.pot"
    CommandLineInterface().run(
        [
            "pybabel",
            "--quiet",
            "extract",
            "-F",
            str(ROOT / "babel.cfg"),
            "-k",
            "_l",
            "-k",
            "lazy_gettext",
            "--no-location",
            "--sort-output",
            "-o",
            str(out),
            str(ROOT),
        ]
    )
    return read_catalog(out)


@pytest.fixture(scope="module")
def template() -> Catalog:
    return read_catalog(TEMPLATE)


def describe(missing: set[Key], extra: set[Key]) -> str:
    lines = [f"  missing: {key[0]!r}" for key in sorted(missing, key=repr)]
    lines += [f"  no longer in the sources: {key[0]!r}" for key in sorted(extra, key=repr)]
    return "\n".join(lines)


def test_sources_have_strings_to_translate(sources: Catalog) -> None:
    # Guards the extraction itself: a broken babel.cfg would find nothing and
    # make every comparison below pass vacuously.
    found = {key[0] for key in keys(sources)}
    assert {"Sign in", "Catalog", ("%(num)d product", "%(num)d products")} <= found
    # Python sources, including lazy strings, are extracted too.
    assert {"Enter your password.", "The e-mail address or password is wrong."} <= found


def test_template_is_current_with_the_sources(sources: Catalog, template: Catalog) -> None:
    have, want = keys(template), keys(sources)
    assert have == want, (
        "translations/messages.pot is out of date; run `make update-catalogs` and "
        "translate the new entries:\n" + describe(want - have, have - want)
    )


@pytest.mark.parametrize("locale", SHIPPED_LOCALES)
def test_every_shipped_locale_has_a_catalog(locale: str) -> None:
    path = po_path(locale)
    assert path.is_file(), (
        f"{locale} is shipped but has no catalog: run "
        f"`pybabel init -i translations/messages.pot -d translations -l {locale}`"
    )
    catalog = read_catalog(path)
    assert str(catalog.locale) == locale
    # The header's plural rule must be the language's (Japanese has a single form).
    assert catalog.plural_forms == get_plural(locale).plural_forms


@pytest.mark.parametrize("locale", SHIPPED_LOCALES)
def test_catalog_has_every_string_of_the_sources(locale: str, sources: Catalog) -> None:
    have, want = keys(read_catalog(po_path(locale))), keys(sources)
    assert have == want, (
        f"translations/{locale} does not match the sources; run `make update-catalogs` "
        "and translate the new entries:\n" + describe(want - have, have - want)
    )


@pytest.mark.parametrize("locale", SHIPPED_LOCALES)
def test_every_entry_is_translated_and_not_fuzzy(locale: str) -> None:
    catalog = read_catalog(po_path(locale), locale)
    # pybabel compile skips a catalog whose header is fuzzy: every string would show in English.
    assert not catalog.fuzzy, f"the header of translations/{locale} is marked fuzzy"
    fuzzy = [label(m) for m in entries(catalog) if m.fuzzy]
    assert not fuzzy, f"fuzzy entries in {locale}: {fuzzy}"
    empty = [label(m) for m in entries(catalog) if not all(s.strip() for s in strings(m))]
    assert not empty, f"untranslated entries in {locale}: {empty}"
    plural_sizes = {label(m): len(m.string) for m in entries(catalog) if m.pluralizable}
    wrong = {k: n for k, n in plural_sizes.items() if n != catalog.num_plurals}
    assert not wrong, f"{locale} needs {catalog.num_plurals} plural forms: {wrong}"
    assert not catalog.obsolete, f"obsolete entries left in {locale}: {list(catalog.obsolete)}"


def test_english_catalog_repeats_the_source_strings() -> None:
    catalog = read_catalog(po_path("en"), "en")
    differ = [
        label(m)
        for m in entries(catalog)
        if strings(m) != (list(m.id) if m.pluralizable else [m.id])
    ]
    assert not differ, f"en msgstr must equal msgid: {differ}"


@pytest.mark.parametrize("locale", [code for code in SHIPPED_LOCALES if code != "en"])
def test_translations_are_not_left_in_english(locale: str) -> None:
    allowed = SAME_AS_ENGLISH["*"] | SAME_AS_ENGLISH.get(locale, set())
    english = [
        label(m)
        for m in entries(read_catalog(po_path(locale), locale))
        if any(s in (m.id if m.pluralizable else [m.id]) for s in strings(m))
        and label(m) not in allowed
        and has_words(label(m))
    ]
    assert not english, (
        f"{locale} entries identical to English (translate them, or add a word that is "
        f"rightly the same to SAME_AS_ENGLISH): {english}"
    )


@pytest.mark.parametrize("locale", SHIPPED_LOCALES)
def test_placeholders_match_the_source(locale: str) -> None:
    problems = []
    for message in entries(read_catalog(po_path(locale), locale)):
        ids = list(message.id) if message.pluralizable else [message.id]
        wanted = placeholders(ids[-1])
        allowed = set().union(*(placeholders(i) for i in ids))
        forms = strings(message)
        for index, text in enumerate(forms):
            got = placeholders(text)
            # A plural form other than the last may drop the count ("one product"),
            # never add a placeholder; the last (general) form keeps all of them.
            ok = got <= allowed if index < len(forms) - 1 else got == wanted
            # Flask-Babel formats template strings with %, so a lone % breaks the
            # page, unless the English has one too (then the string is not formatted).
            if not ok or (stray_percent(text) and not stray_percent(ids[-1])):
                problems.append(f"{label(message)!r} -> {text!r}")
    assert not problems, f"placeholders differ in {locale}:\n  " + "\n  ".join(problems)


def looked_up(translations: gettext.NullTranslations, message: Message, n: int) -> str:
    """What the app shows for a message (for plurals, with count ``n``)."""
    if message.pluralizable:
        singular, plural = message.id[:2]
        if message.context:
            return translations.npgettext(message.context, singular, plural, n)
        return translations.ngettext(singular, plural, n)
    if message.context:
        return translations.pgettext(message.context, message.id)
    return translations.gettext(message.id)


def expected(catalog: Catalog, message: Message, n: int) -> str:
    if message.pluralizable:
        return message.string[gettext.c2py(catalog.plural_expr)(n)]
    return message.string


@pytest.mark.parametrize("locale", SHIPPED_LOCALES)
def test_catalog_compiles_and_reads_back(locale: str) -> None:
    catalog = read_catalog(po_path(locale), locale)
    errors = [(label(m), errs) for m, errs in catalog.check() if errs]
    assert not errors, f"{locale}: {errors}"
    compiled = BytesIO()
    write_mo(compiled, catalog)
    compiled.seek(0)
    translations = gettext.GNUTranslations(compiled)
    for message in entries(catalog):
        for n in (1, 2, 5):
            assert looked_up(translations, message, n) == expected(catalog, message, n)


@pytest.mark.parametrize("locale", SHIPPED_LOCALES)
def test_compiled_catalog_is_current(locale: str) -> None:
    """The app reads the .mo files; a missing or stale one shows old or English text."""
    catalog = read_catalog(po_path(locale), locale)
    mo = po_path(locale).with_suffix(".mo")
    hint = "run `make compile-catalogs` (the .mo files are build output, not in git)"
    assert mo.is_file(), f"no {mo.relative_to(ROOT)}: {hint}"
    with mo.open("rb") as handle:
        translations = gettext.GNUTranslations(handle)
    stale = [
        label(m)
        for m in entries(catalog)
        if any(looked_up(translations, m, n) != expected(catalog, m, n) for n in (1, 5))
    ]
    assert not stale, f"{mo.relative_to(ROOT)} is stale ({stale[:5]}): {hint}"
