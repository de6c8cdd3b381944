"""Mutation testing of the pure core, one module at a time, with that module's own tests.

A mutant is the module with one small change (``<`` for ``<=``, ``and`` for ``or``, a
constant off by one, a dropped argument...). Its tests *kill* it when at least one fails;
a mutant that *survives* is a change of behaviour that no test notices. The score of a
module is killed / (mutants - skipped): the share of such changes its tests catch.

``tests/mutation/targets.cfg`` lists the modules and their tests::

    [peerlearn/content/merge.py]
    tests = tests/content/test_merge.py tests/content/test_merge_properties.py

For each module this copies the project into ``mutants/<module>/`` (a scratch folder,
ignored by git, kept afterwards for ``mutmut show`` and ``mutmut browse``), runs mutmut 3
there with only that module mutated and only its tests selected, and prints a table.
It exits with status 1 if any module scores below the threshold (95 % unless told).

    python tests/mutation/run.py                      # every module in targets.cfg
    python tests/mutation/run.py peerlearn/content/merge.py
    make mutation MODULE=peerlearn/content/merge.py

Property tests use the hypothesis profile "mutation" (few, derandomized examples), and
mutmut runs one test process at a time unless ``--max-children`` says otherwise: the
machine is shared.
"""

from __future__ import annotations

import argparse
import configparser
import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
TARGETS = ROOT / "tests" / "mutation" / "targets.cfg"
SCRATCH = ROOT / "mutants"
#: What a test run needs besides the package and the tests: fixtures read the shipped
#: course bundles, the app reads the compiled catalogs.
SUPPORT = ("courses", "translations", "wsgi.py", "babel.cfg")
COPY = ("peerlearn", "tests", "setup.cfg", "pyproject.toml", *SUPPORT)
IGNORE = shutil.ignore_patterns("__pycache__", "*.pyc", "node_modules", ".hypothesis", "*.sqlite3")
THRESHOLD = 95.0


@dataclass(frozen=True)
class Score:
    """The outcome for one module."""

    module: str
    mutants: int
    killed: int
    survivors: tuple[str, ...]

    @property
    def survived(self) -> int:
        return len(self.survivors)

    @property
    def percent(self) -> float:
        tested = self.killed + self.survived
        return 100.0 * self.killed / tested if tested else 100.0


def read_targets(path: Path = TARGETS) -> dict[str, list[str]]:
    """Module path -> its test files, in the order of the file."""
    parser = configparser.ConfigParser()
    if not parser.read(path, encoding="utf-8"):
        raise SystemExit(f"{path} is missing")
    targets = {}
    for module in parser.sections():
        tests = parser.get(module, "tests", fallback="").split()
        if not tests:
            raise SystemExit(f"{path}: [{module}] lists no tests")
        for name in [module, *tests]:
            if not (ROOT / name).is_file():
                raise SystemExit(f"{path}: [{module}] names {name}, which does not exist")
        targets[module] = tests
    return targets


def _toml_list(values: list[str]) -> str:
    return "[" + ", ".join(json.dumps(value) for value in values) + "]"


def prepare(module: str, tests: list[str]) -> Path:
    """A fresh copy of the project in which mutmut mutates only ``module``."""
    scratch = SCRATCH / module.removesuffix(".py").replace("/", ".")
    if scratch.exists():
        shutil.rmtree(scratch)
    scratch.mkdir(parents=True)
    for name in COPY:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, scratch / name, ignore=IGNORE)
        elif source.exists():
            shutil.copy2(source, scratch / name)
    config = f"""
[tool.mutmut]
source_paths = ["peerlearn"]
only_mutate = {_toml_list([module])}
pytest_add_cli_args_test_selection = {_toml_list(tests)}
pytest_add_cli_args = ["-p", "no:cacheprovider"]
also_copy = {_toml_list(list(SUPPORT))}
use_git_change_detection = false
"""
    with (scratch / "pyproject.toml").open("a", encoding="utf-8") as file:
        file.write(config)
    return scratch


def mutmut(scratch: Path, *args: str, capture: bool = False) -> subprocess.CompletedProcess[str]:
    """Run mutmut (from this interpreter's environment) in ``scratch``."""
    executable = Path(sys.executable).with_name("mutmut")
    env = {**os.environ, "HYPOTHESIS_PROFILE": "mutation", "PYTHONDONTWRITEBYTECODE": "1"}
    env.pop("PEERLEARN_TEST_DATABASE_URL", None)  # SQLite: each mutant gets its own database
    return subprocess.run(
        [str(executable), *args], cwd=scratch, env=env, text=True, capture_output=capture,
        check=False,
    )  # fmt: skip


def score(module: str, scratch: Path) -> Score:
    """Read mutmut's verdicts for ``module`` from its meta file in ``scratch``."""
    meta = scratch / "mutants" / f"{module}.meta"
    if not meta.is_file():
        raise SystemExit(f"mutmut left no results for {module} (see its output above)")
    verdicts: dict[str, int | None] = json.loads(meta.read_text())["exit_code_by_key"]
    # mutmut's exit codes: 1 or 3 a failing test, 36/24/152/255/-24 a timeout (a mutant
    # that loops is caught), 37 caught by the type checker, 34 skipped; anything else
    # (0 survived, 5/33 no test ran it, None not checked) counts against the module.
    caught = {1, 3, 24, -24, 36, 37, 152, 255}
    tested = {name: code for name, code in verdicts.items() if code != 34}
    killed = sum(1 for code in tested.values() if code in caught)
    survivors = tuple(sorted(name for name, code in tested.items() if code not in caught))
    return Score(module, len(tested), killed, survivors)


def table(scores: list[Score], threshold: float) -> str:
    width = max([len("module"), *(len(s.module) for s in scores)])
    lines = [f"{'module':<{width}}  mutants  killed  survived   score"]
    for s in scores:
        flag = "" if s.percent >= threshold else "  < " + f"{threshold:g}%"
        counts = f"{s.mutants:>7}  {s.killed:>6}  {s.survived:>8}  {s.percent:5.1f}%"
        lines.append(f"{s.module:<{width}}  {counts}{flag}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("modules", nargs="*", help="modules from targets.cfg (default: all)")
    parser.add_argument("--max-children", type=int, default=1, help="parallel test processes")
    parser.add_argument("--threshold", type=float, default=THRESHOLD, help="lowest passing score")
    parser.add_argument("--show", action="store_true", help="print the diff of each survivor")
    args = parser.parse_args(argv)

    targets = read_targets()
    unknown = [m for m in args.modules if m not in targets]
    if unknown:
        parser.error(f"not in {TARGETS.relative_to(ROOT)}: {', '.join(unknown)}")
    scores = []
    for module in args.modules or list(targets):
        print(f"== {module}", flush=True)
        scratch = prepare(module, targets[module])
        if mutmut(scratch, "run", "--max-children", str(args.max_children)).returncode != 0:
            print(f"mutmut failed for {module}; its copy is in {scratch}", file=sys.stderr)
            return 2
        result = score(module, scratch)
        scores.append(result)
        for name in result.survivors:
            if args.show:
                print(mutmut(scratch, "show", name, capture=True).stdout)
            else:
                print(f"   survived: {name}")
        if result.survivors:
            print(f"   see one:  cd {scratch.relative_to(ROOT)} && mutmut show <name>")
    print()
    print(table(scores, args.threshold))
    return 0 if all(s.percent >= args.threshold for s in scores) else 1


if __name__ == "__main__":
    sys.exit(main())
