"""A « {# … #} » comment ends on its own line in Django; one spread over lines is printed on the page."""

from __future__ import annotations

from pathlib import Path

ODL = Path(__file__).resolve().parents[2] / "odl"


def test_no_template_opens_a_one_line_comment_it_closes_on_another_line() -> None:
    unclosed = [
        f"{path.relative_to(ODL.parent)}:{number}"
        for path in sorted(ODL.rglob("templates/**/*.html"))
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if line.count("{#") > line.count("#}")
    ]
    assert not unclosed, "utilisez {% comment %} pour un commentaire sur plusieurs lignes : " + ", ".join(
        unclosed
    )
