"""`needlesafe aftercare`: the readable plan, --json, --ics, bulk lines and bad input (exit 2,
one line naming the field, no traceback)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from icalendar import Calendar
from typer.testing import CliRunner

from needlesafe.cli import app

runner = CliRunner()
EXAMPLE = Path(__file__).parents[2] / "examples" / "aftercare.json"


def test_the_example_prints_a_day_by_day_plan() -> None:
    result = runner.invoke(app, ["aftercare", str(EXAMPLE)])
    assert result.exit_code == 0, result.output
    for words in (
        "Your aftercare plan",
        "Treatment day",
        "Day 1",
        "What to avoid",
        "Your check-ups",
        "Call 911 now.",
        "555-0100",
    ):
        assert words in result.stdout, words


def test_json_gives_the_plan_data() -> None:
    result = runner.invoke(app, ["aftercare", "--json", str(EXAMPLE)])
    assert result.exit_code == 0, result.output
    plan = json.loads(result.stdout)
    assert plan["treatment_date"] == "2026-03-02"
    assert plan["days"][0]["day"] == 0 and plan["days"][0]["date"] == "2026-03-02"
    assert {"do_antiviral", "avoid_sun_strict"} <= {i["id"] for i in plan["items"]}
    assert plan["red_flags"][0]["action"] == "emergency"


def test_ics_writes_a_calendar_that_parses(tmp_path: Path) -> None:
    out = tmp_path / "aftercare.ics"
    result = runner.invoke(app, ["aftercare", "--json", "--ics", str(out), str(EXAMPLE)])
    assert result.exit_code == 0, result.output
    calendar = Calendar.from_ical(out.read_bytes())
    events = list(calendar.walk("VEVENT"))
    plan = json.loads(result.stdout)
    assert len(events) == plan["reminder_days"] + len(plan["milestones"]) + len(plan["follow_ups"])


def test_ics_to_stdout() -> None:
    result = runner.invoke(app, ["aftercare", "--ics", "-", str(EXAMPLE)])
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("BEGIN:VCALENDAR")
    assert Calendar.from_ical(result.stdout.encode()).walk("VEVENT")


def test_without_a_treatment_date_the_plan_starts_today() -> None:
    data = json.loads(EXAMPLE.read_text())
    data.pop("treatment_date")
    result = runner.invoke(app, ["aftercare", "--json", "-"], input=json.dumps(data))
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["treatment_date"] == dt.date.today().isoformat()


def test_yaml_input_works(tmp_path: Path) -> None:
    path = tmp_path / "request.yaml"
    path.write_text(
        "patient: {age: 30, fitzpatrick: III}\n"
        "plan: {areas: [back], needle_depth_mm: 2.0, device: roller}\n"
        "treatment_date: 2026-05-01\n"
    )
    result = runner.invoke(app, ["aftercare", "--json", str(path)])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["depth_band"] == "deep"


def bad(data: object, *args: str) -> tuple[int, str]:
    text = data if isinstance(data, str) else json.dumps(data)
    result = runner.invoke(app, ["aftercare", *args, "-"], input=text)
    return result.exit_code, result.stderr


def test_bad_input_exits_2_naming_the_field() -> None:
    good = json.loads(EXAMPLE.read_text())
    cases = [
        ({**good, "treatment_date": "2026-13-01"}, "treatment_date:"),
        ({**good, "treatmnt_date": "2026-03-01"}, "did you mean `treatment_date`"),
        ({**good, "plan": {**good["plan"], "areas": ["cheek"]}}, "plan.areas[0]"),
        ({**good, "patient": {**good["patient"], "fitzpatrick": "VII"}}, "patient.fitzpatrick"),
        ("{not json", "not valid JSON"),
        ([1, 2], "expected a JSON object"),
    ]
    for data, words in cases:
        code, err = bad(data)
        assert code == 2, (data, err)
        assert words in err, (words, err)
        assert "Traceback" not in err
    code, err = bad({**good, "treatment_date": "nope"}, "--ics", "-")
    assert code == 2 and "treatment_date" in err


def test_a_missing_file_exits_2() -> None:
    result = runner.invoke(app, ["aftercare", "no/such/file.json"])
    assert result.exit_code == 2
    assert "no such file" in result.stderr


def test_bulk_lines_give_one_result_each(tmp_path: Path) -> None:
    good = json.loads(EXAMPLE.read_text())
    path = tmp_path / "batch.jsonl"
    path.write_text(json.dumps(good) + "\n" + json.dumps({**good, "plan": {}}) + "\n")
    result = runner.invoke(app, ["aftercare", str(path)])
    assert result.exit_code == 2
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert lines[0]["treatment_date"] == "2026-03-02"
    assert lines[1]["line"] == 2 and "plan.areas" in lines[1]["error"]
    assert runner.invoke(app, ["aftercare", "--ics", "x.ics", str(path)]).exit_code == 2
