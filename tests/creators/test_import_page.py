"""The import page while a file is checked: one progress region that polls, not two nested."""

from django.urls import reverse

from creators.models import ImportJob, ImportKind, ImportStatus


def test_a_running_check_has_one_polling_progress_region(client, owner, organization):
    job = ImportJob.objects.create(
        kind=ImportKind.CREATORS,
        organization=organization,
        file="imports/roster.csv",
        file_name="roster.csv",
        status=ImportStatus.VALIDATING,
        total_rows=200,
        processed_rows=50,
        created_by=owner,
    )
    client.force_login(owner)
    url = reverse("creators:import", args=[job.pk])
    html = client.get(url).content.decode()
    assert html.count('id="progress"') == 1
    assert html.count('hx-trigger="every 1s"') == 1
    fragment = client.get(url, headers={"HX-Request": "true"}).content.decode()
    assert fragment.count('id="progress"') == 1 and "<main" not in fragment
    assert 'hx-swap="outerHTML"' in fragment  # it replaces itself, so polling stays single
