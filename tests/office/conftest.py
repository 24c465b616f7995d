import pytest


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):  # type: ignore[no-untyped-def]
    """Export files are written under a throwaway MEDIA_ROOT."""
    settings.MEDIA_ROOT = tmp_path
