from django.urls import path

from tongban.identity import views

app_name = "identity"
urlpatterns = [
    path("login/", views.login_view, name="login"),
    path("login/key/", views.login_key, name="login_key"),
    path("login/key/options/", views.login_key_options, name="login_key_options"),
    path("login/key/verify/", views.login_key_verify, name="login_key_verify"),
    path("login/enrol/", views.login_enrol, name="login_enrol"),
    path("login/enrol/options/", views.login_enrol_options, name="login_enrol_options"),
    path("login/enrol/verify/", views.login_enrol_verify, name="login_enrol_verify"),
    path("logout/", views.logout_view, name="logout"),
    path("", views.account, name="account"),
    path("keys/options/", views.key_options, name="key_options"),
    path("keys/verify/", views.key_verify, name="key_verify"),
    path("keys/<int:key_id>/rename/", views.key_rename, name="key_rename"),
    path("keys/<int:key_id>/remove/", views.key_remove, name="key_remove"),
    path("password/", views.password_change, name="password_change"),
    path("security/policy/", views.security_policy, name="security_policy"),
    path("security/locked/", views.security_locked, name="security_locked"),
    path("security/keys/", views.security_keys, name="security_keys"),
    path("security/admins/", views.security_admins, name="security_admins"),
    path("security/tokens/", views.security_tokens, name="security_tokens"),
    path("users/", views.users, name="users"),
]
