"""The question bank as CSV and YAML: the default bank, round trips, refusals that change nothing."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from django.core.management import CommandError, call_command

from odl.culture import bank
from odl.culture.management.commands.culture_bank import Command
from odl.culture.models import Domain, Item, ItemKind
from tests.culture.conftest import respond


def _snapshot() -> list[tuple[Any, ...]]:
    return list(
        Item.objects.order_by("code").values_list("code", "domain__code", "text", "options", "active")
    )


def test_the_default_bank_has_seven_domains_of_three_self_positionings_and_one_check(
    default_bank: None,
) -> None:
    assert Domain.objects.count() == 7
    for domain in Domain.objects.all():
        kinds = sorted(domain.items.values_list("kind", flat=True))
        assert kinds == [ItemKind.AUTO] * 3 + [ItemKind.VERIFICATION], domain.code
    check = Item.objects.get(code="statistique-verification")
    assert check.options[check.correct_option] == "+25 %"
    assert all(len(i.options) == 5 for i in Item.objects.filter(kind=ItemKind.AUTO))


def test_default_loads_once_and_leaves_an_edited_bank_alone(default_bank: None) -> None:
    Item.objects.filter(code="formats-csv").update(text="Texte adapté par la coordination")
    assert bank.ensure_default() is None
    assert Item.objects.get(code="formats-csv").text == "Texte adapté par la coordination"


@pytest.mark.parametrize("fmt", ["csv", "yaml"])
def test_an_exported_bank_imports_back_unchanged(default_bank: None, fmt: str) -> None:
    before = _snapshot()
    data = bank.export(fmt)
    if fmt == "csv":
        # A formula-like answer (« +25 % ») is neutralised in the CSV and restored on import.
        assert "'+25 %" in data.decode("utf-8-sig")
    stats = bank.import_bytes(data, fmt)
    assert (stats.domains, stats.items, stats.retired) == (7, 28, 0)
    assert _snapshot() == before


def test_an_import_updates_adds_and_retires_questions_without_losing_answers(campaign: Any) -> None:
    respond(campaign, None, 3)
    document = yaml.safe_load(bank.export("yaml"))
    document["questions"] = [q for q in document["questions"] if q["code"] != "formats-jointure"]
    document["questions"][0]["question"] = "Nouvelle formulation"
    document["questions"].append(
        {
            "code": "formats-api",
            "domaine": "formats",
            "type": "auto",
            "question": "Interroger une API",
            "reponses": ["a", "b", "c", "d", "e"],
        }
    )
    stats = bank.import_bytes(yaml.safe_dump(document, allow_unicode=True).encode(), "yaml")
    assert stats.retired == 1
    retired = Item.objects.get(code="formats-jointure")
    assert retired.active is False and retired.answers.count() == 1
    assert Item.objects.get(code="vocabulaire-donnee").text == "Nouvelle formulation"
    assert Item.objects.get(code="formats-api").active


CSV_HEADER = "domaine;domaine_libelle;question_code;type;question;reponses;bonne_reponse\n"
GOOD_ROWS = [
    "d1;Domaine un;d1-a;auto;Question A;r0 | r1 | r2 | r3 | r4;\n",
    "d1;Domaine un;d1-b;verification;Question B;juste | faux;1\n",
]


def test_a_csv_line_without_its_domain_is_refused_with_its_line_and_nothing_changes(
    default_bank: None,
) -> None:
    before = _snapshot()
    body = CSV_HEADER + "".join(GOOD_ROWS) + ";;d2-a;auto;Orpheline;r0 | r1 | r2 | r3 | r4;\n"
    with pytest.raises(bank.BankError) as refused:
        bank.import_bytes(body.encode(), "csv")
    assert "ligne 4 (question « d2-a ») : le domaine manque" in refused.value.errors
    assert _snapshot() == before


def test_a_duplicate_question_is_refused_naming_both_lines(default_bank: None) -> None:
    before = _snapshot()
    body = CSV_HEADER + "".join(GOOD_ROWS) + GOOD_ROWS[0]
    with pytest.raises(bank.BankError) as refused:
        bank.import_bytes(body.encode(), "csv")
    assert "ligne 4 : la question « d1-a » figure déjà ligne 2" in refused.value.errors
    assert _snapshot() == before


def test_a_yaml_question_naming_an_undeclared_domain_is_refused_with_its_line(default_bank: None) -> None:
    before = _snapshot()
    body = (
        "domaines:\n"
        "  - code: d1\n"
        "    libelle: Domaine un\n"
        "questions:\n"
        "  - code: d1-a\n"
        "    domaine: d1\n"
        "    type: auto\n"
        "    question: Question A\n"
        "    reponses: [r0, r1, r2, r3, r4]\n"
        "  - code: d1-b\n"
        "    domaine: d1\n"
        "    type: verification\n"
        "    question: Question B\n"
        "    reponses: [juste, faux]\n"
        "    bonne_reponse: 1\n"
        "  - code: x-a\n"
        "    domaine: inconnu\n"
        "    type: auto\n"
        "    question: Question X\n"
        "    reponses: [r0, r1, r2, r3, r4]\n"
    )
    with pytest.raises(bank.BankError) as refused:
        bank.import_bytes(body.encode(), "yaml")
    assert refused.value.errors == ["ligne 16 (question « x-a ») : le domaine « inconnu » n'est pas déclaré"]
    assert _snapshot() == before


@pytest.mark.parametrize(
    ("rows", "expected"),
    [
        (
            [GOOD_ROWS[0]],
            "ligne 2 : le domaine « d1 » doit avoir exactement une question de vérification (0 trouvée)",
        ),
        (
            [GOOD_ROWS[0].replace(" | r4", ""), GOOD_ROWS[1]],
            "ligne 2 (question « d1-a ») : un auto-positionnement a cinq réponses (de 0 à 4 points), pas 4",
        ),
        (
            [GOOD_ROWS[0], GOOD_ROWS[1].replace(";1\n", ";3\n")],
            "ligne 3 (question « d1-b ») : la bonne réponse doit être le rang d'une réponse proposée (de 0 à 1)",
        ),
        ([GOOD_ROWS[0], GOOD_ROWS[1].replace(";1\n", ";un\n")], "bonne_reponse « un » n'est pas un rang"),
    ],
)
def test_other_broken_banks_are_refused_in_french(default_bank: None, rows: list[str], expected: str) -> None:
    before = _snapshot()
    with pytest.raises(bank.BankError) as refused:
        bank.import_bytes((CSV_HEADER + "".join(rows)).encode(), "csv")
    assert any(expected in e for e in refused.value.errors), refused.value.errors
    assert _snapshot() == before


def test_unreadable_files_are_refused_in_french(db: None) -> None:
    with pytest.raises(bank.BankError, match="colonnes manquantes"):
        bank.import_bytes(b"a;b\n1;2\n", "csv")
    with pytest.raises(bank.BankError, match="ligne 3 : YAML illisible"):
        bank.import_bytes(b"questions:\n  - [oops\n", "yaml")
    with pytest.raises(bank.BankError, match="UTF-8"):
        bank.import_bytes("domaine;é".encode("latin-1"), "csv")


def test_the_command_imports_exports_and_refuses_with_exit_code_1(default_bank: None, tmp_path: Path) -> None:
    out = tmp_path / "banque.csv"
    assert "Banque écrite" in Command().handle_one("export", None, None, str(out))
    assert (
        Command()
        .handle_one("import", str(out), None)
        .startswith("Banque importée depuis banque.csv : 7 domaines")
    )
    broken = tmp_path / "casse.csv"
    broken.write_text(CSV_HEADER + GOOD_ROWS[0] + GOOD_ROWS[0], encoding="utf-8")
    with pytest.raises(CommandError) as refused:
        call_command("culture_bank", "import", str(broken))
    assert refused.value.returncode == 1
    assert "casse.csv refusé, la banque n'a pas changé" in str(refused.value)
    assert Item.objects.active().count() == 28
    with pytest.raises(CommandError, match="Fichier introuvable"):
        Command().handle_one("import", str(tmp_path / "absent.yaml"), None)


def test_the_default_action_reports_what_it_loaded(db: None) -> None:
    first = Command().handle_one("default", None, None)
    assert first.startswith("banque par défaut chargée : 7 domaines, 28 questions") and "15 règles" in first
    assert Command().handle_one("default", None, None) == "banque déjà présente, inchangée ; 0 règles créées."
