"""The API shell: tokens and sessions, one error shape, and an OpenAPI document that lists
every endpoint."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import text

from tenants.models import Town
from webapp.extensions import db

from ..conftest import csrf_from, unique


@pytest.fixture()
def token_for(app, world, client_as):
    def make(username: str) -> str:
        client = client_as(username)
        page = client.post("/account/tokens", data={"name": unique("token")}).get_data(as_text=True)
        return re.search(r"<code>(lz_[^<]+)</code>", page).group(1)

    return make


def _error(response) -> dict:
    body = response.get_json()
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message", "fields"}, body
    return body["error"]


def test_token_auth(app, world, client, token_for):
    token = token_for("a_staff")
    response = client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200
    body = response.get_json()
    assert body["user"]["username"] == "a_staff" and body["towns"] == [{"slug": "zhuyang", "name": "朱阳镇", "role": "staff"}]
    assert "password_hash" not in str(body)
    # the token does not open web pages or leave a session behind
    assert client.get("/t/zhuyang/", headers={"Authorization": f"Bearer {token}"}).status_code == 302
    assert client.get("/api/v1/me").status_code == 401


def test_bad_or_revoked_tokens_are_refused(app, world, client, client_as, token_for):
    assert _error(client.get("/api/v1/me", headers={"Authorization": "Bearer lz_nope"}))["code"] == "unauthorized"
    owner = client_as("a_deputy")
    page = owner.post("/account/tokens", data={"name": "to-revoke"}).get_data(as_text=True)
    token = re.search(r"<code>(lz_[^<]+)</code>", page).group(1)
    token_id = re.findall(r"/account/tokens/(\d+)/revoke", page)[0]
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).status_code == 200
    assert owner.post(f"/account/tokens/{token_id}/revoke").status_code == 302
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).status_code == 401
    # someone else's token cannot be revoked by id
    assert client_as("a_staff").post(f"/account/tokens/{token_id}/revoke").status_code == 404


def test_any_authorization_header_is_the_tokens_never_the_cookies(app, world, client_as, monkeypatch):
    client = client_as("a_staff")  # signed in with a cookie
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    for header in ("Basic Zm9vOmJhcg==", "Bearer", "Bearer lz_unknown", "Negotiate abc"):
        response = client.post("/api/v1/t/zhuyang/supervision-groups", json={"code": unique("x_"), "name": "x"},
                               headers={"Authorization": header})
        assert response.status_code == 401, header
        assert _error(response)["code"] == "unauthorized"


def test_session_auth_and_csrf_for_writes(app, world, client_as, monkeypatch):
    client = client_as("a_staff")
    assert client.get("/api/v1/towns").get_json()[0]["slug"] == "zhuyang"
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    response = client.post("/api/v1/t/zhuyang/supervision-groups", json={"code": "csrf_less", "name": "无令牌"})
    assert response.status_code == 400 and _error(response)["code"] == "bad_request"
    token = csrf_from(client.get("/account/tokens").get_data(as_text=True))
    response = client.post("/api/v1/t/zhuyang/supervision-groups", json={"code": unique("with_csrf_"), "name": "有令牌"},
                           headers={"X-CSRFToken": token})
    assert response.status_code == 201


def test_create_a_supervision_group(app, world, client, token_for):
    token = token_for("a_staff")
    code = unique("api_group_")
    response = client.post("/api/v1/t/zhuyang/supervision-groups", headers={"Authorization": f"Bearer {token}"},
                           json={"code": code, "name": "生态环保组", "name_en": "Environment"})
    assert response.status_code == 201 and response.get_json()["code"] == code
    listed = client.get("/api/v1/t/zhuyang/supervision-groups", headers={"Authorization": f"Bearer {token}"})
    assert code in [g["code"] for g in listed.get_json()]
    with app.app_context():
        b = db.session.get(Town, world.town_b)
        with db.engine.connect() as conn:
            assert conn.execute(text(f"SELECT count(*) FROM {b.schema_name}.supervision_groups WHERE code = :c"),
                                {"c": code}).scalar() == 0


@pytest.mark.parametrize("body,status,code,fields", [
    ("not json", 400, "invalid_body", set()),
    ([1, 2], 400, "invalid_body", set()),
    ({"name": "缺编号"}, 422, "validation_failed", {"code"}),
    ({"code": "Bad Code", "name": ""}, 422, "validation_failed", {"code", "name"}),
    ({"code": "ok_code", "name": "x", "is_admin": True}, 422, "validation_failed", {"is_admin"}),
])
def test_malformed_bodies_get_one_error_shape_and_change_nothing(app, world, client, token_for, body, status, code, fields):
    token = token_for("a_staff")
    headers = {"Authorization": f"Bearer {token}"}
    count = len(client.get("/api/v1/t/zhuyang/supervision-groups", headers=headers).get_json())
    if isinstance(body, str):
        response = client.post("/api/v1/t/zhuyang/supervision-groups", data=body, headers=headers,
                               content_type="application/json")
    else:
        response = client.post("/api/v1/t/zhuyang/supervision-groups", json=body, headers=headers)
    assert response.status_code == status
    error = _error(response)
    assert error["code"] == code and set(error["fields"]) == fields
    assert re.search(r"[\u4e00-\u9fff]", error["message"])  # in the user's language: Chinese by default
    assert len(client.get("/api/v1/t/zhuyang/supervision-groups", headers=headers).get_json()) == count


def test_errors_follow_the_users_language(app, world, client, client_as, token_for):
    token = token_for("b_staff")
    client_as("b_staff").post("/lang/en")
    response = client.post("/api/v1/t/guxian/supervision-groups", json={"name": "x"},
                           headers={"Authorization": f"Bearer {token}"})
    assert _error(response)["message"] == "Some fields are not valid."
    assert _error(response)["fields"]["code"] == ["This field is required."]


def test_a_duplicate_group_code_is_a_field_error(app, world, client, token_for):
    token = token_for("a_admin")
    headers = {"Authorization": f"Bearer {token}"}
    response = client.post("/api/v1/t/zhuyang/supervision-groups", json={"code": "livelihood", "name": "重复"},
                           headers=headers)
    assert response.status_code == 422 and "livelihood" in _error(response)["fields"]["code"][0]


def test_roles_on_api_writes(app, world, client, token_for):
    for username, expected in (("a_deputy", 403), ("committee", 403), ("b_admin", 404)):
        token = token_for(username)
        response = client.post("/api/v1/t/zhuyang/supervision-groups", json={"code": "nope_x", "name": "x"},
                               headers={"Authorization": f"Bearer {token}"})
        assert response.status_code == expected, username
        assert _error(response)["code"] in ("forbidden", "not_found")


def test_unknown_api_url_and_method(client, world, token_for):
    headers = {"Authorization": f"Bearer {token_for('a_staff')}"}
    assert _error(client.get("/api/v1/nothing-here", headers=headers))["code"] == "not_found"
    assert _error(client.delete("/api/v1/me", headers=headers))["code"] == "method_not_allowed"


def test_openapi_lists_every_endpoint(app, client):
    doc = client.get("/api/v1/openapi.json").get_json()
    assert doc["openapi"].startswith("3.")
    documented = {(path, method.upper()) for path, ops in doc["paths"].items() for method in ops}
    served = set()
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/api/v1"):
            path = re.sub(r"<(?:[a-z]+:)?([a-z_]+)>", r"{\1}", rule.rule)
            served |= {(path, m) for m in rule.methods - {"HEAD", "OPTIONS"}}
    assert served == documented
    create = doc["paths"]["/api/v1/t/{town}/supervision-groups"]["post"]
    schema_ref = create["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    assert doc["components"]["schemas"][schema_ref.rsplit("/", 1)[1]]["required"] == ["code", "name"]
