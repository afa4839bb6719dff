"""`needlesafe knowledge review --out FILE.html`: the sheet a clinical lead signs."""

from __future__ import annotations

import html
import re
from pathlib import Path

from typer.testing import CliRunner

from needlesafe.cli import app
from needlesafe.knowledge.base import Knowledge

runner = CliRunner()


def write_sheet(tmp_path: Path) -> str:
    out = tmp_path / "review.html"
    result = runner.invoke(app, ["knowledge", "review", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "wrote" in result.stdout and "items" in result.stdout
    return out.read_text(encoding="utf-8")


def test_the_sheet_has_every_screening_rule_with_a_tick_box_and_a_notes_field(
    tmp_path: Path, knowledge: Knowledge
) -> None:
    page = write_sheet(tmp_path)
    ids = [r.id for r in knowledge.risk_rules]
    ids += [c.id for c in knowledge.contraindications]
    ids += [p.id for p in knowledge.precautions]
    ids += [e.id for e in knowledge.escalations]
    for rule_id in ids:
        assert f'id="{rule_id}"' in page, rule_id
        assert f'name="agreed:{rule_id}"' in page, rule_id
        assert f'name="notes:{rule_id}"' in page, rule_id


def test_the_sheet_names_every_source_with_its_citation(
    tmp_path: Path, knowledge: Knowledge
) -> None:
    page = html.unescape(write_sheet(tmp_path))
    for source in knowledge.sources.values():
        assert f'id="source-{source.id}"' in page
        assert source.citation in page


def test_conditions_are_in_words_and_policy_defaults_are_flagged(tmp_path: Path) -> None:
    page = html.unescape(write_sheet(tmp_path))
    row = page[page.index('id="ci_rf_pacemaker"') :]
    row = row[: row.index("</tr>")]
    text = re.sub(r"<[^>]+>", " ", row)
    assert "the device is `radiofrequency` and the patient has `pacemaker_or_icd`" in text
    assert "rf_device_ifu" in text
    keloid = page[page.index('id="ci_keloid_deep"') :]
    assert 'class="policy-flag">policy' in keloid[: keloid.index("</tr>")]


def test_the_sheet_ends_with_a_sign_off_for_the_version(
    tmp_path: Path, knowledge: Knowledge
) -> None:
    page = write_sheet(tmp_path)
    sign_off = page[page.index("<h2>Sign-off</h2>") :]
    assert knowledge.version in sign_off
    assert "Signature" in sign_off and "Clinical lead" in sign_off


def test_knowledge_text_is_escaped_not_read_as_markup(tmp_path: Path) -> None:
    page = write_sheet(tmp_path)
    assert "<script" not in page.lower()
    assert "&#39;" in page  # apostrophes in texts arrive escaped


def test_an_unwritable_out_path_is_a_clear_error(tmp_path: Path) -> None:
    result = runner.invoke(
        app, ["knowledge", "review", "--out", str(tmp_path / "missing" / "sheet.html")]
    )
    assert result.exit_code == 2
    assert "--out" in result.output and "Traceback" not in result.output
