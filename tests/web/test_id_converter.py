"""Every ``<int:...>`` in a route is an id within the database's integer range: a larger
number matches no route (404 for every method), never a database error."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st
from werkzeug.exceptions import MethodNotAllowed, NotFound

from channelfront.web.converters import IdConverter, at_most
from channelfront.web.params import MAX_ID


@given(limit=st.integers(0, 10**12), number=st.integers(0, 10**13))
def test_the_pattern_takes_exactly_the_numbers_up_to_the_limit(limit: int, number: int) -> None:
    pattern = re.compile(at_most(limit) + r"\Z")
    assert bool(pattern.match(str(number))) == (number <= limit)
    assert not pattern.match("0" + str(number))


def test_no_route_takes_an_id_past_the_integer_range(app) -> None:
    adapter = app.url_map.bind("northwind.localhost")
    checked = 0
    for rule in app.url_map.iter_rules():
        converters = rule._converters.values()
        if not converters or not all(isinstance(c, IdConverter) for c in converters):
            continue
        path = rule.rule
        for name in rule.arguments:
            path = path.replace(f"<int:{name}>", str(MAX_ID + 1))
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            with pytest.raises(NotFound) as raised:
                adapter.match(path, method=method)
            assert not isinstance(raised.value, MethodNotAllowed), (path, method)
            checked += 1
        within = path.replace(str(MAX_ID + 1), str(MAX_ID))
        assert adapter.match(within, method=sorted(rule.methods - {"HEAD", "OPTIONS"})[0])
    assert checked > 50
