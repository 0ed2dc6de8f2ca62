"""Accounts pages: sign-in (with its two-factor step), password reset, my account, security, an ATD's
team and its invitations, and the public page where an invitation is accepted."""

from __future__ import annotations

import smtplib
from collections.abc import Callable
from typing import Any, cast

from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import get_lockout_response
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model, login
from django.contrib.auth import views as auth_views
from django.core.mail import send_mail
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import path, reverse, reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST
from django_otp import login as otp_login

from odl.accounts import team, two_factor
from odl.accounts.access import access
from odl.accounts.forms import CodeForm, InviteForm, RoleForm, SignUpForm
from odl.accounts.models import ApiToken, EtdAgent, Invitation, InvitationRole, InvitationUnusable
from odl.accounts.roles import ROLE_LABELS, is_coordinator, role_of
from odl.atds.models import Atd, AtdMembership, AtdRole
from odl.core import exports


class SignInView(auth_views.LoginView):
    """The password first; a user with two-factor authentication then owes a code (next view)."""

    redirect_authenticated_user = True

    def form_valid(self, form: Any) -> HttpResponse:
        user = form.get_user()
        if two_factor.has_two_factor(user):
            two_factor.keep_pending(self.request, user, self.get_success_url())
            return redirect("accounts:login_code")
        return super().form_valid(form)


def public(view: Any) -> Callable[..., HttpResponse]:
    """A Django class-based view (typed as returning any response) under the public policy."""
    return access("public")(cast(Callable[..., HttpResponse], view))


sign_in = public(SignInView.as_view())
sign_out = public(auth_views.LogoutView.as_view())


@access("public")
def admin_sign_in(request: HttpRequest) -> HttpResponse:
    """The admin signs in through the site's page, so it asks for the code and counts failures too."""
    target = request.GET.get("next", "/admin/")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = "/admin/"
    return redirect(f"{reverse('login')}?next={target}")


@access("public")
def login_code(request: HttpRequest) -> HttpResponse:
    """The second step: a code from the app, or a backup code. Also asked of a signed-in coordinator
    whose session was opened without it (when the platform requires it)."""
    pending = two_factor.pending_user(request)
    if pending is not None:
        user, state = pending
        next_url = state["next"]
    elif request.user.is_authenticated and two_factor.has_two_factor(request.user):
        user, next_url = request.user, request.GET.get("next") or reverse("accounts:account")
    else:
        messages.error(
            request, "Votre session de connexion a expiré : saisissez à nouveau votre mot de passe."
        )
        return redirect("login")
    credentials = {"username": user.get_username()}
    if not AxesProxyHandler.is_allowed(request, credentials):
        request.session.pop(two_factor.PENDING_KEY, None)
        return lockout_page(request, credentials)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = two_factor.verify(request, user, form.cleaned_data["code"])
        if device is not None:
            request.session.pop(two_factor.PENDING_KEY, None)
            if not request.user.is_authenticated:
                login(request, user, backend=user.backend)
            otp_login(request, device)
            if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
                next_url = reverse("accounts:account")
            return redirect(next_url)
        if not AxesProxyHandler.is_allowed(request, credentials):
            request.session.pop(two_factor.PENDING_KEY, None)
            return lockout_page(request, credentials)
        form.add_error(
            "code",
            "Ce code n'est pas valable : saisissez le code affiché en ce moment par l'application "
            "(après une erreur, attendez quelques secondes avant de réessayer).",
        )
    return render(request, "registration/login_code.html", {"form": form, "who": user})


def lockout_page(request: HttpRequest, credentials: dict[str, str]) -> HttpResponse:
    return cast(HttpResponse, get_lockout_response(request, credentials=credentials))


class ResetView(auth_views.PasswordResetView):
    email_template_name = "registration/password_reset_email.txt"
    subject_template_name = "registration/password_reset_subject.txt"
    success_url = reverse_lazy("accounts:password_reset_done")


class ResetConfirmView(auth_views.PasswordResetConfirmView):
    success_url = reverse_lazy("accounts:password_reset_complete")


password_reset = public(ResetView.as_view())
password_reset_done = public(auth_views.PasswordResetDoneView.as_view())
password_reset_confirm = public(ResetConfirmView.as_view())
password_reset_complete = public(auth_views.PasswordResetCompleteView.as_view())


@access("signed_in")
def account(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    memberships = AtdMembership.objects.filter(user=user).select_related("atd").order_by("atd__name")
    agents = EtdAgent.objects.filter(user=user).select_related("atd", "territory")
    context = {
        "memberships": memberships,
        "agents": agents,
        "role_label": ROLE_LABELS[role_of(user)],
        "is_coordinator": is_coordinator(user),
        "two_factor": two_factor.has_two_factor(user),
    }
    return render(request, "accounts/account.html", context)


@access("signed_in")
def security(request: HttpRequest) -> HttpResponse:
    """Turn two-factor authentication on (scan, confirm a code, keep the backup codes) or off."""
    user = request.user
    enabled = two_factor.confirmed_totp(user)
    action = request.POST.get("action") if request.method == "POST" else None
    form = CodeForm(request.POST if action in ("confirm", "disable") else None)
    backup_codes: list[str] = []
    if action == "confirm" and enabled is None and form.is_valid():
        device = two_factor.setup_device(user)
        if two_factor.confirm(device, form.cleaned_data["code"]):
            otp_login(request, device)
            backup_codes = two_factor.new_backup_codes(user)
            enabled = device
            messages.success(request, "La double authentification est activée.")
        else:
            form.add_error(
                "code", "Ce code ne correspond pas : vérifiez l'heure de votre téléphone et réessayez."
            )
    elif action == "backup" and enabled is not None:
        backup_codes = two_factor.new_backup_codes(user)
        messages.success(request, "Nouveaux codes de secours : les anciens ne fonctionnent plus.")
    elif action == "disable" and enabled is not None and form.is_valid():
        if required_for(user):
            messages.error(
                request, "La double authentification est obligatoire pour la coordination nationale."
            )
        elif two_factor.verify(request, user, form.cleaned_data["code"]) is None:
            form.add_error("code", "Ce code n'est pas valable : la double authentification reste activée.")
        else:
            two_factor.disable(user)
            messages.success(request, "La double authentification est désactivée.")
            return redirect("accounts:security")
    context: dict[str, Any] = {
        "enabled": enabled is not None,
        "form": form,
        "backup_codes": backup_codes,
        "backup_left": two_factor.backup_codes_left(user),
        "required": required_for(user),
    }
    if enabled is None:
        device = two_factor.setup_device(user)
        context.update(qr=two_factor.qr_svg(device), secret=two_factor.secret_for_typing(device))
    return render(request, "accounts/security.html", context)


@access("signed_in")
def api_tokens(request: HttpRequest) -> HttpResponse:
    """Personal API tokens: create one (its key shown on this answer only), see when each was last used."""
    user: Any = request.user
    key = ""
    error = ""
    name = ""
    if request.method == "POST":
        name = request.POST.get("name", "").strip()
        if not name:
            error = "Donnez un nom au jeton : l'application qui s'en servira (par exemple « logiciel de gestion »)."
        elif len(name) > 100:
            error = "Le nom du jeton ne doit pas dépasser 100 caractères."
        else:
            _token, key = ApiToken.issue(user, name)
            name = ""
    tokens = ApiToken.objects.filter(user=user)
    context = {"tokens": tokens, "key": key, "error": error, "name": name}
    # The clear key is in this answer only: no cache may keep it.
    response = render(request, "accounts/api_tokens.html", context, status=400 if error else 200)
    response["Cache-Control"] = "no-store"
    return response


@access("signed_in")
@require_POST
def revoke_api_token(request: HttpRequest, pk: int) -> HttpResponse:
    token = get_object_or_404(ApiToken, pk=pk, user=request.user, revoked_at__isnull=True)
    token.revoke()
    messages.success(request, f"Le jeton « {token.name} » est révoqué : l'API le refuse désormais.")
    return redirect("accounts:api_tokens")


def required_for(user: Any) -> bool:
    return bool(settings.ODL_2FA_REQUIRED_FOR_COORDINATORS) and is_coordinator(user)


# --- An ATD's team ----------------------------------------------------------------------------------


def team_context(atd: Atd) -> dict[str, Any]:
    return {
        "atd": atd,
        "members": team.members(atd),
        "invitations": Invitation.objects.pending().filter(atd=atd).select_related("territory", "created_by"),
        "agents": EtdAgent.objects.of_atd(atd),
        "roles": AtdRole.choices,
    }


@access("atd_admin")
def team_page(request: HttpRequest, slug: str) -> HttpResponse:
    atd: Atd = request.atd  # type: ignore[attr-defined]
    form = InviteForm(request.POST or None, atd=atd)
    if request.method == "POST" and form.is_valid():
        try:
            invitation = invite(request, atd, form)
        except (smtplib.SMTPException, OSError) as problem:
            form.add_error(
                "email",
                f"Le courriel n'a pas pu partir ({problem.__class__.__name__}) : rien n'est enregistré, "
                "réessayez plus tard ou prévenez l'administrateur de la plateforme.",
            )
        else:
            messages.success(request, f"Invitation envoyée à {invitation.email}.")
            return redirect("accounts:team", slug=atd.slug)
    status = 400 if form.errors else 200
    return render(request, "accounts/team.html", {**team_context(atd), "form": form}, status=status)


def invite(request: HttpRequest, atd: Atd, form: InviteForm) -> Invitation:
    role = form.cleaned_data["role"]
    with transaction.atomic():
        invitation, token = Invitation.issue(
            email=form.cleaned_data["email"],
            atd=atd,
            role=role,
            territory=form.territory if role == InvitationRole.ETD else None,
            created_by=request.user,
        )
        link = request.build_absolute_uri(reverse("accounts:invitation", args=[token]))
        context = {"invitation": invitation, "link": link, "sender": team.display_name(request.user)}
        # Inside the transaction: an e-mail that cannot leave leaves no invitation behind.
        send_mail(
            f"Invitation à rejoindre l'ATD « {atd.name} » sur OpenDataLocale",
            render_to_string("accounts/invitation_email.txt", context),
            None,
            [invitation.email],
        )
    return invitation


@access("atd_admin")
def team_export(request: HttpRequest, slug: str, fmt: str) -> HttpResponse:
    atd: Atd = request.atd  # type: ignore[attr-defined]
    if fmt not in ("csv", "xlsx", "ods"):
        raise Http404("Format d'export inconnu : choisissez csv, xlsx ou ods.")
    header = ["Nom", "Courriel", "Rôle", "Collectivité", "Situation"]
    rows: list[list[Any]] = [
        [team.display_name(m.user), m.user.email, m.get_role_display(), "", "membre"]
        for m in team.members(atd)
    ]
    rows += [
        [team.display_name(a.user), a.user.email, "agent de collectivité", a.territory.nom, "membre"]
        for a in EtdAgent.objects.of_atd(atd)
    ]
    rows += [
        [
            "",
            i.email,
            i.get_role_display(),
            i.territory.nom if i.territory else "",
            f"invitation valable jusqu'au {i.expires_at:%d/%m/%Y}",
        ]
        for i in Invitation.objects.pending().filter(atd=atd).select_related("territory")
    ]
    response = HttpResponse(exports.render(fmt, header, rows), content_type=exports.CONTENT_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="equipe-{atd.slug}.{fmt}"'
    return response


@access("atd_admin")
@require_POST
def revoke_invitation(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    invitation = get_object_or_404(Invitation.objects.pending(), pk=pk, atd=request.atd)  # type: ignore[attr-defined]
    invitation.revoke()
    messages.success(
        request, f"L'invitation de {invitation.email} est annulée : son lien ne fonctionne plus."
    )
    return redirect("accounts:team", slug=slug)


@access("atd_admin")
@require_POST
def change_member_role(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    membership = get_object_or_404(AtdMembership.objects.select_related("user"), pk=pk, atd=request.atd)  # type: ignore[attr-defined]
    form = RoleForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choisissez un rôle dans la liste : administrateur ou animateur.")
    else:
        try:
            team.change_role(membership, form.cleaned_data["role"])
        except team.LastAdmin as refusal:
            messages.error(request, str(refusal))
        else:
            messages.success(
                request, f"{team.display_name(membership.user)} : rôle « {membership.get_role_display()} »."
            )
    return redirect("accounts:team", slug=slug)


@access("atd_admin")
@require_POST
def remove_member(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    membership = get_object_or_404(AtdMembership.objects.select_related("user"), pk=pk, atd=request.atd)  # type: ignore[attr-defined]
    try:
        team.remove(membership)
    except team.LastAdmin as refusal:
        messages.error(request, str(refusal))
    else:
        messages.success(request, f"{team.display_name(membership.user)} ne fait plus partie de l'équipe.")
    return redirect("accounts:team", slug=slug)


# --- Accepting an invitation (public: the link is the proof) -----------------------------------------


@access("public")
def accept_invitation(request: HttpRequest, token: str) -> HttpResponse:
    invitation = Invitation.objects.by_token(token)
    if invitation is None:
        raise Http404("Ce lien d'invitation n'existe pas : vérifiez qu'il a été copié en entier.")
    reason = invitation.unusable_reason()
    if reason:
        return render(request, "accounts/invitation_unusable.html", {"reason": reason}, status=410)
    existing = get_user_model().objects.filter(email__iexact=invitation.email, is_active=True).first()
    context: dict[str, Any] = {"invitation": invitation, "existing": existing}
    if request.user.is_authenticated:
        if request.user.email.lower() != invitation.email.lower():
            context["wrong_account"] = True
            return render(request, "accounts/invitation.html", context, status=403)
        if request.method == "POST":
            return _accepted(request, invitation, request.user)
        return render(request, "accounts/invitation.html", context)
    if existing is not None:
        return render(request, "accounts/invitation.html", context)
    form = SignUpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            user = form.save(commit=False)
            user.email = invitation.email
            user.save()
            response = _accepted(request, invitation, user)
        return response
    context["form"] = form
    return render(request, "accounts/invitation.html", context, status=400 if form.errors else 200)


def _accepted(request: HttpRequest, invitation: Invitation, user: Any) -> HttpResponse:
    try:
        invitation.accept(user)
    except InvitationUnusable as refusal:
        return render(request, "accounts/invitation_unusable.html", {"reason": str(refusal)}, status=410)
    if not request.user.is_authenticated:
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    messages.success(request, f"Bienvenue dans l'équipe de l'ATD « {invitation.atd.name} ».")
    return redirect("accounts:account")


urlpatterns = [
    path("comptes/", account, name="account"),
    path("comptes/connexion/code/", login_code, name="login_code"),
    path("comptes/securite/", security, name="security"),
    path("comptes/jetons-api/", api_tokens, name="api_tokens"),
    path("comptes/jetons-api/<int:pk>/revoquer/", revoke_api_token, name="revoke_api_token"),
    path("comptes/mot-de-passe/oubli/", password_reset, name="password_reset"),
    path("comptes/mot-de-passe/oubli/envoye/", password_reset_done, name="password_reset_done"),
    path(
        "comptes/mot-de-passe/nouveau/<uidb64>/<token>/",
        password_reset_confirm,
        name="password_reset_confirm",
    ),
    path("comptes/mot-de-passe/nouveau/fait/", password_reset_complete, name="password_reset_complete"),
    path("comptes/atd/<slug:slug>/equipe/", team_page, name="team"),
    path("comptes/atd/<slug:slug>/equipe/export.<str:fmt>", team_export, name="team_export"),
    path(
        "comptes/atd/<slug:slug>/equipe/invitations/<int:pk>/annuler/",
        revoke_invitation,
        name="revoke_invitation",
    ),
    path("comptes/atd/<slug:slug>/equipe/membres/<int:pk>/role/", change_member_role, name="member_role"),
    path("comptes/atd/<slug:slug>/equipe/membres/<int:pk>/retirer/", remove_member, name="remove_member"),
    path("comptes/invitation/<str:token>/", accept_invitation, name="invitation"),
]
