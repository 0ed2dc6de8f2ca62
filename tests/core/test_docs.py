"""Docs that cannot drift: every module, command, option and setting the docs name exists.

The README's command tables are the CLI reference a user reads: each row's options must be exactly
the options the command's ``--help`` offers (Django's own common options aside).
"""

from __future__ import annotations

import argparse
import importlib
import re
from pathlib import Path

import pytest
from django.core.management import get_commands, load_command_class

REPO = Path(__file__).resolve().parents[2]
DOCS = [REPO / "README.md", REPO / "CONTRIBUTING.md", *sorted((REPO / "docs").glob("*.md"))]
# Options every Django command has; the README does not repeat them.
COMMON_OPTIONS = {
    "--help",
    "--version",
    "--verbosity",
    "--settings",
    "--pythonpath",
    "--traceback",
    "--no-color",
    "--force-color",
    "--skip-checks",
}
# Django's own commands the docs may name (``odl migrate``…).
DJANGO_COMMANDS = {"migrate", "makemigrations", "check", "createsuperuser", "collectstatic", "shell"}


def _text(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def _code_spans(text: str) -> list[str]:
    """Inline code and fenced blocks: where the docs name code."""
    fenced = re.findall(r"```[a-z]*\n(.*?)```", text, flags=re.S)
    indented = re.findall(r"^    (\S.*)$", text, flags=re.M)
    inline = re.findall(r"`([^`\n]+)`", re.sub(r"```.*?```", "", text, flags=re.S))
    return [*fenced, *indented, *inline]


def _our_commands() -> dict[str, str]:
    return {name: app for name, app in get_commands().items() if app.startswith("odl.")}


def _options(parser: argparse.ArgumentParser) -> dict[str | None, set[str]]:
    """Options of a command, per sub-command (None: the command itself)."""
    found: dict[str | None, set[str]] = {None: set()}
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                found[name] = {o for a in sub._actions for o in a.option_strings if o.startswith("--")}
                found[name] -= COMMON_OPTIONS
        else:
            found[None] |= {o for o in action.option_strings if o.startswith("--")}
    found[None] -= COMMON_OPTIONS
    return found


def _readme_rows() -> list[tuple[str, str | None, set[str]]]:
    """(command, sub-command, options) for each `odl …` cell of the README's tables."""
    rows = []
    for line in _text(REPO / "README.md").splitlines():
        if not line.startswith("| `odl "):
            continue
        cell = line.split("` |")[0]
        for usage in re.findall(r"`(odl [^`]+)`", cell + "`"):
            words = usage.split()
            command = words[1]
            sub = words[2] if len(words) > 2 and re.fullmatch(r"[a-z]+", words[2]) else None
            rows.append((command, sub, set(re.findall(r"(--[a-z][a-z-]*)", usage))))
    return rows


@pytest.mark.parametrize("doc", DOCS, ids=lambda p: p.name)
def test_every_path_the_docs_name_exists(doc: Path) -> None:
    missing = []
    for span in _code_spans(_text(doc)):
        for path in re.findall(r"(?<![\w./-])((?:odl|tests|bench|docs)/[\w./-]*[\w/])", span):
            if "<" in path or "*" in path:
                continue
            if not (REPO / path).exists():
                missing.append(path)
    assert not missing, f"{doc.name} cite des chemins qui n'existent pas : {sorted(set(missing))}"


@pytest.mark.parametrize("doc", DOCS, ids=lambda p: p.name)
def test_every_module_and_name_the_docs_cite_exists(doc: Path) -> None:
    missing = []
    for span in _code_spans(_text(doc)):
        for dotted in re.findall(r"(?<![\w./-])(odl(?:\.\w+)+)", span):
            if not _resolves(dotted):
                missing.append(dotted)
    assert not missing, f"{doc.name} cite des modules ou des noms introuvables : {sorted(set(missing))}"


def _resolves(dotted: str) -> bool:
    parts = dotted.split(".")
    for cut in range(len(parts), 0, -1):
        try:
            obj: object = importlib.import_module(".".join(parts[:cut]))
        except ImportError:
            continue
        for attr in parts[cut:]:
            # `Model.objects.method`: a manager's methods live on its queryset class.
            if not hasattr(obj, attr):
                return False
            obj = getattr(obj, attr)
        return True
    return False


@pytest.mark.parametrize("doc", DOCS, ids=lambda p: p.name)
def test_every_command_the_docs_name_exists(doc: Path) -> None:
    known = set(_our_commands()) | DJANGO_COMMANDS
    named = set()
    for span in _code_spans(_text(doc)):
        named |= set(re.findall(r"(?:^|\s|\.venv/bin/)odl ([a-z_]+)", span, flags=re.M))
    unknown = named - known
    assert not unknown, f"{doc.name} nomme des commandes qui n'existent pas : {sorted(unknown)}"


@pytest.mark.parametrize("doc", DOCS, ids=lambda p: p.name)
def test_every_setting_the_docs_name_exists(doc: Path) -> None:
    settings_source = _text(REPO / "odl" / "settings.py")
    declared = set(re.findall(r'env_(?:str|bool|int|list)\("([A-Z_]+)"', settings_source))
    for module in (REPO / "odl").rglob("*.py"):
        declared |= set(re.findall(r'environ(?:\.get)?[(\[]\s*"([A-Z_]+)"', _text(module)))
    # Variables read by the tooling rather than by settings.py.
    tooling = {"ODL_TEST_POSTGRES_URL", "ODL_VALIDATA_PYTHON", "ODL_SHARED_DATA", "CI"}
    named = set(re.findall(r"\b((?:ODL|DJANGO|DATABASE|CELERY|EMAIL)_[A-Z_]+)\b", _text(doc)))
    unknown = named - declared - tooling
    assert not unknown, f"{doc.name} nomme des variables que settings.py ne lit pas : {sorted(unknown)}"


def test_every_odl_command_has_a_row_in_a_readme_table() -> None:
    documented = {command for command, _sub, _opts in _readme_rows()}
    missing = set(_our_commands()) - documented
    assert not missing, f"commandes sans ligne dans un tableau du README : {sorted(missing)}"


def test_the_readme_command_tables_list_exactly_the_help_options() -> None:
    commands = _our_commands()
    documented: dict[tuple[str, str | None], set[str]] = {}
    for command, sub, options in _readme_rows():
        assert command in commands, f"le README documente « odl {command} », qui n'existe pas"
        documented.setdefault((command, sub), set()).update(options)
    wrong = []
    for (command, sub), options in sorted(documented.items(), key=str):
        parser = load_command_class(commands[command], command).create_parser("odl", command)
        actual = _options(parser)
        positional = {
            choice
            for action in parser._actions
            if not action.option_strings
            and action.choices
            and not isinstance(action, argparse._SubParsersAction)
            for choice in action.choices
        }
        if sub is not None and sub not in actual and sub not in positional:
            wrong.append(f"odl {command} {sub} : sous-commande inconnue")
            continue
        # A sub-command given as a positional choice (``odl geo sync``) shares the command's options.
        expected = actual.get(sub, set()) | (actual[None] if sub in actual or sub is None else set())
        if sub in positional:
            expected = actual[None]
        if options != expected:
            wrong.append(
                f"odl {command}{' ' + sub if sub else ''} : README {sorted(options)} ≠ --help {sorted(expected)}"
            )
    assert not wrong, "\n".join(wrong)
