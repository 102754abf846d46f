"""The first version of the program terms and the reviewers' checklist (both editable data)."""

import datetime

from django.db import migrations

TERMS_ZH = """内容生态达人激励计划 · 机构合作条款（2026 版）

一、适用范围
本条款适用于申请加入内容生态达人激励计划（以下简称“本计划”）的 MCN 机构。机构提交入驻申请即表示已阅读并同意本条款。

二、入驻资质
1. 机构须为依法设立并有效存续的企业，提交的营业执照、统一社会信用代码、法定代表人等信息须真实、准确、完整。
2. 机构须具备网络内容创作、广告或直播相关的经营范围，并在申请中如实申报签约达人规模及其他平台的合作情况。

三、达人引入与绑定
1. 机构仅可为已取得达人本人同意的账号办理绑定；同一达人同一时间只能绑定一家机构。
2. 从其他机构转入的达人须经达人本人确认，且不计入“成功引入”数量。

四、激励与结算
1. 各项补贴与奖励按计划公布的规则、周期及预算执行，以平台结算结果为准，同一事项不重复发放。
2. 发现刷量、搬运、虚假交易等异常行为的，平台有权不予结算、追回已发放奖励，并暂停或终止合作。

五、类目经理服务
平台为已入驻机构指派一对一类目经理，提供运营指导；机构应配合开展辅导沟通并及时反馈。

六、数据与隐私
机构应依法处理达人个人信息，仅在本计划目的范围内使用平台提供的数据，不得泄露或转售。

七、暂停与退出
机构违反本条款或平台规则的，平台可暂停其合作资格并说明原因；机构可随时申请退出。

八、条款更新
平台可更新本条款并在门户公布新版本；新申请及重新提交须接受届时有效的版本。"""

TERMS_EN = """Creator Incentive Program · Terms for partner organizations (2026 edition)

1. Scope
These terms apply to MCN organizations applying to join the Creator Incentive Program (the
"Program"). By submitting an application, an organization confirms it has read and accepts them.

2. Eligibility
a) The organization is a company lawfully established and in good standing; its business licence,
unified social credit code, legal representative and other details are true, accurate and complete.
b) Its business scope covers online content creation, advertising or live streaming, and it declares
truthfully the size of its creator roster and its work on other platforms.

3. Bringing in and binding creators
a) The organization binds only accounts whose creators have agreed to it; a creator is bound to one
organization at a time.
b) A creator transferred from another organization must confirm the transfer and does not count as
successfully introduced.

4. Incentives and settlement
a) Subsidies and rewards follow the Program's published rules, cycles and budgets; the platform's
settlement is final and nothing is paid twice.
b) Where fake traffic, reposted content, fake orders or similar abuse is found, the platform may
withhold or recover rewards and suspend or end the partnership.

5. Category managers
The platform assigns each admitted organization a category manager for one-on-one guidance; the
organization takes part in coaching and answers in good time.

6. Data and privacy
The organization handles creators' personal information lawfully and uses data from the platform
only for the Program, never disclosing or reselling it.

7. Suspension and leaving
If the organization breaches these terms or platform rules, the platform may suspend it and says why;
the organization may leave the Program at any time.

8. Changes
The platform may update these terms and publishes each new version in the portal; new and resubmitted
applications accept the version then in force."""

CHECKS = [
    ("licence-legible", "营业执照清晰完整、在有效期内", "The business licence is legible, complete and valid"),
    ("name-matches", "机构全称与营业执照一致", "The legal name matches the business licence"),
    ("code-matches", "统一社会信用代码与营业执照一致", "The unified social credit code matches the licence"),
    ("representative-matches", "法定代表人与营业执照一致", "The legal representative matches the licence"),
    ("scope-fits", "经营范围包含内容创作、广告或直播相关业务", "The business scope covers content, advertising or live streaming"),
    ("contact-reachable", "联系人信息真实可联系", "The contact person can be reached"),
    ("no-duplicate", "与已有机构无重复或冒用情况", "No duplicate or impersonation of another organization"),
]


def seed(apps, schema_editor):
    ProgramTerms = apps.get_model("organizations", "ProgramTerms")
    ReviewCheck = apps.get_model("organizations", "ReviewCheck")
    ProgramTerms.objects.update_or_create(
        version="2026.1",
        defaults={
            "title_zh": "机构合作条款（2026 版）",
            "title_en": "Terms for partner organizations (2026 edition)",
            "body_zh": TERMS_ZH,
            "body_en": TERMS_EN,
            "published_at": datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC),
        },
    )
    for order, (code, zh, en) in enumerate(CHECKS, start=1):
        ReviewCheck.objects.update_or_create(
            code=code, defaults={"label_zh": zh, "label_en": en, "sort_order": order}
        )


def unseed(apps, schema_editor):
    apps.get_model("organizations", "ProgramTerms").objects.filter(version="2026.1").delete()
    apps.get_model("organizations", "ReviewCheck").objects.filter(
        code__in=[code for code, _zh, _en in CHECKS]
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("organizations", "0002_application_members_assignments")]

    operations = [migrations.RunPython(seed, unseed)]
