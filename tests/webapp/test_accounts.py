"""Signing in and out, passwords, rate limits, CSRF, cookies, members and roles."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from webapp.accounts.models import TownMembership, User
from webapp.audit.models import PlatformAuditEntry
from webapp.extensions import db

from ..conftest import PASSWORD, csrf_from, login, unique


def _count(model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def test_sign_in_with_username_or_phone(app, world, client):
    assert login(client, "a_staff").status_code == 302
    assert client.get("/").status_code == 302  # lands in the only town
    client.post("/logout")
    with app.app_context():
        phone = db.session.get(User, world.users["a_staff"]).phone
    response = login(client, phone)
    assert response.status_code == 302
    assert client.get(response.headers["Location"], follow_redirects=True).status_code == 200


def test_wrong_password_is_a_clear_message_in_chinese_and_english_and_signs_in_nobody(app, world, client):
    response = login(client, "a_staff", "wrong-password")
    assert response.status_code == 400
    assert "用户名、手机号码或密码错误" in response.get_data(as_text=True)
    assert client.get("/").status_code == 302 and "/login" in client.get("/").headers["Location"]
    client.post("/lang/en")
    response = login(client, "a_staff", "wrong-password")
    assert "The username, phone number or password is not correct." in response.get_data(as_text=True)
    with app.app_context():
        assert _count(PlatformAuditEntry, PlatformAuditEntry.action == "user.login_failed") >= 2


def test_empty_sign_in_form_names_the_fields(client, world):
    response = client.post("/login", data={"identifier": "", "password": ""})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert 'data-testid="error-identifier"' in page and 'data-testid="error-password"' in page


def test_sign_out(client, world):
    login(client, "a_staff")
    assert client.post("/logout").status_code == 302
    assert "/login" in client.get("/").headers["Location"]


def test_password_change_ends_every_other_session(app, world, client_as):
    with app.app_context():
        from webapp.accounts.services import create_user

        username = unique("pw_user")
        create_user(username=username, display_name="改密码的人", password=PASSWORD)
        db.session.commit()
    laptop, phone = app.test_client(), app.test_client()
    assert login(laptop, username).status_code == 302 and login(phone, username).status_code == 302
    assert phone.get("/").status_code == 200
    response = laptop.post("/account/password", data={
        "current_password": PASSWORD, "new_password": "new-secret-123", "confirm_password": "new-secret-123"})
    assert response.status_code == 302
    assert laptop.get("/").status_code == 200  # this device stays signed in
    assert "/login" in phone.get("/").headers["Location"]  # the other one is out
    assert login(app.test_client(), username, "new-secret-123").status_code == 302
    assert login(app.test_client(), username, PASSWORD).status_code == 400


@pytest.mark.parametrize("form,message", [
    ({"current_password": "nope-nope", "new_password": "new-secret-123", "confirm_password": "new-secret-123"}, "当前密码不正确"),
    ({"current_password": PASSWORD, "new_password": "short", "confirm_password": "short"}, "至少8个字符"),
    ({"current_password": PASSWORD, "new_password": "new-secret-123", "confirm_password": "other-secret-1"}, "不一致"),
])
def test_bad_password_change_changes_nothing(app, world, client_as, form, message):
    client = client_as("a_presidium")
    with app.app_context():
        before = db.session.get(User, world.users["a_presidium"]).password_hash
    response = client.post("/account/password", data=form)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(User, world.users["a_presidium"]).password_hash == before


def test_sign_in_is_rate_limited(app, world, monkeypatch):
    monkeypatch.setitem(app.config, "LOGIN_RATE_LIMIT", "3 per minute")
    client = app.test_client()
    addr = {"REMOTE_ADDR": "10.9.8.7"}
    codes = [client.post("/login", data={"identifier": "a_staff", "password": "guess"}, environ_base=addr).status_code
             for _ in range(4)]
    assert codes == [400, 400, 400, 429]
    response = client.post("/login", data={"identifier": "a_staff", "password": PASSWORD}, environ_base=addr)
    assert response.status_code == 429 and "尝试次数过多" in response.get_data(as_text=True)
    # another address is not affected
    assert client.post("/login", data={"identifier": "a_staff", "password": PASSWORD},
                       environ_base={"REMOTE_ADDR": "10.9.8.8"}).status_code == 302


def test_forms_need_a_csrf_token(app, world, monkeypatch):
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    client = app.test_client()
    assert client.post("/login", data={"identifier": "a_staff", "password": PASSWORD}).status_code == 400
    token = csrf_from(client.get("/login").get_data(as_text=True))
    response = client.post("/login", data={"identifier": "a_staff", "password": PASSWORD, "csrf_token": token})
    assert response.status_code == 302


def test_session_cookie_flags(app, world, monkeypatch):
    client = app.test_client()
    cookie = login(client, "a_staff").headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" not in cookie
    monkeypatch.setitem(app.config, "SESSION_COOKIE_SECURE", True)
    cookie = login(app.test_client(), "a_staff").headers["Set-Cookie"]
    assert "Secure" in cookie


def test_security_headers(client, world):
    headers = client.get("/login").headers
    assert headers["X-Frame-Options"] == "DENY" and "default-src 'self'" in headers["Content-Security-Policy"]


def test_station_admin_adds_a_member_who_can_sign_in(app, world, client_as):
    admin = client_as("a_admin")
    username = unique("newstaff")
    response = admin.post("/t/zhuyang/members", data={"display_name": "新同事 王芳", "username": username,
                                                      "phone": "", "role": "staff", "password": "first-pass-1"})
    assert response.status_code == 302
    page = admin.get("/t/zhuyang/members").get_data(as_text=True)
    assert "新同事 王芳" in page and username in page
    newcomer = app.test_client()
    assert login(newcomer, username, "first-pass-1").status_code == 302
    assert newcomer.get("/t/zhuyang/").status_code == 200
    assert newcomer.get("/t/guxian/").status_code == 404


def test_adding_the_same_member_twice_applies_once(app, world, client_as):
    admin = client_as("a_admin")
    username = unique("twice")
    form = {"display_name": "重复提交", "username": username, "role": "deputy", "password": "first-pass-1",
            "phone": "13712345678"}
    assert admin.post("/t/zhuyang/members", data=form).status_code == 302
    again = admin.post("/t/zhuyang/members", data=form)
    assert again.status_code == 400 and "已拥有该角色" in again.get_data(as_text=True)
    with app.app_context():
        user = db.session.scalar(select(User).where(User.username == username))
        assert _count(TownMembership, TownMembership.user_id == user.id) == 1


@pytest.mark.parametrize("form,field", [
    ({"display_name": "", "username": "okname", "role": "staff", "password": "first-pass-1"}, "display_name"),
    ({"display_name": "某人", "username": "Bad Name", "role": "staff", "password": "first-pass-1"}, "username"),
    ({"display_name": "某人", "username": "okname2", "role": "mayor", "password": "first-pass-1"}, "role"),
    ({"display_name": "某人", "username": "okname3", "role": "staff", "phone": "123", "password": "first-pass-1"}, "phone"),
    ({"display_name": "某人", "username": "okname4", "role": "staff"}, "password"),
])
def test_bad_member_input_changes_nothing(app, world, client_as, form, field):
    admin = client_as("a_admin")
    with app.app_context():
        before = (_count(User), _count(TownMembership))
    response = admin.post("/t/zhuyang/members", data=form)
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "is-invalid" in page or 'data-testid="form-error"' in page
    with app.app_context():
        assert (_count(User), _count(TownMembership)) == before


def test_an_existing_account_needs_its_phone_to_be_added(app, world, client_as):
    admin = client_as("a_admin")
    with app.app_context():
        b_staff = db.session.get(User, world.users["b_staff"])
        phone, name = b_staff.phone, b_staff.display_name
    guess = admin.post("/t/zhuyang/members", data={"display_name": "猜", "username": "b_staff", "role": "staff"})
    page = guess.get_data(as_text=True)
    assert guess.status_code == 400 and "请同时填写该账号登记的手机号码" in page and name not in page
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(TownMembership).where(
            TownMembership.user_id == world.users["b_staff"])) == 1
    ok = admin.post("/t/zhuyang/members", data={"display_name": "故县同事", "username": "b_staff", "role": "presidium",
                                                "phone": phone})
    assert ok.status_code == 302
    with app.app_context():
        membership = db.session.scalar(select(TownMembership).where(
            TownMembership.user_id == world.users["b_staff"], TownMembership.town_id == world.town_a))
        db.session.delete(membership)  # leave the world as it was
        db.session.commit()


def test_roles_are_checked_on_routes(world, client_as):
    for username in ("a_staff", "a_deputy", "a_presidium"):
        client = client_as(username)
        assert client.get("/t/zhuyang/").status_code == 200
        assert client.get("/t/zhuyang/members").status_code == 403
        assert client.get("/t/zhuyang/audit").status_code == 403
    assert client_as("a_admin").get("/t/zhuyang/audit").status_code == 200


def test_an_admin_cannot_remove_their_own_admin_role(app, world, client_as):
    admin = client_as("a_admin")
    with app.app_context():
        own = db.session.scalar(select(TownMembership.id).where(TownMembership.user_id == world.users["a_admin"]))
    response = admin.post(f"/t/zhuyang/members/{own}/remove")
    assert response.status_code == 302
    with app.app_context():
        assert db.session.get(TownMembership, own) is not None


def test_language_switch_is_remembered_on_the_user(app, world, client_as):
    client = client_as("a_deputy")
    assert "接待日" in client.get("/t/zhuyang/").get_data(as_text=True)
    client.post("/lang/en")
    assert "Reception day" in client.get("/t/zhuyang/").get_data(as_text=True)
    fresh = client_as("a_deputy")  # a new device: the user's choice follows them
    assert "Reception day" in fresh.get("/t/zhuyang/").get_data(as_text=True)
    fresh.post("/lang/zh_Hans_CN")
    assert client.post("/lang/xx").status_code == 404
    assert client.get("/lang/en").status_code == 405  # a link cannot change it behind your back
