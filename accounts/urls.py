from django.contrib.auth import views as auth_views
from django.urls import path

from . import support_views, views
from .forms import SignInForm

urlpatterns = [
    path("", views.home, name="home"),
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(authentication_form=SignInForm, redirect_authenticated_user=True),
        name="login",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/password/change/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path("accounts/password/change/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path(
        "accounts/password/reset/",
        auth_views.PasswordResetView.as_view(
            email_template_name="emails/password-reset-body.txt",
            html_email_template_name="emails/password-reset-body.html",
            subject_template_name="emails/password-reset-subject.txt",
        ),
        name="password_reset",
    ),
    path("accounts/password/reset/sent/", auth_views.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path(
        "accounts/password/reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "accounts/password/reset/complete/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    path("accounts/invitation/<str:token>/", views.accept_invitation, name="accept_invitation"),
    path("accounts/profile/", views.profile, name="profile"),
    path("accounts/two-step/", views.two_factor_verify, name="two_factor_verify"),
    path("accounts/two-step/setup/", views.two_factor_setup, name="two_factor_setup"),
    path("accounts/two-step/backup-codes/", views.two_factor_backup_codes, name="two_factor_backup_codes"),
    path("accounts/two-step/turn-off/", views.two_factor_turn_off, name="two_factor_turn_off"),
    path("language/", views.switch_language, name="set_language"),
    path("support/", support_views.support, name="support"),
]
