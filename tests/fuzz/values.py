"""Values a form field should survive: other scripts' digits, control characters, very
long and empty strings, several values for one field, numbers written oddly."""

from __future__ import annotations

from hypothesis import strategies as st

UNICODE_DIGITS = ["²", "①", "٣", "١٢", "߃", "๓", "１２", "𝟗", "Ⅻ", "½"]
CONTROL = ["\x00", "\n", "\r\n", "\t", "\x1b[31m", "\u202e", "\u200b", "\ufeff", "\x7f"]
ODD_NUMBERS = [
    "-1",
    "-0",
    "0",
    "1.5",
    "1e3",
    "0x10",
    "NaN",
    "Infinity",
    "1_000",
    "+1",
    " 1 ",
    "9" * 30,
    "9" * 5000,
    "2147483648",
    "-9223372036854775809",
]
PATHS = ["/%0A/x", "/\t/evil.example", "//evil.example", "/\\evil", "https://evil.example"]

special = st.sampled_from(
    ["", " ", *UNICODE_DIGITS, *CONTROL, *ODD_NUMBERS, *PATHS, "x" * 70_000, "é" * 300]
)
text = st.text(max_size=40)
one = st.one_of(special, text, st.builds(lambda a, b: a + b, text, special))


def hostile(original: list[str]) -> str:
    """The value most likely to break a field like this one: a path gets a newline after
    its first slash (a header injection), anything else a digit int() cannot read."""
    return "/\n/x" if original and original[0].startswith("/") else "²"


def field_values(original: list[str], choices: list[str]) -> st.SearchStrategy[list[str]]:
    """What one field sends: mostly its page value or a choice the page offers, or a
    hostile value; now and then any text, nothing, or several values."""
    known = [*original, *choices]
    kept = st.sampled_from(known).map(lambda v: [v]) if known else st.just([""])
    bad = special.map(lambda v: [v])
    several = st.lists(st.one_of(one, st.sampled_from(known or [""])), min_size=2, max_size=3)
    return st.one_of(kept, bad, kept, bad, kept, one.map(lambda v: [v]), several, st.just([]))
