"""Partner applications: sent from ``/apply``, verified by e-mail, decided by the distributor.

An application reaches the distributor's staff only once its contact has followed the
link mailed to them. Approving it creates the company (or joins the company that already
has its tax id, once staff confirm it is the same one), enrolls it and invites the
contact as the company's admin; declining it mails the contact the reason. A decision
locks the application's row first, so two decisions at once make one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from channelfront import row_locks
from channelfront.accounts import links
from channelfront.accounts.account_mail import mail_kind, send_later
from channelfront.accounts.invitations import InvitationRefused, Invitee, clean_email, invite
from channelfront.accounts.models import Company, LinkPurpose, User, UserKind, tax_id_key
from channelfront.accounts.users import find_user
from channelfront.admin.inputs import InvalidInput
from channelfront.admin.partner_services import enroll
from channelfront.audit.service import record
from channelfront.extensions import db
from channelfront.partners.blueprint import PARTNER_ROLES
from channelfront.partners.models import ApplicationStatus, PartnerApplication
from channelfront.pricing.models import Enrollment, Program
from channelfront.tenancy.models import Tenant

VERIFY_MAIL = mail_kind("application_verify", _l("Confirm your partner application to %(site)s"))
RECEIVED_MAIL = mail_kind("application_received", _l("New partner application: %(company)s"))
DECLINED_MAIL = mail_kind("application_declined", _l("Your partner application to %(site)s"))
VERIFY_LIFETIME = timedelta(hours=48)
MAX_REASON = 2000
LETTERS_OR_DIGITS = re.compile(r"[0-9A-Za-z]")


class ApplicationConflict(Exception):
    """The application has already been decided (or is not open to a decision)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class ApplicationInput:
    """What the applicant typed, after the form checked its shape."""

    company_name: str
    address_line: str
    postal_code: str
    city: str
    country: str
    tax_id: str
    website: str
    contact_name: str
    contact_email: str
    program_id: int


def now() -> datetime:
    return datetime.now(UTC)


def web_address_problem(text: str) -> str | None:
    """Why ``text`` is not an http(s) address, or None when it is one."""
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https") or not parts.hostname or " " in text:
        return str(_("Enter a web address starting with http:// or https://."))
    return None


def _clean(data: ApplicationInput, tenant: Tenant) -> dict[str, str]:
    errors: dict[str, str] = {}
    program = db.session.get(Program, data.program_id)
    if program is None or program.tenant_id != tenant.id:
        errors["program"] = _("Choose a program from the list.")
    if tax_id_key(data.tax_id) is None or not LETTERS_OR_DIGITS.search(data.tax_id):
        errors["tax_id"] = _("Enter the company's tax id (letters and digits).")
    if data.website and (problem := web_address_problem(data.website)):
        errors["website"] = problem
    try:
        email = clean_email(data.contact_email, "contact_email")
    except InvitationRefused as refused:
        errors[refused.field] = refused.message
    else:
        if find_user(email) is not None:
            errors["contact_email"] = _(
                "This e-mail address already has an account. Sign in with it, or ask "
                "your company's admin; to apply, use the address of a new contact."
            )
    return errors


def submit(data: ApplicationInput, tenant: Tenant, locale: str) -> PartnerApplication:
    """Store an unverified application and queue the verification mail (caller commits).

    Raises InvalidInput naming each field at fault, adding nothing.
    """
    errors = _clean(data, tenant)
    if errors:
        raise InvalidInput(errors)
    moment = now()
    application = PartnerApplication(
        tenant_id=tenant.id,
        status=ApplicationStatus.UNVERIFIED.value,
        company_name=data.company_name,
        address_line=data.address_line,
        postal_code=data.postal_code,
        city=data.city,
        country=data.country,
        tax_id=data.tax_id.strip(),
        tax_id_key=tax_id_key(data.tax_id) or "",
        website=data.website or None,
        contact_name=data.contact_name,
        contact_email=data.contact_email.strip(),
        locale=locale,
        program_id=data.program_id,
        terms_accepted_at=moment,
        created_at=moment,
    )
    db.session.add(application)
    db.session.flush()
    issued = links.issue(
        LinkPurpose.APPLICATION_EMAIL,
        VERIFY_LIFETIME,
        application_id=application.id,
        tenant_id=tenant.id,
    )
    send_later(
        VERIFY_MAIL,
        application.contact_email,
        locale=locale,
        tenant_id=tenant.id,
        url=links.external_url(tenant.id, "apply.verify", token=issued.token),
        name=application.contact_name,
        company=application.company_name,
        hours=int(VERIFY_LIFETIME.total_seconds() // 3600),
    )
    return application


def verify(token: str, tenant: Tenant) -> PartnerApplication:
    """Use the e-mail link: the application becomes pending and the distributor's partner
    staff are mailed (caller commits). Raises LinkRefused for a bad, used or old link."""
    link = links.use(LinkPurpose.APPLICATION_EMAIL, token, tenant.id)
    application = db.session.get(PartnerApplication, link.application_id)
    if application is None:
        raise links.LinkRefused(links.LinkProblem.INVALID)
    if application.status == ApplicationStatus.UNVERIFIED:
        application.status = ApplicationStatus.PENDING.value
        application.email_verified_at = now()
        application.matched_company_id = matching_company_id(application)
        _tell_staff(application, tenant)
    return application


def _tell_staff(application: PartnerApplication, tenant: Tenant) -> None:
    staff = db.session.scalars(
        select(User).where(
            User.kind == UserKind.DISTRIBUTOR.value,
            User.tenant_id == tenant.id,
            User.role.in_(PARTNER_ROLES),
            User.active.is_(True),
            User.invitation_pending.is_(False),
        )
    )
    url = links.external_url(tenant.id, "partners.application", application_id=application.id)
    for member in staff:
        send_later(
            RECEIVED_MAIL,
            member.email,
            locale=member.locale,
            tenant_id=tenant.id,
            url=url,
            name=member.name,
            company=application.company_name,
            contact=application.contact_name,
        )


def matching_company_id(application: PartnerApplication) -> int | None:
    """The company that already has this application's tax id, if any."""
    if not application.tax_id_key:
        return None
    return db.session.scalar(select(Company.id).where(Company.tax_id_key == application.tax_id_key))


def enrolled_here(company_id: int, tenant: Tenant) -> bool:
    return (
        db.session.scalar(
            select(Enrollment.id).where(
                Enrollment.tenant_id == tenant.id, Enrollment.company_id == company_id
            )
        )
        is not None
    )


def _lock_open(application: PartnerApplication) -> None:
    """Hold the application's row until commit and read its status again under the lock."""
    row_locks.hold(PartnerApplication, application.id)
    db.session.refresh(application)
    if application.status == ApplicationStatus.APPROVED:
        raise ApplicationConflict(_("This application has already been approved."))
    if application.status == ApplicationStatus.DECLINED:
        raise ApplicationConflict(_("This application has already been declined."))
    if application.status != ApplicationStatus.PENDING:
        raise ApplicationConflict(_("This application's e-mail address is not verified yet."))


def _company_for(application: PartnerApplication, same_company: bool, tenant: Tenant) -> Company:
    matched_id = matching_company_id(application)
    if matched_id is None:
        return _new_company(application, tenant)
    matched = db.session.get_one(Company, matched_id)
    if enrolled_here(matched_id, tenant):
        raise InvalidInput(
            {
                "same_company": _(
                    "%(company)s, which has this tax id, is already enrolled here: "
                    "change its enrollment instead.",
                    company=matched.name,
                )
            }
        )
    if not same_company:
        raise InvalidInput(
            {
                "same_company": _(
                    "%(company)s already has this tax id. Confirm that the applicant is "
                    "this company to approve the application.",
                    company=matched.name,
                )
            }
        )
    return matched


def _new_company(application: PartnerApplication, tenant: Tenant) -> Company:
    company = Company(
        name=application.company_name,
        country=application.country,
        address_line=application.address_line,
        postal_code=application.postal_code,
        city=application.city,
        website=application.website,
    )
    company.set_tax_id(application.tax_id)
    db.session.add(company)
    db.session.flush()
    record(
        "company.created",
        company,
        label=company.name,
        after={"name": company.name, "country": company.country, "tax_id": company.tax_id},
        tenant_id=tenant.id,
        company_id=company.id,
    )
    return company


def approve(
    application: PartnerApplication,
    tenant: Tenant,
    staff: User,
    *,
    program: Program | None,
    credit_limit: str,
    same_company: bool,
) -> Enrollment:
    """Enroll the applicant's company and invite the contact as its admin (caller commits).

    Raises ApplicationConflict when the application is no longer pending, InvalidInput
    naming the field at fault otherwise; either way the caller rolls back.
    """
    _lock_open(application)
    if find_user(application.contact_email) is not None:
        raise InvalidInput(
            {
                "contact_email": _(
                    "%(email)s already has an account, so it cannot be invited as the "
                    "company's admin. Decline the application or ask the applicant to "
                    "apply with another address.",
                    email=application.contact_email,
                )
            }
        )
    company = _company_for(application, same_company, tenant)
    enrollment = enroll(company, tenant, program, credit_limit)  # records enrollment.created
    try:
        invite(
            Invitee(
                email=application.contact_email,
                name=application.contact_name,
                kind=UserKind.RESELLER,
                role="company_admin",
                link_tenant_id=tenant.id,
                company_id=company.id,
                locale=application.locale,
            ),
            staff,
        )
    except InvitationRefused as refused:
        raise InvalidInput({"contact_email": refused.message}) from refused
    _decide(application, ApplicationStatus.APPROVED, staff)
    application.company_id = company.id
    application.matched_company_id = matching_company_id(application)
    record(
        "application.approved",
        application,
        label=application.company_name,
        before={"status": ApplicationStatus.PENDING.value},
        after={"status": application.status, "company_id": company.id},
        tenant_id=tenant.id,
        company_id=company.id,
    )
    return enrollment


def clean_reason(reason: str) -> str:
    cleaned = (reason or "").strip()
    if not cleaned:
        raise InvalidInput({"reason": _("Give the applicant a reason.")})
    if len(cleaned) > MAX_REASON:
        raise InvalidInput({"reason": _("Use at most %(num)d characters.", num=MAX_REASON)})
    return cleaned


def decline(application: PartnerApplication, tenant: Tenant, staff: User, reason: str) -> None:
    """Decline with a reason mailed to the applicant (caller commits); raises
    ApplicationConflict or InvalidInput (``reason``)."""
    cleaned = clean_reason(reason)
    _lock_open(application)
    _decide(application, ApplicationStatus.DECLINED, staff)
    application.decline_reason = cleaned
    record(
        "application.declined",
        application,
        label=application.company_name,
        before={"status": ApplicationStatus.PENDING.value},
        after={"status": application.status, "reason": cleaned},
        tenant_id=tenant.id,
        company_id=application.matched_company_id,
    )
    send_later(
        DECLINED_MAIL,
        application.contact_email,
        locale=application.locale,
        tenant_id=tenant.id,
        name=application.contact_name,
        company=application.company_name,
        reason=cleaned,
    )


def _decide(application: PartnerApplication, status: ApplicationStatus, staff: User) -> None:
    application.status = status.value
    application.decided_by_id = staff.id
    application.decided_at = now()
