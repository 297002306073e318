"""Guards on the layout: layered imports, nothing of ours installed, module-path entrypoints."""

from __future__ import annotations

import importlib
import importlib.metadata
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import REPOSITORY

PACKAGES = ("flows", "instruments", "validation", "analysis", "reports")


def test_import_linter_contracts_are_kept() -> None:
    lint_imports = Path(sys.executable).parent / "lint-imports"
    result = subprocess.run([str(lint_imports)], cwd=REPOSITORY, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


@pytest.mark.parametrize("package", PACKAGES)
def test_our_packages_are_imported_from_the_repository_not_site_packages(package: str) -> None:
    distributions = importlib.metadata.packages_distributions()
    assert package not in distributions, f"{package} is provided by {distributions.get(package)}"
    module = importlib.import_module(package)
    assert Path(str(module.__file__)).resolve() == REPOSITORY / package / "__init__.py"


@pytest.mark.parametrize("package", [*PACKAGES, "tests", "bench"])
def test_package_init_files_are_empty(package: str) -> None:
    assert (REPOSITORY / package / "__init__.py").read_text("utf-8") == ""


def test_no_flow_module_shadows_a_package_we_import() -> None:
    forbidden = set(PACKAGES) | set(sys.stdlib_module_names) | set(importlib.metadata.packages_distributions())
    stems = {p.stem for p in (REPOSITORY / "flows").glob("*.py")} - {"__init__", "__main__"}
    assert not stems & forbidden


def test_every_deployment_entrypoint_loads_as_a_module_path() -> None:
    from prefect.flows import load_flow_from_entrypoint

    from flows.serve import deployments

    loaded = deployments()
    assert loaded
    for deployment in loaded:
        entrypoint = str(deployment.entrypoint)
        assert ".py:" not in entrypoint, "use module-path entrypoints (EntrypointType.MODULE_PATH)"
        flow: Any = load_flow_from_entrypoint(entrypoint, use_placeholder_flow=False)
        assert flow.name == deployment.flow_name
