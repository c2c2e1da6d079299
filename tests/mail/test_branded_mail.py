"""Every mail is text plus HTML in the storefront's theme, from the storefront's sender."""

from __future__ import annotations

from email.message import EmailMessage

import pytest
from flask import Flask
from flask_babel import force_locale

from channelfront.mail.services import send

LINK = "https://northwind.localhost/orders/NW-000123"
BODY = f"Hello Ada,\n\nYour order is on its way.\nSee it here: {LINK}.\n\n<b>Thanks</b> & bye"


def parts(mail: EmailMessage) -> tuple[str, str]:
    assert mail.get_content_type() == "multipart/alternative"
    text = mail.get_body(preferencelist=("plain",))
    html = mail.get_body(preferencelist=("html",))
    assert text is not None
    assert html is not None
    return text.get_content().replace("\r\n", "\n"), html.get_content()


def test_a_mail_is_text_and_html_in_the_tenants_layout(
    app: Flask, inbox, tenant_named, scoped
) -> None:
    northwind = tenant_named("northwind")
    scoped(northwind)
    send(["ada@example.com"], "Order shipped", BODY)
    [mail] = inbox.to("ada@example.com")
    text, html = parts(mail)
    assert text.strip() == BODY
    assert northwind.name in html
    assert f'<a href="{LINK}"' in html
    assert 'style="' in html  # the theme's CSS is inlined
    assert "<style>" not in html
    assert html.count("<p") >= 3  # blank lines make paragraphs
    assert "&lt;b&gt;Thanks&lt;/b&gt; &amp; bye" in html  # the text is escaped, never markup
    assert "<b>Thanks</b>" not in html


def test_sender_and_reply_to_are_the_tenants(app: Flask, inbox, tenant_named, scoped) -> None:
    northwind = tenant_named("northwind")
    northwind.mail_sender = "orders@northwind.example"
    northwind.support_email = "help@northwind.example"
    scoped(northwind)
    send(["ada@example.com"], "Hi", "Hello")
    [mail] = inbox.messages
    assert mail["From"].addresses[0].addr_spec == "orders@northwind.example"
    assert mail["From"].addresses[0].display_name == northwind.name
    assert mail["Reply-To"] == "help@northwind.example"


def test_without_tenant_addresses_the_deployment_defaults_apply(
    app: Flask, inbox, tenant_named, scoped
) -> None:
    alpen = tenant_named("alpenhandel")
    alpen.mail_sender = None
    alpen.support_email = None
    scoped(alpen)
    saved = app.config["MAIL_REPLY_TO"]
    try:
        send(["a@example.com"], "Hi", "Hello")
        app.config["MAIL_REPLY_TO"] = "support@channelfront.localhost"
        send(["b@example.com"], "Hi", "Hello")
    finally:
        app.config["MAIL_REPLY_TO"] = saved
    [first] = inbox.to("a@example.com")
    [second] = inbox.to("b@example.com")
    assert first["From"].addresses[0].addr_spec == "no-reply@channelfront.localhost"
    assert first["From"].addresses[0].display_name == alpen.name
    assert first["Reply-To"] is None
    assert second["Reply-To"] == "support@channelfront.localhost"


def test_console_mail_without_tenant_keeps_the_deployment_sender(
    app: Flask, inbox, ctx, scoped
) -> None:
    scoped(None)
    send(["vendor@example.com"], "Hi", "Hello")
    [mail] = inbox.messages
    assert mail["From"] == app.config["MAIL_SENDER"]
    _, html = parts(mail)
    assert "Channelfront" in html


def test_a_japanese_mail_on_sakura_renders_and_decodes(
    app: Flask, inbox, tenant_named, scoped
) -> None:
    sakura = tenant_named("sakura")
    scoped(sakura)
    body = "山田様\n\nご注文ありがとうございます。"
    with app.test_request_context(), force_locale("ja"):
        send(["yamada@example.jp"], "ご注文の確認", body)
    [mail] = inbox.messages
    assert mail["Subject"] == "ご注文の確認"
    text, html = parts(mail)
    assert "ご注文ありがとうございます。" in text
    assert "ご注文ありがとうございます。" in html
    assert 'lang="ja"' in html
    assert sakura.name in html
    assert "#b03060" in html.lower()  # sakura's primary colour


def test_end_customer_mail_names_the_reseller_via_the_distributor(
    app: Flask, inbox, tenant_named, scoped
) -> None:
    northwind = tenant_named("northwind")
    scoped(northwind)
    send(["it@acme.example"], "Your licenses", "Keys below.", reseller="Bluebird IT")
    [mail] = inbox.messages
    assert mail["From"].addresses[0].display_name == f"Bluebird IT via {northwind.name}"
    _, html = parts(mail)
    assert f"Bluebird IT via {northwind.name}" in html


@pytest.mark.parametrize("backend", ["console"])
def test_the_console_backend_prints_one_readable_block(
    app: Flask, capsys, tenant_named, scoped, backend: str
) -> None:
    sakura = tenant_named("sakura")
    sakura.support_email = "help@sakura.example"
    scoped(sakura)
    saved = app.config["MAIL_BACKEND"]
    app.config["MAIL_BACKEND"] = backend
    try:
        send(["yamada@example.jp"], "ご注文の確認", "山田様\n\nライセンスキーをお送りします。")
    finally:
        app.config["MAIL_BACKEND"] = saved
    out = capsys.readouterr().out
    assert out.count("From: ") == 1
    assert f"From: {sakura.name} <" in out
    assert "Reply-To: help@sakura.example" in out
    assert "To: yamada@example.jp" in out
    assert "Subject: ご注文の確認" in out
    assert "\n\n山田様\n\nライセンスキーをお送りします。" in out
    assert "=?utf-8?" not in out
    assert "<html" not in out
