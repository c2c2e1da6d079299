"""Audit actions, subjects and changed fields in the reader's language."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

ACTION_LABELS = {
    "application.approved": _l("Partner application approved"),
    "application.declined": _l("Partner application declined"),
    "company.created": _l("Company created"),
    "company.profile_changed": _l("Company profile changed"),
    "customer.archived": _l("Customer archived"),
    "customer.created": _l("Customer created"),
    "customer.imported": _l("Customer list imported"),
    "customer.merged": _l("Customers merged"),
    "customer.unarchived": _l("Customer restored from the archive"),
    "customer.updated": _l("Customer changed"),
    "deal.approved": _l("Deal approved"),
    "deal.declined": _l("Deal declined"),
    "deal.expired": _l("Deal expired"),
    "deal.registered": _l("Deal registered"),
    "deal.reopened": _l("Deal open again (its order did not stand)"),
    "deal.withdrawn": _l("Deal withdrawn"),
    "deal.won": _l("Deal won (ordered)"),
    "enrollment.created": _l("Company enrolled"),
    "enrollment.program_changed": _l("Program tier changed"),
    "enrollment.credit_limit_changed": _l("Credit limit changed"),
    "enrollment.removed": _l("Enrollment ended"),
    "incentive_program.created": _l("Incentive program created"),
    "incentive_program.draft_saved": _l("Incentive program draft saved"),
    "incentive_program.published": _l("Incentive program published"),
    "invoice.marked_paid": _l("Invoice marked paid"),
    "order.refunded": _l("Order refunded"),
    "product.texts_changed": _l("Product texts changed"),
    "program.settings_changed": _l("Program settings changed"),
    "program_rule.added": _l("Program rule added"),
    "program_rule.removed": _l("Program rule removed"),
    "tenant.end_customer_rule_changed": _l("End customer requirement changed"),
    "tenant.mail_addresses_changed": _l("Mail addresses changed"),
    "theme.created": _l("Theme created"),
    "theme.published": _l("Theme version published"),
    "theme.rolled_back": _l("Theme rolled back to an earlier version"),
    "theme.version_saved": _l("Theme version saved"),
    "user.deactivated": _l("User deactivated"),
    "user.invitation_accepted": _l("Invitation accepted"),
    "user.invitation_resent": _l("Invitation sent again"),
    "user.invitation_revoked": _l("Invitation revoked"),
    "user.invited": _l("User invited"),
    "user.password_changed": _l("Password changed"),
    "user.password_reset": _l("Password reset"),
    "user.reactivated": _l("User reactivated"),
    "user.recovery_codes_regenerated": _l("Recovery codes replaced"),
    "user.role_changed": _l("Role changed"),
    "user.two_factor_disabled": _l("Two-factor sign-in turned off"),
    "user.two_factor_enabled": _l("Two-factor sign-in turned on"),
    "vendor.staff_two_factor_changed": _l("Two-factor sign-in requirement for staff changed"),
    "webhook_endpoint.created": _l("Webhook endpoint added"),
    "webhook_endpoint.deleted": _l("Webhook endpoint deleted"),
    "webhook_endpoint.enabled": _l("Webhook endpoint enabled again"),
    "webhook_endpoint.secret_rotated": _l("Webhook signing secret rotated"),
}

# The tables events name as their subject.
SUBJECT_LABELS = {
    "company": _l("Company"),
    "customer": _l("Customer"),
    "customer_import": _l("Customer list upload"),
    "deal": _l("Deal"),
    "enrollment": _l("Enrollment"),
    "incentive_program": _l("Incentive program"),
    "invoice": _l("Invoice"),
    "order": _l("Order"),
    "partner_application": _l("Partner application"),
    "program_rule": _l("Program rule"),
    "store_theme": _l("Theme"),
    "user_account": _l("User"),
    "vendor": _l("Vendor"),
    "webhook_endpoint": _l("Webhook endpoint"),
}

FIELD_LABELS = {
    "active": _l("Active"),
    "address_line": _l("Address"),
    "city": _l("City"),
    "company_name": _l("Company name"),
    "contact_name": _l("Contact name"),
    "crm_account_id": _l("CRM account id"),
    "description": _l("Description"),
    "duplicate_id": _l("Merged duplicate"),
    "events": _l("Events"),
    "external_id": _l("External id"),
    "file": _l("File"),
    "invalid": _l("Invalid rows"),
    "moved": _l("Moved records"),
    "new": _l("New rows"),
    "unchanged": _l("Unchanged rows"),
    "updated": _l("Updated rows"),
    "url": _l("URL"),
    "vat_id": _l("VAT id"),
    "contact_email": _l("Contact e-mail"),
    "amount": _l("Amount"),
    "company_id": _l("Company"),
    "country": _l("Country"),
    "credit_limit": _l("Credit limit"),
    "discount_bps": _l("Discount"),
    "document": _l("Program document"),
    "draft": _l("Draft"),
    "email": _l("E-mail"),
    "how": _l("How"),
    "name": _l("Name"),
    "postal_code": _l("Postal code"),
    "program": _l("Program"),
    "reason": _l("Reason"),
    "require_staff_two_factor": _l("Staff must use two-factor sign-in"),
    "role": _l("Role"),
    "status": _l("Status"),
    "target": _l("Applies to"),
    "tax_id": _l("Tax id"),
    "version": _l("Version"),
    "website": _l("Website"),
}


def action_label(action: str) -> str:
    """The action in the reader's language; an unknown one as it was recorded."""
    label = ACTION_LABELS.get(action)
    return str(label) if label is not None else action


def subject_label(subject_type: str) -> str:
    label = SUBJECT_LABELS.get(subject_type)
    return str(label) if label is not None else subject_type


def field_label(key: str) -> str:
    label = FIELD_LABELS.get(key)
    return str(label) if label is not None else key.replace("_", " ")
