"""Sign up, sign in and out, reset a password, and the profile page."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import NON_FIELD_ERRORS
from django.forms.utils import ErrorDict
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from wrenchmark.accounts import services
from wrenchmark.accounts.forms import LoginForm, ProfileForm, SignupForm
from wrenchmark.accounts.models import Language, User
from wrenchmark.core.exceptions import ApplicationError


def _client_ip(request: HttpRequest) -> str | None:
    return request.META.get("REMOTE_ADDR") or None


def signup(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("dashboard:home")
    form = SignupForm(
        request.POST or None, initial={"preferred_language": translation.get_language() or "en"}
    )
    if request.method == "POST" and form.is_valid():
        try:
            user = services.user_create(**form.cleaned_data)
        except ApplicationError as exc:
            form.add_error(exc.field, exc.message)
        else:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(
                request, _("Welcome to Wrenchmark. Your program ID is %(id)s.") % {"id": user.program_id}
            )
            return redirect("dashboard:home")
    return render(request, "accounts/signup.html", {"form": form}, status=400 if form.errors else 200)


class LoginView(auth_views.LoginView):
    """Django's sign-in, refusing for a while after repeated failures on one account or address."""

    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        email = request.POST.get("username", "")
        if services.login_is_locked(email=email, ip_address=_client_ip(request)):
            # An unbound form, so a locked account's password is not even checked.
            form = self.authentication_form(request, initial={"username": email})
            form._errors = ErrorDict(  # type: ignore[attr-defined]
                {
                    NON_FIELD_ERRORS: form.error_class(
                        [_("Too many failed sign-ins. Wait a few minutes, or reset your password.")]
                    )
                }
            )
            return self.render_to_response(self.get_context_data(form=form), status=429)
        return super().post(request, *args, **kwargs)

    def form_invalid(self, form: Any) -> HttpResponse:
        services.login_failure_record(
            email=self.request.POST.get("username", ""), ip_address=_client_ip(self.request)
        )
        response = super().form_invalid(form)
        response.status_code = 400
        return response

    def form_valid(self, form: Any) -> HttpResponse:
        services.login_failures_clear(email=form.get_user().email)
        return super().form_valid(form)


class LogoutView(auth_views.LogoutView):
    pass


class PasswordResetView(auth_views.PasswordResetView):
    template_name = "accounts/password_reset_form.html"
    email_template_name = "accounts/email/password_reset.txt"
    subject_template_name = "accounts/email/password_reset_subject.txt"
    success_url = reverse_lazy("accounts:password_reset_done")


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "accounts/password_reset_done.html"


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "accounts/password_reset_confirm.html"
    success_url = reverse_lazy("accounts:password_reset_complete")

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        services.login_failures_clear(email=form.user.email)
        return response


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "accounts/password_reset_complete.html"


@login_required
def profile(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    form = ProfileForm(
        request.POST or None,
        initial={
            "first_name": user.first_name,
            "last_name": user.last_name,
            "preferred_language": user.preferred_language,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.profile_update(user=user, **form.cleaned_data)
        except ApplicationError as exc:
            form.add_error(exc.field, exc.message)
        else:
            translation.activate(user.preferred_language)
            messages.success(request, _("Your profile is saved."))
            return redirect("accounts:profile")
    return render(
        request,
        "accounts/profile.html",
        {
            "form": form,
            "profile_user": user,
            "roles": sorted(g.get_role_display() for g in user.role_grants.all()),
        },
        status=400 if form.errors else 200,
    )


@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    """Switch the language for this visit, and for a signed-in person, remember it on the profile."""
    language = request.POST.get("language", "")
    next_url = request.POST.get("next") or "/"
    if not url_has_allowed_host_and_scheme(next_url, {request.get_host()}, require_https=request.is_secure()):
        next_url = "/"
    response = HttpResponseRedirect(next_url)
    if language not in Language.values:
        messages.error(request, _("Choose English or Spanish."))
        return response
    if request.user.is_authenticated:
        services.user_language_set(user=request.user, language=language)
    response.set_cookie("django_language", language, max_age=60 * 60 * 24 * 365, samesite="Lax")
    return response


def home(request: HttpRequest) -> HttpResponse:
    return redirect(
        reverse("dashboard:home") if request.user.is_authenticated else reverse("catalog:series_list")
    )
