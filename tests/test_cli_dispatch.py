"""Running one command imports only its own command module (start-up time of `enrich`)."""

from __future__ import annotations

import importlib
import subprocess
import sys
from pathlib import Path

import pytest
import typer

from bma_news.commands import COMMAND_MODULES, COMMANDS_BY_MODULE, modules_for


@pytest.mark.parametrize("module", sorted(COMMANDS_BY_MODULE))
def test_each_module_registers_the_commands_listed_for_it(module):
    app = typer.Typer()
    importlib.import_module(f"bma_news.commands.{module}").register(app)
    names = [c.name for c in app.registered_commands] + [g.name for g in app.registered_groups]
    assert sorted(names) == sorted(COMMANDS_BY_MODULE[module])


def test_every_listed_module_is_a_command_module():
    assert set(COMMANDS_BY_MODULE) <= set(COMMAND_MODULES)


def test_a_command_imports_its_module_only():
    assert modules_for(["enrich", "--input", "x"]) == ("nlp",)
    assert modules_for(["es", "up"]) == ("es",)


@pytest.mark.parametrize("argv", [[], ["--help"], ["no-such-command"], ["--input", "enrich"]])
def test_help_and_unknown_commands_import_every_module(argv):
    assert modules_for(argv) == COMMAND_MODULES


def test_enrich_process_does_not_import_other_groups_dependencies(tmp_path):
    """The real console path: `python -m bma_news.cli enrich` on a missing file fails with its
    one line, having imported neither the crawler's sources nor the settings machinery."""
    probe = (
        "import runpy, sys\n"
        "sys.argv = ['bma-news', 'enrich', '-i', sys.argv[1], '-o', sys.argv[2]]\n"
        "try:\n"
        "    runpy.run_module('bma_news.cli', run_name='__main__')\n"
        "except SystemExit:\n"
        "    pass\n"
        "print(sorted(m for m in ('crawler.sources', 'pydantic_settings', 'bma_news.commands.es',"
        " 'bma_news.commands.search') if m in sys.modules))\n"
    )
    done = subprocess.run([sys.executable, "-c", probe, str(tmp_path / "missing.jsonl"),
                           str(tmp_path / "out.jsonl")], capture_output=True, text=True)
    assert done.stdout.strip() == "[]"
    assert "input file not found" in done.stderr


def test_help_still_lists_every_command():
    done = subprocess.run([sys.executable, "-m", "bma_news.cli", "--help"],
                          capture_output=True, text=True)
    for names in COMMANDS_BY_MODULE.values():
        for name in names:
            assert name in done.stdout


@pytest.mark.parametrize("command", sorted(n for names in COMMANDS_BY_MODULE.values()
                                           for n in names))
def test_every_command_runs_by_its_name_when_its_module_is_imported_alone(command):
    # a module registering one command (crawl, serve) must not become the whole app
    script = Path(sys.executable).with_name("bma-news")  # the console script users run
    done = subprocess.run([str(script), command, "--help"],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert f"Usage: bma-news {command}" in " ".join(done.stdout.split()), done.stdout[:300]
