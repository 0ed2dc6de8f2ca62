"""Who may open a page: one decorator per view, read back by the permission-matrix test.

Every view declares its policy with :func:`access`; ``tests/core/test_permission_matrix.py`` walks the
URL resolver and, for every URL and every role, checks the answer the policy promises. A view without
a policy fails that test, so no page can be added without saying who may see it.

Policies:

- ``public``: anybody, signed in or not;
- ``token``: whoever holds the secret in the URL (private calendar feeds); the view checks it;
- ``signed_in``: any signed-in user (others go to the sign-in page);
- ``coordinator``: national coordinators (staff users) only;
- ``atd_member``: a member of any ATD, or a coordinator;
- ``atd_staff``: the team of the ATD named by the URL's ``slug`` (admin or animateur) and coordinators;
- ``atd_admin``: the admins of that ATD and coordinators;
- ``etd``: the agents of the collectivité named by the URL's ``etd`` (an ``Etd`` id) in that ATD, the
  ATD's team and coordinators.

The last three need the ATDs, which live above this module: ``odl.accounts`` registers their checks
(:func:`register_check`) when it loads. A refusal sends an anonymous visitor to the sign-in page and
answers 403 (in French) to a signed-in one.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, Literal, TypeVar, cast

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase

Policy = Literal["public", "token", "signed_in", "coordinator", "atd_member", "atd_staff", "atd_admin", "etd"]
POLICIES: tuple[Policy, ...] = (
    "public",
    "token",
    "signed_in",
    "coordinator",
    "atd_member",
    "atd_staff",
    "atd_admin",
    "etd",
)
View = TypeVar("View", bound=Callable[..., HttpResponseBase])
# A check raises PermissionDenied (French message) for a signed-in user who may not see the page.
Check = Callable[[HttpRequest, dict[str, Any]], None]
_CHECKS: dict[str, Check] = {}


def register_check(policy: Policy, check: Check) -> None:
    _CHECKS[policy] = check


def access(policy: Policy) -> Callable[[View], View]:
    if policy not in POLICIES:
        raise ValueError(f"unknown access policy {policy!r}")

    def decorate(view: View) -> View:
        @wraps(view)
        def guarded(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            refusal = check(policy, request, kwargs)
            if refusal is not None:
                return refusal
            return view(request, *args, **kwargs)

        guarded.access_policy = policy  # type: ignore[attr-defined]
        return cast(View, guarded)

    return decorate


def check(policy: Policy, request: HttpRequest, kwargs: dict[str, Any]) -> HttpResponse | None:
    """None when allowed; a redirect to sign in for an anonymous visitor; PermissionDenied otherwise."""
    user = request.user
    if policy in ("public", "token"):
        return None
    if not user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if policy == "signed_in":
        return None
    if policy == "coordinator":
        if not user.is_staff:
            raise PermissionDenied("Cette page est réservée à la coordination nationale.")
        return None
    if policy == "atd_member":
        if not (user.is_staff or user.atd_memberships.exists()):
            raise PermissionDenied(
                "Cette page est réservée aux équipes des ATD et à la coordination nationale."
            )
        return None
    specific = _CHECKS.get(policy)
    if specific is None:
        # Fail closed: a policy whose check is not loaded refuses everybody.
        raise PermissionDenied("Accès non configuré pour cette page.")
    specific(request, kwargs)
    return None


def policy_of(view: Callable[..., Any]) -> Policy | None:
    return cast(Policy | None, getattr(view, "access_policy", None))
