"""The first vendor and its first administrator, made once.

Setup only ever adds rows: a vendor or an administrator that is already there is left
as it is, so running it again with the same input changes nothing. It refuses to make
a second vendor or a second "first" administrator.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from channelfront.accounts.invitations import InvitationRefused, clean_email, clean_name
from channelfront.accounts.models import User, UserKind
from channelfront.accounts.password_policy import password_problem
from channelfront.accounts.users import find_user, set_password
from channelfront.audit.service import record
from channelfront.extensions import db
from channelfront.tenancy.manifests import SLUG
from channelfront.tenancy.models import Vendor

ADMIN_ROLE = "vendor_admin"
MAX_VENDOR_NAME = 120


class SetupRefused(ValueError):
    """Setup cannot go on; ``field`` names the option at fault and nothing was written."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


@dataclass(frozen=True)
class SetupRequest:
    """What the operator asked for; the password may be None while it is not needed."""

    vendor_slug: str
    vendor_name: str
    admin_email: str
    admin_name: str
    password: str | None = None


@dataclass(frozen=True)
class SetupPlan:
    """The checked request and what is already there."""

    request: SetupRequest
    email: str
    admin_name: str
    vendor: Vendor | None
    admin: User | None

    @property
    def needs_password(self) -> bool:
        return self.admin is None


@dataclass(frozen=True)
class SetupResult:
    vendor: Vendor
    admin: User
    vendor_created: bool
    admin_created: bool


def _clean(request: SetupRequest) -> tuple[str, str]:
    if not SLUG.match(request.vendor_slug or ""):
        message = "use 2 to 40 lowercase letters, digits and dashes, starting with a letter"
        raise SetupRefused("vendor-slug", message)
    name = " ".join((request.vendor_name or "").split())
    if not name or len(name) > MAX_VENDOR_NAME or not name.isprintable():
        raise SetupRefused("vendor-name", f"enter a name of 1 to {MAX_VENDOR_NAME} characters")
    try:
        return clean_email(request.admin_email, "admin-email"), clean_name(
            request.admin_name, "admin-name"
        )
    except InvitationRefused as refusal:
        raise SetupRefused(refusal.field, refusal.message) from refusal


def plan(request: SetupRequest) -> SetupPlan:
    """Check the request against the database; raise SetupRefused, writing nothing."""
    email, admin_name = _clean(request)
    vendor = db.session.scalar(select(Vendor).where(Vendor.slug == request.vendor_slug))
    if vendor is None:
        other = db.session.scalar(select(Vendor).order_by(Vendor.id).limit(1))
        if other is not None:
            raise SetupRefused(
                "vendor-slug",
                f"this installation already has the vendor '{other.slug}' ({other.name}); "
                "setup makes the first vendor only",
            )
    admin = find_user(email)
    if admin is not None and (admin.kind != UserKind.VENDOR or admin.role != ADMIN_ROLE):
        raise SetupRefused(
            "admin-email", f"{email} already has an account ({admin.kind} {admin.role})"
        )
    if admin is None:
        first = db.session.scalar(
            select(User.email)
            .where(User.kind == UserKind.VENDOR.value, User.role == ADMIN_ROLE)
            .order_by(User.id)
            .limit(1)
        )
        if first is not None:
            raise SetupRefused(
                "admin-email",
                f"a vendor admin already exists ({first}); invite more administrators "
                "from the console or with `flask users invite-vendor-admin`",
            )
    return SetupPlan(request, email, admin_name, vendor, admin)


def apply(checked: SetupPlan, password: str | None) -> SetupResult:
    """Add what is missing (the caller commits); raise SetupRefused for a bad password."""
    vendor, admin = checked.vendor, checked.admin
    vendor_created = admin_created = False
    if admin is None and (problem := password_problem(password or "", checked.email)):
        raise SetupRefused("password", problem)
    if vendor is None:
        request = checked.request
        vendor = Vendor(slug=request.vendor_slug, name=" ".join(request.vendor_name.split()))
        db.session.add(vendor)
        vendor_created = True
    if admin is None:
        admin = User(
            email=checked.email,
            name=checked.admin_name,
            kind=UserKind.VENDOR.value,
            role=ADMIN_ROLE,
            active=True,
            invitation_pending=False,
        )
        set_password(admin, password or "")
        db.session.add(admin)
        admin_created = True
    db.session.flush()
    if vendor_created or admin_created:
        record(
            "vendor.set_up",
            vendor,
            label=vendor.name,
            after={
                "vendor": vendor.slug if vendor_created else None,
                "admin": admin.email if admin_created else None,
            },
        )
    return SetupResult(vendor, admin, vendor_created, admin_created)
