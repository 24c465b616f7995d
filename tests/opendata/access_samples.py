from opendata.snapshots import snapshot_get, snapshot_write
from tests.access.samples import UrlSample, url_sample


@url_sample("opendata-file")
def _snapshot_file(ctx):
    if snapshot_get("latest") is None:
        snapshot_write()
    return UrlSample(own={"day": "latest", "filename": "results.csv"})
