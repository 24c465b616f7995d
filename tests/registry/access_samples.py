"""URL samples for the access matrix (see tests/access/samples.py)."""

from tests.access.samples import UrlSample, url_sample


@url_sample("department-edit")
def _department(ctx):
    # The office keeps every member department; the list is not one department's data.
    return UrlSample(own={"code": ctx.other.code})
