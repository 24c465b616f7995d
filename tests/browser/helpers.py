"""What many browser tests do: sign in through the login page."""

from __future__ import annotations

from tests.conftest import PASSWORD


def sign_in(
    page, live_server, username: str, *, password: str = PASSWORD, landing: str = "**/work/**"
) -> None:  # type: ignore[no-untyped-def]
    """Sign in with the login form and wait for the page the user lands on."""
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(landing)
