"""Who may open a page: one decorator per view, read back by the permission-matrix test.

Every view of the programme declares its policy with :func:`access`; the test walks the URL resolver
and, for every URL and every role, checks the answer the policy promises. A view without a policy
fails that test, so no page can be added without saying who may see it.

Policies:

- ``public``: anybody, signed in or not;
- ``signed_in``: any signed-in user (others go to the sign-in page);
- ``coordinator``: national coordinators only;
- ``atd_staff``: the team of the ATD named by the URL's ``slug`` (admin or animateur) and coordinators;
- ``atd_admin``: the admins of that ATD and coordinators;
- ``etd``: the agents of the collectivité named by the URL's ``etd`` (an ``Etd`` id) in that ATD, the
  ATD's team and coordinators;
- ``token``: whoever holds the secret in the URL (private calendar feeds); the view checks it.

For the ATD policies the decorator loads the ATD (404 when unknown) and sets ``request.atd``.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, Literal, TypeVar, cast

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404

from odl.accounts.models import EtdAgent
from odl.accounts.roles import atd_role, is_coordinator
from odl.atds.models import Atd, AtdRole

Policy = Literal["public", "signed_in", "coordinator", "atd_staff", "atd_admin", "etd", "token"]
POLICIES: tuple[Policy, ...] = (
    "public",
    "signed_in",
    "coordinator",
    "atd_staff",
    "atd_admin",
    "etd",
    "token",
)
View = TypeVar("View", bound=Callable[..., HttpResponse])


def access(policy: Policy) -> Callable[[View], View]:
    if policy not in POLICIES:
        raise ValueError(f"unknown access policy {policy!r}")

    def decorate(view: View) -> View:
        @wraps(view)
        def guarded(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
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
        if not is_coordinator(user):
            raise PermissionDenied("Cette page est réservée à la coordination nationale.")
        return None
    atd = get_object_or_404(Atd, slug=kwargs.get("slug"))
    request.atd = atd  # type: ignore[attr-defined]
    role = atd_role(user, atd)
    if policy == "atd_staff" and role is None:
        raise PermissionDenied(f"Cette page est réservée à l'équipe de l'ATD « {atd.name} ».")
    if policy == "atd_admin" and role != AtdRole.ADMIN:
        raise PermissionDenied(f"Cette page est réservée aux administrateurs de l'ATD « {atd.name} ».")
    if policy == "etd" and role is None:
        etd_id = int(kwargs.get("etd") or 0)
        agent = EtdAgent.objects.filter(
            user=user, atd=atd, territory__etds__pk=etd_id, territory__etds__atd=atd
        ).exists()
        if not agent:
            raise PermissionDenied("Cette page est réservée à la collectivité concernée et à son ATD.")
    return None


def policy_of(view: Callable[..., Any]) -> Policy | None:
    return cast(Policy | None, getattr(view, "access_policy", None))
