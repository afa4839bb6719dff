"""The README's command-line examples, run as shown: every `$ command` in README.md's section
"The command line" (the engine's commands on the files in `examples/`) goes through
the installed `needlesafe` in a shell, from a folder with the repository's `examples/`, and
what it prints must be what the README shows after it. `...` in the README stands for text
left out; spaces and line breaks count as one space (the terminal's width wraps the lines);
the knowledge version (`knowledge 2.20261123+772c5f0de22e`) is read as any version, and so is
a database revision (`database at revision 0013_checkin_counts`: each migration renames it).
Commands shown without output (the aftercare and consent lines) must succeed and write what
they name.
Every file in `examples/` is used by some README command.

The `$ needlesafe` examples elsewhere in the README run the same way, each after the steps
its prose describes but does not show (a clinic, the seeded demo, a generated photo, a row
edited with the triggers off: `ELSEWHERE`), or are skipped with the reason (`SKIPPED`); an
example in neither fails, so a new one is run or its skip explained.

`jq` is the real one when installed, otherwise a stand-in for the filters the README uses
(`.a, .b` with -c or -r)."""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
README = ROOT / "README.md"
EXAMPLES = ROOT / "examples"
MARK = "@@@ end of command @@@"
VERSION = re.compile(r"\bknowledge \d+\.\d+\+(?:[0-9a-f]+\b|\.\.\.)")  # a hash, or `...`
REVISION = re.compile(r"\bdatabase at revision \d{4}_\w+")  # the newest migration's name

# The stand-in for jq: options -c / -r and a filter of comma-separated field paths.
JQ = r"""
import json, sys
args = sys.argv[1:]
compact, raw = "-c" in args, "-r" in args
(flt,) = [a for a in args if not a.startswith("-")]
data = json.load(sys.stdin)
for path in flt.split(","):
    path = path.strip()
    assert path.startswith("."), f"jq stand-in: unsupported filter {flt!r}"
    value = data
    for key in filter(None, path[1:].split(".")):
        value = value[key]
    if raw and isinstance(value, str):
        print(value)
    elif compact:
        print(json.dumps(value, separators=(",", ":"), ensure_ascii=False))
    else:
        print(json.dumps(value, indent=2, ensure_ascii=False))
"""


@dataclass
class Example:
    command: str
    shown: str | None  # None: the README shows no output (the command must succeed)
    before: str = ""  # shell steps run first that the README describes but does not show


def _complete(command: str) -> bool:
    if command.endswith("\\"):
        return False
    try:
        shlex.split(command, comments=True)
    except ValueError:  # an open quote: the command goes on on the next line
        return False
    return True


def command_line_section() -> str:
    text = README.read_text("utf-8")
    start = text.index("\n## The command line\n")
    return text[start : text.index("\n## ", start + 1)]


def other_sections() -> str:
    """The README without its section "The command line"."""
    return README.read_text("utf-8").replace(command_line_section(), "\n")


def readme_blocks(section: str | None = None) -> list[list[Example]]:
    """Each fenced block of `section` (default: the README's section "The command line") that
    runs `needlesafe`: its commands and what it shows.
    A `$ ` line starts a command (continued while a quote is open or a line ends in `\\`)
    and the lines up to the next `$ ` are its output; a block without `$ ` lists commands
    (after `#` a comment) whose output is not shown."""
    blocks: list[list[Example]] = []
    text = command_line_section() if section is None else section
    for body in re.findall(r"^```[a-z]*\n(.*?)^```", text, re.M | re.S):
        lines = body.splitlines()
        if "needlesafe" not in body:
            continue
        if not any(line.startswith("$ ") for line in lines):
            blocks.append([Example(line, None) for line in lines if line.startswith("needlesafe ")])
            continue
        examples: list[Example] = []
        i = 0
        while i < len(lines):
            if not lines[i].startswith("$ "):
                i += 1
                continue
            command = lines[i][2:]
            i += 1
            while not _complete(command) and i < len(lines):
                command += "\n" + lines[i]
                i += 1
            shown: list[str] = []
            while i < len(lines) and not lines[i].startswith("$ "):
                shown.append(lines[i])
                i += 1
            examples.append(Example(command, "\n".join(shown).strip()))
        blocks.append(examples)
    return blocks


BLOCKS = readme_blocks()
SHOWN = [block for block in BLOCKS if all(e.shown is not None for e in block)]


def _id(block: list[Example]) -> str:
    return " ".join(block[0].command.split())[:60]


def matches(shown: str, printed: str) -> bool:
    """`printed` is what `shown` shows: `...` is any text, any run of spaces and line breaks
    is one space, and a knowledge version is any version (a database revision any revision)."""

    def general(text: str) -> str:
        return REVISION.sub("database at REVISION", VERSION.sub("knowledge VERSION", text))

    pattern = r".*?".join(
        r"\s+".join(re.escape(word) for word in part.split())
        for part in general(shown).split("...")
    )
    text = general(printed).strip()
    return re.fullmatch(pattern, text, re.S) is not None


def run_block(block: list[Example], folder: Path) -> list[str]:
    """Runs the block's commands in one shell (so `echo $?` sees the command before it) and
    returns what each printed, stdout and stderr together."""
    (folder / "examples").symlink_to(EXAMPLES, target_is_directory=True)
    script = ["set +e"]
    if shutil.which("jq") is None:
        (folder / "jq.py").write_text(JQ, encoding="utf-8")
        script.append(f'jq() {{ {shlex.quote(sys.executable)} "{folder}/jq.py" "$@"; }}')
    for example in block:
        if example.before:  # unseen, unless it fails
            script += [
                "{",
                example.before,
                "} >before.log 2>&1 || { echo 'the unshown steps failed:'; cat before.log; }",
            ]
        script += [example.command, f"__rc=$?; printf '\\n%s\\n' '{MARK}'; (exit $__rc)"]
    bin_dir = Path(sys.executable).parent
    env = {
        **os.environ,
        "PATH": f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}",
        "COLUMNS": "100",
        "NEEDLESAFE_CACHE_DIR": str(folder / "cache"),
    }
    done = subprocess.run(
        ["bash", "-c", "\n".join(script)],
        cwd=folder,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        timeout=300,
    )
    printed = done.stdout.split(MARK)
    assert len(printed) == len(block) + 1, done.stdout
    return [p.strip() for p in printed[:-1]]


def test_the_readme_shows_needlesafe_commands_with_their_output() -> None:
    shown = [e for block in SHOWN for e in block]
    assert len(shown) >= 8, [e.command for e in shown]
    assert all(e.shown for e in shown if not e.command.startswith("echo $?")), shown


def test_every_file_in_examples_is_used_by_a_readme_command() -> None:
    used = {
        name
        for block in BLOCKS
        for example in block
        for name in re.findall(r"examples/([\w.-]+)", example.command)
    }
    assert used == {p.name for p in EXAMPLES.iterdir()}


def test_the_commands_shown_without_output_succeed_and_write_their_files(
    tmp_path: Path,
) -> None:
    quiet = [e for block in BLOCKS for e in block if e.shown is None]
    assert {e.command.split()[1] for e in quiet} == {"aftercare", "consent"}
    script_block = [
        Example(e.command.split("#")[0].strip() + "; echo exit=$?", None) for e in quiet
    ]
    printed = run_block(script_block, tmp_path)
    for example, output in zip(quiet, printed, strict=True):
        assert output.endswith("exit=0"), (example.command, output)
        words = example.command.split("#")[0].split()
        for option in ("--ics", "--out"):
            if option in words:
                written = tmp_path / words[words.index(option) + 1]
                assert written.stat().st_size > 0, example.command
                head = written.read_bytes()[:15]
                assert head.startswith(b"%PDF" if option == "--out" else b"BEGIN:VCALENDAR")
        if "--ics" not in words and "--out" not in words:
            assert output.startswith("Your aftercare plan"), output  # the plan, day by day
            assert "Treatment day Mon 2 Mar 2026" in output, output


def test_the_jq_stand_in_prints_as_jq_does(tmp_path: Path) -> None:
    script = tmp_path / "jq.py"
    script.write_text(JQ, encoding="utf-8")
    data = json.dumps({"a": "x y", "b": ["p", "q"], "c": {"d": 1}})
    for args, out in (
        (["-c", ".a, .b"], '"x y"\n["p","q"]\n'),
        (["-r", ".a, .c.d"], "x y\n1\n"),
    ):
        done = subprocess.run(
            [sys.executable, str(script), *args], input=data, capture_output=True, text=True
        )
        assert done.stdout == out, done.stderr


# ---------------------------------------------------------------- the examples elsewhere

PY = shlex.quote(sys.executable)

# The demo `needlesafe serve` seeds into an empty database, as on the README's day (2 December
# 2026: its treatments were 2 and 9 days before).
DEMO = f"""{PY} - <<'PYTHON'
import datetime as dt

from needlesafe.knowledge.loader import default_knowledge
from needlesafe.services.demo import seed_demo
from needlesafe.store import migrate
from needlesafe.store.db import make_engine, make_session_factory
from needlesafe.store.uow import UnitOfWork

engine = make_engine("sqlite:///needlesafe.db")
migrate.upgrade(engine)
seed_demo(
    UnitOfWork(make_session_factory(engine)),
    knowledge=default_knowledge(),
    secret_key="readme-example-secret-0123456789abcdef",
    base_url="http://127.0.0.1:8766",
    link_max_age=dt.timedelta(days=30),
    today=dt.date(2026, 12, 2),
)
PYTHON"""

# "a generated photo whose areas are Lab (62, 18, 16) and (66, 9, 17)"
PHOTO = f"""{PY} - <<'PYTHON'
import numpy as np
from PIL import Image

from needlesafe.engine.skin_colour import lab_to_linear, linear_to_srgb8

image = np.zeros((60, 150, 3), dtype=np.uint8)
for (x, y, w, h), lab in (((10, 10, 60, 40), (62, 18, 16)), ((90, 10, 50, 40), (66, 9, 17))):
    image[y : y + h, x : x + w] = linear_to_srgb8(lab_to_linear(np.array([lab], float)))[0]
Image.fromarray(image).save("cheek.png")
PYTHON"""

VENV = shlex.quote(str(Path(sys.executable).parents[1]))  # the test's own environment

CLINIC = "needlesafe db upgrade && needlesafe admin create-clinic Riverside --phone '555 0100'"

# "With the append-only triggers switched off, an edited ... row is found"
TAMPER = f"""{PY} - <<'PYTHON'
import sqlite3

db = sqlite3.connect("needlesafe.db")
db.executescript(
    "DROP TRIGGER audit_events_no_update; DROP TRIGGER audit_events_no_delete; "
    "UPDATE audit_events SET action = 'read' WHERE id = 1;"
)
db.close()
PYTHON"""

# Each `$ needlesafe` example outside "The command line" (its words, spaces as one) and the
# steps run before it; its block's examples run in order in one folder.
ELSEWHERE = {
    'needlesafe lots trace CART-DEMO-001 --clinic "Demo Clinic"': DEMO,
    "needlesafe photo measure cheek.png --treated 10,10,60,40 --reference 90,10,50,40": PHOTO,
    "needlesafe photo measure cheek.png --treated 10,10,60,40 --reference 90,10,50,40 --json": "",
    'needlesafe export fhir 1 --clinic "Demo Clinic" -o alex.json': DEMO,
    'needlesafe export fhir 99 --clinic "Demo Clinic"': "",
    # run from a checkout: here the test's own environment
    ".venv/bin/needlesafe knowledge check": f"ln -s {VENV} .venv",
    "needlesafe db upgrade": "",
    "needlesafe audit verify": CLINIC,
    "needlesafe audit verify # after UPDATE audit_events SET action='read' WHERE id=1": TAMPER,
    "needlesafe backup riverside.backup": CLINIC,
    "needlesafe restore riverside.backup --database-url sqlite:///restored.db": "",
    # 100,000 treatments: about 3 s and 5 s here
    "needlesafe demo-data --treatments 100000 --seed 7 --out registry": "",
    "needlesafe report registry --out registry/report": "",
}

# The ones not run, and why.
SKIPPED = {
    # the README's patient was treated through the pages on 2 December with no mail server;
    # the seeded demo's treatments (30 and 23 November) make other jobs due. The worker's days
    # and counts are tested in tests/followup (test_jobs.py, test_reminders.py).
    "needlesafe worker --once --now 2026-12-03T09:59Z": "state made through the pages",
    "needlesafe worker --once --now 2026-12-03T10:00Z": "state made through the pages",
    "needlesafe worker --once --now 2026-12-04T10:00Z": "state made through the pages",
    "needlesafe worker --once --now 2026-12-05T10:00Z": "state made through the pages",
    # serves until stopped, and prints a new random check-in link each time
    "needlesafe serve --port 8766": "a running server",
}


def _words(command: str) -> str:
    return " ".join(command.split())


OTHER_BLOCKS = [
    block for block in readme_blocks(other_sections()) if any(e.shown is not None for e in block)
]
OTHERS = [
    [
        Example(e.command, e.shown, ELSEWHERE[_words(e.command)])
        for e in block
        if _words(e.command) in ELSEWHERE
    ]
    for block in OTHER_BLOCKS
]
OTHERS = [block for block in OTHERS if block]


def test_every_needlesafe_example_elsewhere_is_run_or_skipped_with_a_reason() -> None:
    commands = [_words(e.command) for block in OTHER_BLOCKS for e in block]
    assert all("needlesafe " in c for c in commands), commands
    unknown = [c for c in commands if c not in ELSEWHERE and c not in SKIPPED]
    assert not unknown, f"add each to ELSEWHERE (with its unshown steps) or SKIPPED: {unknown}"
    assert set(commands) == set(ELSEWHERE) | set(SKIPPED)  # no entry for an example gone


@pytest.mark.parametrize("block", [*SHOWN, *OTHERS], ids=[_id(b) for b in [*SHOWN, *OTHERS]])
def test_a_readme_example_prints_what_the_readme_shows(
    block: list[Example], tmp_path: Path
) -> None:
    for example, printed in zip(block, run_block(block, tmp_path), strict=True):
        assert example.shown is not None
        assert matches(example.shown, printed), (
            f"README.md shows for\n$ {example.command}\n\n{example.shown}\n\n"
            f"but it printed\n\n{printed}"
        )
