from io import BytesIO

import factory
from django.utils import timezone
from PIL import Image

from organizations.models import Membership, Organization, OrganizationStatus, OrgRole, ProgramTerms
from tests.accounts.factories import OperatorFactory, UserFactory


def valid_credit_code(n: int) -> str:
    from organizations.validators import credit_code_check_char

    first17 = f"9133010{n:010d}"
    return first17 + credit_code_check_char(first17)


def licence_png() -> bytes:
    out = BytesIO()
    Image.new("RGB", (120, 80), "#f5efe0").save(out, format="PNG")
    return out.getvalue()


class OrganizationFactory(factory.django.DjangoModelFactory):
    """A complete application (licence, terms accepted), approved unless told otherwise."""

    class Meta:
        model = Organization
        skip_postgeneration_save = True

    legal_name = factory.Sequence(lambda n: f"测试文化传媒有限公司{n}")
    credit_code = factory.Sequence(valid_credit_code)
    status = OrganizationStatus.APPROVED
    legal_representative = "张伟"
    contact_name = "李娜"
    contact_phone = "13800138000"
    contact_email = factory.Sequence(lambda n: f"contact{n}@example.com")
    declared_roster_size = 50
    created_by = factory.SubFactory(OperatorFactory)
    approved_at = factory.LazyFunction(timezone.now)
    submitted_at = factory.LazyFunction(timezone.now)
    licence = factory.django.FileField(filename="licence.png", data=licence_png())
    licence_content_type = "image/png"
    terms_version = factory.LazyFunction(lambda: ProgramTerms.objects.current())
    terms_accepted_at = factory.LazyFunction(timezone.now)

    @factory.post_generation
    def categories(self, create, extracted, **kwargs):
        if extracted:
            self.primary_categories.set(extracted)
            self.main_category = extracted[0]
            self.save(update_fields=["main_category"])


def make_member(organization, role=OrgRole.MEMBER, **user_fields):
    """An organization account that belongs to `organization` with `role`."""
    user = UserFactory(**user_fields)
    Membership.objects.create(user=user, organization=organization, role=role)
    return user
