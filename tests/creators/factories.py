import datetime

import factory

from creators.models import Binding, BindingSource, Creator
from portal.core.models import Category


class CreatorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Creator

    platform_account_id = factory.Sequence(lambda n: f"u{n:012d}")
    display_name = factory.Sequence(lambda n: f"达人{n}")
    primary_category = factory.LazyFunction(lambda: Category.objects.get(code="beauty"))
    follower_count = 1000


class BindingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Binding

    creator = factory.SubFactory(CreatorFactory)
    source = BindingSource.RECRUITED
    started_on = datetime.date(2026, 11, 1)
    created_by = factory.LazyAttribute(lambda o: o.organization.created_by)
