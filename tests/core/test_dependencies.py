"""Every runtime dependency is pinned, says why on the line above, and is used by the platform."""

from __future__ import annotations

import re

from tests.conftest import REPO

REQUIREMENTS = REPO / "requirements.txt"
REQUIREMENT = re.compile(r"^(?P<name>[A-Za-z0-9_.-]+)(?:\[(?P<extras>[^\]]+)\])?==(?P<version>\S+)$")

# Distribution name → the module the code imports, when they differ.
IMPORT_NAMES = {
    "pyyaml": "yaml",
    "pillow": "PIL",
    "django": "django",
    "django-ninja": "ninja",
    "dj-database-url": "dj_database_url",
    "python-calamine": "python_calamine",
    "python-docx": "docx",
    "xlsxwriter": "xlsxwriter",
    "django-otp": "django_otp",
    "django-auditlog": "auditlog",
    "django-axes": "axes",
    "django-ratelimit": "django_ratelimit",
}
# Dependencies the code uses without importing them, and the evidence that it does: (file, text).
USED_WITHOUT_IMPORT = {
    # Django's postgresql backend imports it when DATABASE_URL names a PostgreSQL database.
    "psycopg": (REPO / "odl" / "settings.py", "dj_database_url.parse("),
    # Middleware and storage are named by dotted path in the settings.
    "whitenoise": (REPO / "odl" / "settings.py", '"whitenoise.middleware.WhiteNoiseMiddleware"'),
    "django-csp": (REPO / "odl" / "settings.py", '"csp.middleware.CSPMiddleware"'),
    # The Makefile runs it: `make run`.
    "gunicorn": (REPO / "Makefile", "$(BIN)/gunicorn odl.wsgi"),
}
# Extras the code uses through configuration: celery's Redis transport, through CELERY_BROKER_URL.
USED_EXTRAS = {
    ("celery", "redis"): (REPO / "odl" / "settings.py", 'CELERY_BROKER_URL = env_str("CELERY_BROKER_URL"')
}
# Extras that only choose how a package is built: psycopg's binary wheel.
PACKAGING_EXTRAS = {("psycopg", "binary")}


def runtime_requirements() -> list[tuple[str, str, list[str], str]]:
    """(name, version, extras, the comment line right above) for each requirement of requirements.txt."""
    lines = REQUIREMENTS.read_text(encoding="utf-8").splitlines()
    found = []
    for index, line in enumerate(lines):
        if not line.strip() or line.startswith("#"):
            continue
        match = REQUIREMENT.match(line.strip())
        assert match, f"requirements.txt : « {line} » n'est pas épinglé (nom==version)"
        above = lines[index - 1] if index else ""
        extras = [e.strip() for e in (match["extras"] or "").split(",") if e.strip()]
        found.append((match["name"].lower(), match["version"], extras, above))
    return found


def imported_modules() -> set[str]:
    modules = set()
    statement = re.compile(r"^\s*(?:from|import)\s+([A-Za-z_][A-Za-z0-9_]*)", re.MULTILINE)
    for path in (REPO / "odl").rglob("*.py"):
        modules.update(statement.findall(path.read_text(encoding="utf-8")))
    return modules


def test_every_runtime_dependency_is_pinned_with_a_reason_right_above() -> None:
    requirements = runtime_requirements()
    assert requirements
    for name, _version, _extras, above in requirements:
        assert above.startswith("# ") and len(above) > 10, (
            f"{name} : pas de ligne « # raison » juste au-dessus"
        )


def test_every_runtime_dependency_is_used_by_the_platform() -> None:
    modules = imported_modules()
    for name, _version, extras, _above in runtime_requirements():
        if name in USED_WITHOUT_IMPORT:
            path, evidence = USED_WITHOUT_IMPORT[name]
            assert evidence in path.read_text(encoding="utf-8"), f"{name} n'est plus utilisé ({path.name})"
        else:
            module = IMPORT_NAMES.get(name, name.replace("-", "_"))
            assert module in modules, f"{name} n'est importé nulle part dans odl/ : déplacez-le ou retirez-le"
        for extra in extras:
            if (name, extra) in PACKAGING_EXTRAS:
                continue
            assert (name, extra) in USED_EXTRAS, f"{name}[{extra}] : extra sans usage connu"
            path, evidence = USED_EXTRAS[(name, extra)]
            assert evidence in path.read_text(encoding="utf-8"), f"{name}[{extra}] n'est plus utilisé"


def test_tools_of_the_benchmarks_and_tests_are_not_runtime_dependencies() -> None:
    runtime = {name for name, *_ in runtime_requirements()}
    assert {"openpyxl", "odfpy", "pytest", "playwright", "ruff", "mypy"}.isdisjoint(runtime)
    dev = (REPO / "requirements-dev.txt").read_text(encoding="utf-8")
    bench = (REPO / "bench" / "foundation.py").read_text(encoding="utf-8")
    assert "openpyxl==" in dev and "from openpyxl import" in bench
