from tests.mail_fixtures import inbox, smtp_server  # noqa: F401
