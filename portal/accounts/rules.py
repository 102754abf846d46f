from django.utils.translation import gettext_lazy as _

from portal.audit.services import register_actions

from .permissions import is_operator, is_signed_in, rule

rule("user.create")(is_operator)
rule("user.set_active")(is_operator)
rule("manager.manage")(is_operator)


@rule("account.update")
def can_update_account(user, account):
    """People change their own password and preferences; operators may act on any account."""
    return account is not None and (account.pk == user.pk or is_operator(user))


rule("dashboard.view")(is_signed_in)
rule("category.view")(is_signed_in)
rule("notification.view")(is_signed_in)

register_actions(
    {
        "user.create": _("Account created"),
        "user.activate": _("Account enabled"),
        "user.deactivate": _("Account disabled"),
        "account.password_change": _("Password changed"),
        "account.password_reset": _("Password reset by email"),
        "account.language": _("Language preference changed"),
        "manager.create": _("Category manager set up"),
        "manager.update": _("Category manager settings changed"),
        "account.sign_up": _("Signed up"),
        "account.verify_email": _("Email address verified"),
    }
)
