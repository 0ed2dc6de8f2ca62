"""Guardrails for the platform as a whole: docs that cannot drift, deploy checks, identifiers."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from odl.core.identifiers import is_valid_siren, is_valid_siret, siren_problem
from odl.core.text import fold

REPO = Path(__file__).resolve().parents[2]


def _settings_variables() -> set[str]:
    source = (REPO / "odl" / "settings.py").read_text(encoding="utf-8")
    return set(re.findall(r'env_(?:str|bool|int|list)\("([A-Z_]+)"', source))


def test_every_setting_variable_is_listed_in_env_example() -> None:
    example = (REPO / ".env.example").read_text(encoding="utf-8")
    listed = set(re.findall(r"^([A-Z_]+)=", example, flags=re.M))
    missing = _settings_variables() - listed
    assert not missing, f"variables absentes de .env.example : {sorted(missing)}"


def test_every_odl_command_is_documented_in_the_readme() -> None:
    from django.core.management import get_commands

    readme = (REPO / "README.md").read_text(encoding="utf-8")
    ours = [name for name, app in get_commands().items() if app.startswith("odl.")]
    assert ours
    undocumented = [name for name in ours if f"odl {name}" not in readme]
    assert not undocumented, f"commandes non documentées dans le README : {undocumented}"


def test_the_readme_starts_with_the_two_commands() -> None:
    lines = [line for line in (REPO / "README.md").read_text(encoding="utf-8").splitlines() if line.strip()]
    commands = [line.split("#")[0].strip() for line in lines[1:5] if line.startswith("make")]
    assert commands == ["make run", "make test"]


def test_check_deploy_is_clean_with_production_settings() -> None:
    env = {
        **{k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"},
        "DJANGO_SECURE": "1",
        "DJANGO_SECRET_KEY": "a-long-random-production-secret-" + "x" * 40 + "-yz0123456789",
        "DJANGO_ALLOWED_HOSTS": "odl.example.org",
    }
    result = subprocess.run(
        [sys.executable, "-m", "odl.cli", "check", "--deploy", "--fail-level", "WARNING"],
        capture_output=True,
        text=True,
        env=env,
        cwd=REPO,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("value", ["213500010", "212 000 046", "356000000"])
def test_valid_sirens(value: str) -> None:
    assert is_valid_siren(value)


def test_a_siren_with_a_bad_checksum_is_explained_in_french() -> None:
    assert (
        siren_problem("213500011")
        == "le SIREN « 213500011 » a une clé de contrôle invalide (algorithme de Luhn)"
    )
    assert "9 chiffres" in (siren_problem("2135") or "")


def test_siret_luhn_and_the_la_poste_exception() -> None:
    assert is_valid_siret("21350001000017") or is_valid_siret("13002526500013")
    assert is_valid_siret("13002526500013")
    assert is_valid_siret("35600000000048")  # La Poste: digits sum to a multiple of 5
    assert not is_valid_siret("13002526500014")


def test_fold_ignores_accents_case_and_punctuation() -> None:
    assert fold("Saint-Étienne") == fold("saint etienne") == "saint etienne"
    assert fold("L'Haÿ-les-Roses") == "l hay les roses"
    assert fold("Œuilly") == "oeuilly"


def test_error_pages_speak_french(client: object) -> None:
    from django.template.loader import render_to_string
    from django.test import Client

    assert isinstance(client, Client)
    response = client.get("/cette-page-n-existe-pas/")
    assert response.status_code == 404
    assert "Page introuvable" in response.content.decode()
    assert "Une erreur inattendue" in render_to_string("500.html")


def _production_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DJANGO_ALLOW_ASYNC_UNSAFE", "DJANGO_SECRET_KEY")}
    return {**env, "DJANGO_SECURE": "1", "DJANGO_ALLOWED_HOSTS": "odl.example.org", **extra}


def test_check_deploy_fails_on_the_local_secret_key() -> None:
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SECRET_KEY"}
    result = subprocess.run(
        [sys.executable, "-m", "odl.cli", "check", "--deploy"],
        capture_output=True,
        text=True,
        env=env,
        cwd=REPO,
        check=False,
    )
    assert result.returncode != 0
    assert "odl.E001" in result.stderr and "DJANGO_SECRET_KEY" in result.stderr


def test_production_refuses_to_start_with_the_local_secret_key() -> None:
    code = "import odl.wsgi"
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env=_production_env(),
        cwd=REPO,
        check=False,
    )
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY n'est pas définie" in result.stderr
    started = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env=_production_env(
            DJANGO_SECRET_KEY="a-long-random-production-secret-" + "x" * 40 + "-yz0123456789"
        ),
        cwd=REPO,
        check=False,
    )
    assert started.returncode == 0, started.stderr
