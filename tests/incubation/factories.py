"""Factories of the incubation app (shared: keep additions small)."""

import datetime

import factory

from incubation.models import PoolMember, PoolSource, ScoreWeights, WeightsStatus
from tests.accounts.factories import OperatorFactory
from tests.creators.factories import CreatorFactory


class PoolMemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PoolMember

    creator = factory.SubFactory(CreatorFactory)
    source = PoolSource.NOMINATION


class ScoreWeightsFactory(factory.django.DjangoModelFactory):
    """A published version (the model's default weights and window) in force from 2020."""

    class Meta:
        model = ScoreWeights

    number = factory.Sequence(lambda n: n + 1)
    effective_from = datetime.date(2020, 1, 1)
    status = WeightsStatus.PUBLISHED
    created_by = factory.SubFactory(OperatorFactory)
