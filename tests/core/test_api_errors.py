"""Every API error has the same body, and a server error shows no internals."""

from portal.accounts.api.serializers import MeSerializer


def test_an_unexpected_error_answers_json_without_a_traceback(client, operator, monkeypatch):
    def explode(self, instance):
        raise RuntimeError("secret internal detail")

    monkeypatch.setattr(MeSerializer, "to_representation", explode)
    client.force_login(operator)
    response = client.get("/api/v1/me/", headers={"Accept-Language": "en"})
    assert response.status_code == 500
    assert response.json() == {
        "code": "server_error",
        "message": "Something went wrong on our side.",
    }
    assert b"secret internal detail" not in response.content


def test_invalid_filters_name_the_field(client, operator):
    client.force_login(operator)
    response = client.get(
        "/api/v1/organizations/", {"status": "nonsense"}, headers={"Accept-Language": "en"}
    )
    body = response.json()
    assert response.status_code == 400
    assert body["code"] == "invalid"
    assert "status" in body["errors"]


def test_errors_speak_the_callers_language(client, db):
    response = client.get("/api/v1/me/", headers={"Accept-Language": "zh-hans"})
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"
    assert "身份认证" in response.json()["message"]
