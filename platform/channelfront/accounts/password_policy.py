"""What a new password must be: 10 to 200 characters, not a common password, not the
e-mail address. The common passwords are zxcvbn's list of the 30,000 most frequent."""

from __future__ import annotations

from functools import cache

from flask_babel import gettext as _

MIN_PASSWORD_LENGTH = 10
# The sign-in form accepts no more than this.
MAX_PASSWORD_LENGTH = 200


@cache
def _common_passwords() -> frozenset[str]:
    from zxcvbn.frequency_lists import FREQUENCY_LISTS

    return frozenset(FREQUENCY_LISTS["passwords"])


def is_common(password: str) -> bool:
    return password.lower() in _common_passwords()


def password_problem(password: str, email: str = "") -> str | None:
    """What is wrong with a new password, in the current language; None when it is fine."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return _("The password must have at least %(count)d characters.", count=MIN_PASSWORD_LENGTH)
    if len(password) > MAX_PASSWORD_LENGTH:
        return _("The password must have at most %(count)d characters.", count=MAX_PASSWORD_LENGTH)
    if is_common(password) or len(set(password)) < 3:
        return _("This password is too common. Choose one that is hard to guess.")
    if email and password.strip().lower() in {email.lower(), email.lower().split("@")[0]}:
        return _("The password must not be your e-mail address.")
    return None
