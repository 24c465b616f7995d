"""The Atom feed of new publications (新公开的检查结果): one entry per department's
publication on one business, newest first, read from the public results table only."""

from __future__ import annotations

from django.contrib.syndication.views import Feed
from django.db.models import Exists, OuterRef, Prefetch
from django.urls import reverse
from django.utils import timezone
from django.utils.feedgenerator import Atom1Feed

from disclosure.models import PublishedResult, ResultPublication
from luozhuang_dsj.lib.access import public

FEED_SIZE = 50


def latest_publications(limit: int = FEED_SIZE) -> list[ResultPublication]:
    rows = PublishedResult.objects.order_by("matter_code", "pk")
    return list(
        ResultPublication.objects.filter(status=ResultPublication.Status.PUBLISHED)
        .filter(Exists(PublishedResult.objects.filter(publication=OuterRef("pk"))))
        .select_related("department")
        .only("pk", "published_at", "department__name")
        .prefetch_related(Prefetch("rows", queryset=rows, to_attr="public_rows"))
        .order_by("-published_at", "-pk")[:limit]
    )


@public
class PublicationsFeed(Feed):
    feed_type = Atom1Feed
    title = "罗庄区“双随机、一公开”新公开的检查结果"
    subtitle = "各部门最新公开的随机抽查检查结果（每条为一个部门对一个检查对象公开的结果）。"
    author_name = "罗庄区“双随机、一公开”监管工作联席会议办公室"

    def link(self):
        return reverse("public-home")

    def feed_url(self):
        return reverse("feed-publications")

    def items(self):
        return latest_publications()

    def item_title(self, publication: ResultPublication) -> str:
        first = publication.public_rows[0]
        return f"{first.target_name}：{publication.department.name}公开“{first.task_title}”检查结果"

    def item_description(self, publication: ResultPublication) -> str:
        first = publication.public_rows[0]
        lines = [
            f"{row.matter_name}：{row.corrected_label or row.result_label}" for row in publication.public_rows
        ]
        return f"{first.credit_code} {first.target_name}（{first.task_code}）。" + "；".join(lines)

    def item_link(self, publication: ResultPublication) -> str:
        return reverse("public-business", kwargs={"code": publication.public_rows[0].credit_code})

    def item_guid(self, publication: ResultPublication) -> str:
        return f"urn:luozhuang-dsj:publication:{publication.pk}"

    item_guid_is_permalink = False

    def item_pubdate(self, publication: ResultPublication):
        return timezone.localtime(publication.published_at)

    def item_updateddate(self, publication: ResultPublication):
        corrected = [row.corrected_at for row in publication.public_rows if row.corrected_at]
        return timezone.localtime(max([publication.published_at, *corrected]))

    def item_author_name(self, publication: ResultPublication) -> str:
        return publication.department.name
