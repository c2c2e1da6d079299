"""Two-factor sign-in: enrolling an authenticator app, checking its codes, one-time
recovery codes, and the vendor's rule that staff must use a second factor.

The secret is kept on the user while enrolling (so a reloaded page shows the same QR
code) and counts only once a code confirms it. Recovery codes are kept as SHA-256
digests; using one marks it in a single conditional UPDATE, so it works once even when
sent twice in parallel.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import UTC, datetime

import segno
from flask_babel import gettext as _
from sqlalchemy import delete, select, update

from channelfront.accounts import totp
from channelfront.accounts.models import RecoveryCode, User, UserKind
from channelfront.accounts.passwords import verify_password
from channelfront.audit.service import record
from channelfront.extensions import db
from channelfront.tenancy.middleware import current_tenant
from channelfront.tenancy.models import Tenant, Vendor

RECOVERY_CODE_COUNT = 10
_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i to mix up
STAFF_KINDS = (UserKind.VENDOR.value, UserKind.DISTRIBUTOR.value)


class TwoFactorRefused(ValueError):
    """A code or password is wrong; ``field`` names the input at fault."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


def _digest(code: str) -> str:
    return hashlib.sha256(normalize_recovery_code(code).encode()).hexdigest()


def normalize_recovery_code(code: str) -> str:
    return "".join(ch for ch in code.lower() if ch.isalnum())


def _audit(action: str, user: User) -> None:
    tenant = current_tenant()
    record(
        action,
        user,
        label=user.email,
        tenant_id=user.tenant_id or (tenant.id if tenant else None),
        company_id=user.company_id,
        actor=user,
    )


def enrolment_secret(user: User) -> str:
    """The secret being enrolled, made on first use (the caller commits)."""
    if user.two_factor_enabled:
        raise TwoFactorRefused("code", _("Two-factor sign-in is already on."))
    if not user.totp_secret:
        user.totp_secret = totp.new_secret()
    return user.totp_secret


def issuer() -> str:
    """The name authenticator apps show for this site."""
    tenant = current_tenant()
    if tenant is not None:
        return tenant.name
    return db.session.scalar(select(Vendor.name).order_by(Vendor.id).limit(1)) or "Channelfront"


def qr_code(uri: str) -> str:
    """A QR code of the URI as an SVG data URI (allowed by the CSP's ``img-src data:``)."""
    return str(segno.make(uri, error="m").svg_data_uri(scale=5, border=2))


def new_recovery_codes(user: User) -> list[str]:
    """Replace the user's recovery codes with fresh ones; return them (shown once)."""
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    codes = []
    for _n in range(RECOVERY_CODE_COUNT):
        raw = "".join(secrets.choice(_ALPHABET) for _i in range(10))
        codes.append(f"{raw[:5]}-{raw[5:]}")
        db.session.add(RecoveryCode(user_id=user.id, code_hash=_digest(raw)))
    return codes


def confirm(user: User, code: str) -> list[str]:
    """Turn two-factor sign-in on once a code from the app matches; return the recovery
    codes. The caller commits; raises TwoFactorRefused with nothing changed."""
    if user.two_factor_enabled:
        raise TwoFactorRefused("code", _("Two-factor sign-in is already on."))
    if not user.totp_secret or not totp.verify(user.totp_secret, code):
        raise TwoFactorRefused(
            "code", _("This code does not match. Enter the 6 digits your app shows now.")
        )
    user.totp_enabled_at = datetime.now(UTC)
    codes = new_recovery_codes(user)
    _audit("user.two_factor_enabled", user)
    return codes


def use_recovery_code(user: User, code: str) -> bool:
    """Use one of the user's recovery codes, once (the caller commits)."""
    if not normalize_recovery_code(code):
        return False
    marked = db.session.execute(
        update(RecoveryCode)
        .where(
            RecoveryCode.user_id == user.id,
            RecoveryCode.code_hash == _digest(code),
            RecoveryCode.used_at.is_(None),
        )
        .values(used_at=datetime.now(UTC))
        .execution_options(synchronize_session=False)
    )
    return int(marked.rowcount) == 1  # type: ignore[attr-defined]


def check_code(user: User, code: str) -> bool:
    """Whether the code is the app's current code or an unused recovery code (which is
    then used up; the caller commits)."""
    if not user.two_factor_enabled or not user.totp_secret:
        return False
    typed = code.strip()[:40]
    if totp.verify(user.totp_secret, typed):
        return True
    return use_recovery_code(user, typed)


def unused_recovery_codes(user: User) -> int:
    rows = db.session.scalars(
        select(RecoveryCode.id).where(
            RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None)
        )
    )
    return len(list(rows))


def disable(user: User, password: str, code: str) -> None:
    """Turn two-factor sign-in off; needs the password and a code. The caller commits;
    raises TwoFactorRefused with nothing changed."""
    if not verify_password(user.password_hash, password):
        raise TwoFactorRefused("password", _("The password is wrong."))
    if not check_code(user, code):
        raise TwoFactorRefused("code", _("This code does not match."))
    user.totp_secret = None
    user.totp_enabled_at = None
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    _audit("user.two_factor_disabled", user)


def regenerate(user: User, code: str) -> list[str]:
    """New recovery codes (the old stop working); needs a code. The caller commits."""
    if not check_code(user, code):
        raise TwoFactorRefused("code", _("This code does not match."))
    codes = new_recovery_codes(user)
    _audit("user.recovery_codes_regenerated", user)
    return codes


def _vendor_for(user: User) -> Vendor | None:
    if user.kind == UserKind.DISTRIBUTOR.value and user.tenant_id is not None:
        tenant = db.session.get(Tenant, user.tenant_id)
        return tenant.vendor if tenant else None
    return db.session.scalar(select(Vendor).order_by(Vendor.id).limit(1))


def must_enrol(user: User) -> bool:
    """Staff whose vendor requires a second factor, and who have none yet."""
    if user.kind not in STAFF_KINDS or user.two_factor_enabled:
        return False
    vendor = _vendor_for(user)
    return bool(vendor and vendor.require_staff_two_factor)
