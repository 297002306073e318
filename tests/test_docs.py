"""Keep the commands in the README and the guides true: targets, CLI commands and their options."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

from tests.conftest import REPOSITORY


def make_targets() -> set[str]:
    text = (REPOSITORY / "Makefile").read_text("utf-8")
    return set(re.findall(r"^([a-zA-Z_-]+):.*## ", text, flags=re.MULTILINE))


def test_the_readme_opens_with_the_two_setup_commands() -> None:
    fenced = (REPOSITORY / "README.md").read_text("utf-8").split("```")[1]
    commands = [line.split("#")[0].strip() for line in fenced.splitlines()[1:] if line.strip()]
    assert commands == ["make pilot", "make test"]


def test_ci_runs_the_readmes_test_command() -> None:
    assert "make test" in (REPOSITORY / ".ci" / "run").read_text("utf-8")


def test_every_make_target_named_in_the_docs_exists() -> None:
    targets = make_targets()
    for doc in [REPOSITORY / "README.md", *sorted((REPOSITORY / "docs").rglob("*.md"))]:
        for target in re.findall(r"`make ([a-z-]+)", doc.read_text("utf-8")):
            assert target in targets, f"{doc.name} names 'make {target}', which the Makefile lacks"


def test_make_help_lists_every_target() -> None:
    result = subprocess.run(
        ["make", "--no-print-directory", "help"], cwd=REPOSITORY, capture_output=True, text=True, check=True
    )
    for target in make_targets():
        assert target in result.stdout


def documents() -> list[Path]:
    return [
        REPOSITORY / "README.md",
        *sorted((REPOSITORY / "docs").rglob("*.md")),
        *sorted(REPOSITORY.glob("examples/*/README.md")),
    ]


def test_every_cli_command_in_the_readme_exists() -> None:
    from flows.__main__ import app

    names = {c.name or (c.callback.__name__ if c.callback else "") for c in app.registered_commands}
    for command in re.findall(r"python -m flows ([a-z-]+)", (REPOSITORY / "README.md").read_text("utf-8")):
        assert command in names


def test_every_cli_command_and_option_in_the_docs_exists() -> None:
    import typer.main

    from flows.__main__ import app

    group = typer.main.get_group(app)
    seen = 0
    for doc in documents():
        for command, rest in re.findall(r"python -m flows ([a-z-]+)([^`\n|]*)", doc.read_text("utf-8")):
            found = group.commands.get(command)
            assert found is not None, f"{doc.name} names 'python -m flows {command}', which does not exist"
            options = {name for parameter in found.params for name in parameter.opts}
            for option in re.findall(r"(--[a-z-]+)", rest):
                assert option in options, f"{doc.name}: 'python -m flows {command}' has no option {option}"
            seen += 1
    assert seen >= 10


def test_every_bench_module_and_option_in_the_docs_exists() -> None:
    seen = 0
    for doc in documents():
        for module, rest in re.findall(r"python -m bench\.([a-z_]+)([^`\n|]*)", doc.read_text("utf-8")):
            path = REPOSITORY / "bench" / f"{module}.py"
            assert path.exists(), f"{doc.name} names bench.{module}, which does not exist"
            source = path.read_text("utf-8")
            assert 'if __name__ == "__main__":' in source, f"bench.{module} cannot be run with python -m"
            for option in re.findall(r"(--[a-z-]+)", rest):
                assert f'"{option}"' in source, f"{doc.name}: bench.{module} has no option {option}"
            seen += 1
    assert seen >= 2


def test_every_error_class_is_documented() -> None:
    from instruments import errors

    documented = (REPOSITORY / "docs" / "errors.md").read_text("utf-8")
    classes = [
        name
        for name, value in vars(errors).items()
        if isinstance(value, type) and issubclass(value, errors.EvalcycleError) and value is not errors.EvalcycleError
    ]
    for name in classes:
        assert f"`{name}`" in documented, f"{name} is missing from docs/errors.md"
