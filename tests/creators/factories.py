import datetime
import secrets

import factory
from django.utils import timezone

from creators.models import Binding, BindingConsent, BindingSource, ConsentState, Creator
from portal.core.models import Category


class CreatorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Creator

    platform_account_id = factory.Sequence(lambda n: f"u{n:012d}")
    display_name = factory.Sequence(lambda n: f"达人{n}")
    primary_category = factory.LazyFunction(lambda: Category.objects.get(code="beauty"))
    follower_count = 1000


class BindingConsentFactory(factory.django.DjangoModelFactory):
    """Consented with every scope, as the data migration treats bindings made before consent
    existed, so that tests written before it keep their meaning. Tests of consent ask for a
    pending or partial one: `BindingFactory(consent__state="pending", consent__metrics=False, ...)`
    or `pending_consent()` below."""

    class Meta:
        model = BindingConsent

    state = ConsentState.CONSENTED
    earnings = True
    metrics = True
    contact = True
    contact_mobile = "13800138000"
    contact_email = "creator@example.com"
    salt = factory.LazyFunction(lambda: secrets.token_hex(16))
    expires_at = factory.LazyFunction(lambda: timezone.now() + datetime.timedelta(days=14))
    decided_at = factory.LazyFunction(timezone.now)


def pending_consent() -> dict:
    """Keyword arguments for BindingFactory: a consent still waiting for the creator."""
    return {
        "consent__state": ConsentState.PENDING,
        "consent__earnings": False,
        "consent__metrics": False,
        "consent__contact": False,
        "consent__contact_mobile": "",
        "consent__contact_email": "",
        "consent__decided_at": None,
    }


class BindingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Binding

    creator = factory.SubFactory(CreatorFactory)
    source = BindingSource.RECRUITED
    started_on = datetime.date(2026, 11, 1)
    created_by = factory.LazyAttribute(lambda o: o.organization.created_by)
    consent = factory.RelatedFactory(BindingConsentFactory, factory_related_name="binding")
