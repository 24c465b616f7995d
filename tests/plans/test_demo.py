import io

from django.core.management import call_command

from luozhuang_dsj.models import ImportBatch
from plans.models import AnnualPlan, CatalogEdition, ExemptionItem, Matter, MatterListVersion, PlanRevision
from plans.selectors import plan_filing_overview


def summary():
    return (
        CatalogEdition.objects.count(),
        Matter.objects.count(),
        MatterListVersion.objects.count(),
        ExemptionItem.objects.count(),
        list(
            AnnualPlan.objects.order_by("scope", "department__code").values_list(
                "scope", "department__code", "status", "revision"
            )
        ),
        PlanRevision.objects.filter(published_at__isnull=False).count(),
    )


def test_the_demo_shows_claimed_lists_exemptions_and_filed_plans_and_is_repeatable(db, settings, tmp_path):
    settings.DEBUG = True
    settings.MEDIA_ROOT = tmp_path  # the sample list goes through the import, which keeps the file
    call_command("seed_demo", stdout=io.StringIO())
    first = summary()
    assert first == (
        1,
        9,
        3,
        4,
        [
            ("department", "JYJ", "draft", 1),
            ("department", "SCJG", "published", 1),
            ("joint", "SCJG", "published", 2),
        ],
        3,
    )
    call_command("seed_demo", stdout=io.StringIO())
    assert summary() == first
    batch = ImportBatch.objects.get()
    assert (batch.kind, batch.status, batch.created_by.username, batch.outcome["edition"]) == (
        "plans.catalog",
        "applied",
        "office",
        1,
    )
    rows = {row.department.code: row for row in plan_filing_overview(2026)}
    assert (rows["SCJG"].state, rows["SCJG"].is_late) == ("filed", False)
    assert rows["JYJ"].state == "draft"
