"""Issue 11, item 5: the container files.  ``docker build`` cannot run on the project's machines, so
the Dockerfile and compose.yaml are read as Docker and Compose read them (dockerfile-parse, PyYAML)
and checked against each other, the README and the settings: the same entry point, port and health
check everywhere, a non-root user, the locked versions with their hashes, and only environment
variables the site knows."""

from __future__ import annotations

import re
import tomllib

import pytest
import yaml
from dockerfile_parse import DockerfileParser
from packaging.requirements import Requirement

from geo.settings import Settings
from tests.conftest import ROOT

PORT = "8000"


@pytest.fixture(scope="module")
def dockerfile() -> DockerfileParser:
    parser = DockerfileParser(path=str(ROOT / "Dockerfile"))
    assert parser.baseimage
    return parser


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load((ROOT / "compose.yaml").read_text())


@pytest.fixture(scope="module")
def readme() -> str:
    return (ROOT / "README.md").read_text()


def instructions(parser: DockerfileParser, name: str) -> list[str]:
    return [i["value"] for i in parser.structure if i["instruction"] == name]


def deployment(readme: str) -> str:
    start = readme.index("\n## Deployment")
    return readme[start : readme.index("\n## ", start + 5)]


def test_the_image_is_slim_non_root_and_locked(dockerfile: DockerfileParser) -> None:
    assert re.fullmatch(r"python:3\.1[1-9]-slim(-\w+)?", dockerfile.baseimage)
    users = instructions(dockerfile, "USER")
    assert users
    assert users[-1] not in ("root", "0")
    runs = " ".join(instructions(dockerfile, "RUN"))
    assert "pip install --require-hashes --no-deps -r requirements.lock" in runs
    assert any(v.startswith("requirements.lock") for v in instructions(dockerfile, "COPY"))


def test_one_entry_point_port_and_health_check_everywhere(
    dockerfile: DockerfileParser, compose: dict, readme: str
) -> None:
    import json

    entry = json.loads(instructions(dockerfile, "ENTRYPOINT")[-1])
    cmd = json.loads(instructions(dockerfile, "CMD")[-1])
    assert entry + cmd == ["petakampung", "serve"]
    assert dockerfile.envs["PETAKAMPUNG_PORT"] == PORT
    assert dockerfile.envs["PETAKAMPUNG_HOST"] == "0.0.0.0"  # noqa: S104 (inside the container)
    assert instructions(dockerfile, "EXPOSE") == [PORT]
    health = instructions(dockerfile, "HEALTHCHECK")[-1]
    assert "/healthz" in health
    assert "PETAKAMPUNG_PORT" in health
    site = compose["services"]["site"]
    assert site["build"] == "."
    assert [p.rsplit(":", 1)[1] for p in site["ports"]] == [PORT]
    assert site["environment"]["PETAKAMPUNG_PORT"] == PORT
    assert f":{PORT}/healthz" in " ".join(site["healthcheck"]["test"])
    deploy = deployment(readme)
    assert "petakampung serve" in deploy
    assert f"127.0.0.1:{PORT}" in deploy
    assert "/healthz" in deploy
    assert "docker build" in deploy
    assert "cannot run" in deploy  # the README says the image is not built by the tests


def test_compose_has_the_site_and_postgis_with_volumes_and_secrets(compose: dict) -> None:
    site, db = compose["services"]["site"], compose["services"]["db"]
    assert db["image"].startswith("postgis/postgis:")
    assert site["depends_on"]["db"]["condition"] == "service_healthy"
    named = set(compose["volumes"])
    assert {v.split(":")[0] for v in site["volumes"] + db["volumes"]} <= named
    assert set(site["secrets"]) | set(db["secrets"]) <= set(compose["secrets"])
    assert db["environment"]["POSTGRES_PASSWORD_FILE"].startswith("/run/secrets/")
    assert "POSTGRES_PASSWORD" not in db["environment"]  # never a password in the file itself


def test_compose_and_the_image_set_only_settings_the_site_knows(dockerfile: DockerfileParser, compose: dict) -> None:
    known = {f"PETAKAMPUNG_{name.upper()}" for name in Settings.model_fields}
    used = {k for k in [*dockerfile.envs, *compose["services"]["site"]["environment"]] if k.startswith("PETAKAMPUNG_")}
    assert used - known == set()


def test_the_readme_documents_every_setting(readme: str) -> None:
    table = readme[readme.index("\n## Configuration") : readme.index("\n## Security")]
    missing = [f"PETAKAMPUNG_{n.upper()}" for n in Settings.model_fields if f"PETAKAMPUNG_{n.upper()}" not in table]
    assert missing == []


def test_the_lock_pins_every_dependency_within_the_pyproject_ranges() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    lock = (ROOT / "requirements.lock").read_text()
    pins = dict(re.findall(r"^([A-Za-z0-9._-]+)==(\S+) \\$", lock, flags=re.M))
    pins = {re.sub(r"[-_.]+", "-", k).lower(): v for k, v in pins.items()}
    for text in project["dependencies"]:
        req = Requirement(text)
        name = re.sub(r"[-_.]+", "-", req.name).lower()
        assert name in pins, name
        assert req.specifier.contains(pins[name]), (text, pins[name])
    blocks = re.split(r"\n(?=[A-Za-z0-9])", lock.split("\n\n", 1)[-1])
    assert all("--hash=sha256:" in b for b in blocks if "==" in b)
