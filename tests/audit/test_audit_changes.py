"""The audit log shows every entry's changes, whatever its keys name. A settlement records how many
`lines` it computed, which is also the name of the reward list's reverse relation (no verbose
name): the log answered 500 as soon as such an entry was on the page (found by the Redis drill,
which opens the log after a settlement)."""

from django.db import transaction

from portal.audit.services import audit_record


def test_a_change_keyed_by_a_reverse_relation_name_reads_as_the_related_models_plural(
    client, operator, organization
):
    with transaction.atomic():
        audit_record(
            actor=operator,
            action="test.touch",
            obj=organization,
            organization=organization,
            before={"memberships": 1},
            after={"memberships": 2},
        )
    client.force_login(operator)

    response = client.get("/audit/")

    assert response.status_code == 200
    from organizations.models import Membership

    plural = str(Membership._meta.verbose_name_plural)
    assert plural[:1].upper() + plural[1:] in response.content.decode()
