import factory
from django.utils import timezone

from portal.accounts.models import ManagerProfile, Role, User

PASSWORD = "correct-horse-battery"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ["email"]
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.com")
    full_name = factory.Sequence(lambda n: f"Person {n}")
    role = Role.ORGANIZATION
    language = "en"
    password = factory.django.Password(PASSWORD)
    email_verified_at = factory.LazyFunction(timezone.now)


class OperatorFactory(UserFactory):
    role = Role.OPERATOR


class ManagerFactory(UserFactory):
    role = Role.MANAGER

    @factory.post_generation
    def categories(self, create, extracted, **kwargs):
        profile = ManagerProfile.objects.create(user=self)
        if extracted:
            profile.categories.set(extracted)
