"""What a signed-in user can reach: the pages linked from the start pages, the forms on
them and the query parameters their links and GET forms use.

Nothing is listed by hand: a new page, form or filter is found the way a user finds it,
by following links from the pages the app's routes serve.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import parse_qsl, urljoin, urlsplit

from flask import Flask
from werkzeug.exceptions import HTTPException
from werkzeug.routing import MapAdapter

from tests.conftest import HostClient

# Not pages: downloads, JSON, static files, the API (fuzzed by schemathesis).
SKIPPED_PREFIXES = ("/api/", "/theme/", "/brand/", "/healthz", "/webhooks/")
SKIPPED_SUFFIXES = (".csv", ".json")


@dataclass
class Form:
    """One <form>: where it goes, how, and the fields it sends with their page values."""

    method: str
    action: str
    fields: dict[str, list[str]] = field(default_factory=dict)
    choices: dict[str, list[str]] = field(default_factory=dict)
    found_on: str = ""

    def key(self, endpoint: str) -> tuple[str, str, tuple[str, ...]]:
        return (self.method, endpoint, tuple(sorted(self.fields)))


class _FormParser(HTMLParser):
    def __init__(self, page: str) -> None:
        super().__init__(convert_charrefs=True)
        self.page = page
        self.forms: list[Form] = []
        self.links: list[str] = []
        self._form: Form | None = None
        self._select: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        if tag == "a" and values.get("href"):
            self.links.append(urljoin(self.page, values["href"]))
        elif tag == "form":
            method = values.get("method", "get").upper()
            action = urljoin(self.page, values.get("action") or self.page)
            self._form = Form(method, action, found_on=self.page)
            self.forms.append(self._form)
        elif tag == "option" and self._form is not None and self._select:
            # Options carry no name: they belong to the open <select>.
            self._form.choices.setdefault(self._select, []).append(values.get("value", ""))
            if "selected" in values:
                self._form.fields[self._select].append(values.get("value", ""))
        elif self._form is not None and values.get("name"):
            self._field(tag, values)

    def _field(self, tag: str, values: dict[str, str]) -> None:
        assert self._form is not None
        name = values["name"]
        if tag == "input":
            kind = values.get("type", "text")
            if kind in ("checkbox", "radio"):
                self._form.choices.setdefault(name, []).append(values.get("value", "on"))
                if "checked" in values:
                    self._form.fields.setdefault(name, []).append(values.get("value", "on"))
                else:
                    self._form.fields.setdefault(name, [])
            # A file's bytes are fuzzed on their own (tests/fuzz/test_logo_upload.py).
            elif kind not in ("submit", "button", "image", "reset", "file"):
                self._form.fields.setdefault(name, []).append(values.get("value", ""))
        elif tag == "select":
            self._select = name
            self._form.fields.setdefault(name, [])
        elif tag == "textarea":
            self._textarea = name
            self._form.fields.setdefault(name, [""])
        elif tag == "button" and values.get("type", "submit") == "submit":
            self._form.choices.setdefault(name, []).append(values.get("value", ""))
            self._form.fields.setdefault(name, [])

    def handle_data(self, data: str) -> None:
        if self._form is not None and self._textarea:
            self._form.fields[self._textarea] = [data]

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._form = None
        elif tag == "select":
            if self._form is not None and self._select and not self._form.fields[self._select]:
                options = self._form.choices.get(self._select, [])
                self._form.fields[self._select] = options[:1]
            self._select = None
        elif tag == "textarea":
            self._textarea = None


def forms_on(url: str, html: str) -> list[Form]:
    """The forms of one page."""
    parser = _FormParser(url)
    parser.feed(html)
    return parser.forms


@dataclass
class Site:
    """What one user reached: forms by endpoint and GET query parameters by endpoint."""

    forms: dict[tuple[str, str, tuple[str, ...]], Form] = field(default_factory=dict)
    queries: dict[tuple[str, str, tuple[str, ...]], Form] = field(default_factory=dict)
    pages: set[str] = field(default_factory=set)


def endpoint_of(adapter: MapAdapter, url: str, method: str) -> str | None:
    try:
        endpoint, _args = adapter.match(urlsplit(url).path, method=method)
    except HTTPException:
        return None
    return str(endpoint)


def start_paths(app: Flask) -> list[str]:
    """Every GET route without arguments: the pages a user can open by address."""
    return sorted(
        rule.rule
        for rule in app.url_map.iter_rules()
        if "GET" in (rule.methods or ())
        and not rule.arguments
        and not rule.rule.startswith(SKIPPED_PREFIXES)
        and not rule.rule.endswith(SKIPPED_SUFFIXES)
    )


def crawl(app: Flask, client: HostClient, extra: list[str] = (), limit: int = 80) -> Site:  # type: ignore[assignment]
    """Follow same-host links breadth first from ``extra`` and the start pages. Each of
    ``extra`` is opened even past a route's few instances (each wizard step has its form)."""
    base = f"http://{client.host}"
    adapter = app.url_map.bind(client.host)
    site = Site()
    asked = {urljoin(base, path) for path in extra}
    queue = deque(urljoin(base, path) for path in [*extra, *start_paths(app)])
    seen_routes: dict[tuple[str, tuple[str, ...]], int] = {}
    while queue and len(site.pages) < limit:
        url = queue.popleft()
        parts = urlsplit(url)
        if parts.netloc != client.host or url in site.pages:
            continue
        if parts.path.startswith(SKIPPED_PREFIXES) or parts.path.endswith(SKIPPED_SUFFIXES):
            continue
        endpoint = endpoint_of(adapter, url, "GET")
        if endpoint is None:
            continue
        params = tuple(sorted({name for name, _v in parse_qsl(parts.query)}))
        # A few instances of each route are enough: its forms repeat per row.
        if seen_routes.get((endpoint, params), 0) >= 3 and url not in asked:
            continue
        seen_routes[(endpoint, params)] = seen_routes.get((endpoint, params), 0) + 1
        site.pages.add(url)
        response = client.get(url, buffered=True)
        if params:
            query = Form("GET", url.split("?")[0], found_on=url)
            query.fields = {name: [v] for name, v in parse_qsl(parts.query)}
            site.queries.setdefault(query.key(endpoint), query)
        if response.status_code != 200 or "html" not in (response.content_type or ""):
            continue
        parser = _FormParser(url)
        parser.feed(response.get_data(as_text=True))
        for form in parser.forms:
            target = endpoint_of(adapter, form.action, form.method)
            if target is None:
                continue
            found = site.forms if form.method == "POST" else site.queries
            found.setdefault(form.key(target), form)
        queue.extend(parser.links)
    return site
