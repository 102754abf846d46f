from portal.accounts.permissions import is_operator, rule

rule("audit.view")(is_operator)
