"""The README's command-line examples, run as shown: every `$ command` in README.md's section
"The command line" (the engine's commands on the files in `examples/`) goes through
the installed `needlesafe` in a shell, from a folder with the repository's `examples/`, and
what it prints must be what the README shows after it. `...` in the README stands for text
left out; spaces and line breaks count as one space (the terminal's width wraps the lines);
the knowledge version (`knowledge 2.20261123+772c5f0de22e`) is read as any version. Commands
shown without output (the aftercare and consent lines) must succeed and write what they name.
Every file in `examples/` is used by some README command.

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
VERSION = re.compile(r"\bknowledge \d+\.\d+\+[0-9a-f]+\b")

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


def readme_blocks() -> list[list[Example]]:
    """Each fenced block of the README's section "The command line" that runs `needlesafe`:
    its commands and what it shows.
    A `$ ` line starts a command (continued while a quote is open or a line ends in `\\`)
    and the lines up to the next `$ ` are its output; a block without `$ ` lists commands
    (after `#` a comment) whose output is not shown."""
    blocks: list[list[Example]] = []
    for body in re.findall(r"^```[a-z]*\n(.*?)^```", command_line_section(), re.M | re.S):
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
    is one space, and a knowledge version is any version."""
    pattern = r".*?".join(
        r"\s+".join(re.escape(word) for word in VERSION.sub("knowledge VERSION", part).split())
        for part in shown.split("...")
    )
    text = VERSION.sub("knowledge VERSION", printed).strip()
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


@pytest.mark.parametrize("block", SHOWN, ids=[_id(b) for b in SHOWN])
def test_a_readme_example_prints_what_the_readme_shows(
    block: list[Example], tmp_path: Path
) -> None:
    for example, printed in zip(block, run_block(block, tmp_path), strict=True):
        assert example.shown is not None
        assert matches(example.shown, printed), (
            f"README.md shows for\n$ {example.command}\n\n{example.shown}\n\n"
            f"but it printed\n\n{printed}"
        )


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
