"""The README's two commands are the ones CI runs, and the repository keeps its house rules."""

import ast
import re
import subprocess
import sys

from tests.conftest import REPO


def _readme_commands() -> list[str]:
    text = (REPO / "README.md").read_text(encoding="utf-8")
    return re.findall(r"```bash\n(.+?)\n```", text)[:2]


def test_the_readme_starts_with_the_two_commands() -> None:
    text = (REPO / "README.md").read_text(encoding="utf-8")
    main, tests = _readme_commands()
    assert text.index(main) < text.index(tests) < text.index("## ")
    assert "pip install ." in main
    assert '".[dev]"' in tests
    assert "pytest" in tests


def test_ci_runs_exactly_the_readme_commands() -> None:
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8")
    for command in _readme_commands():
        assert command in ci


def _imports(package: str) -> set[str]:
    names: set[str] = set()
    for path in (REPO / package).rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names |= {a.name.split(".")[0] for a in node.names}
            elif isinstance(node, ast.ImportFrom) and node.module:
                names.add(node.module.split(".")[0])
    return names


def test_imports_run_one_way() -> None:
    assert not {"features", "matcher", "service", "fastapi"} & _imports("geodata")
    assert not {"matcher", "service", "fastapi"} & _imports("features")
    assert not {"service", "fastapi"} & _imports("matcher")


def test_reading_villages_loads_neither_matplotlib_nor_the_web_stack() -> None:
    code = (
        "import sys, geodata; geodata.read_villages(); "
        "print(sorted({'matplotlib', 'fastapi'} & set(sys.modules)))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_the_readme_example_runs() -> None:
    text = (REPO / "README.md").read_text(encoding="utf-8")
    example = next(
        block for block in re.findall(r"```python\n(.+?)\n```", text, re.S) if "recommend" in block
    )
    namespace: dict[str, object] = {}
    exec(compile(example, "README.md", "exec"), namespace)
    assert len(namespace["ranking"].results) == 5  # type: ignore[attr-defined]
