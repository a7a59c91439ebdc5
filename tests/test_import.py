"""``import dedup`` and ``dedup --help`` load neither scikit-learn nor scipy (about 2 s of every start);
the public names still resolve, to the same objects as their modules'."""

import json
import subprocess
import sys

import dedup

HEAVY = ("sklearn", "scipy")


def _modules_after(code: str) -> list[str]:
    script = code + f"\nimport json, sys\nprint(json.dumps([m for m in {HEAVY!r} if m in sys.modules]))"
    run = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stderr
    return json.loads(run.stdout.splitlines()[-1])


def test_import_dedup_loads_no_heavy_module():
    assert _modules_after("import dedup") == []


def test_help_loads_no_heavy_module():
    code = ("from dedup.cli.main import main\n"
            "for args in (['--help'], ['scan', '--help'], ['clean', '--help'], ['index', 'add', '--help']):\n"
            "    try:\n"
            "        main(args, standalone_mode=False)\n"
            "    except SystemExit:\n"
            "        pass\n")
    assert _modules_after(code) == []


def test_public_names_resolve_lazily_to_their_modules():
    from dedup.article.detector import Detector, find_redundancy
    from dedup.index.core import Index
    from dedup.records import Report

    assert (dedup.Detector, dedup.find_redundancy, dedup.Index, dedup.Report) == (Detector, find_redundancy, Index,
                                                                                    Report)
    assert set(dedup.__all__) <= set(dir(dedup))
    for name in dedup.__all__:
        assert getattr(dedup, name) is not None
    try:
        dedup.no_such_name
    except AttributeError as err:
        assert "no_such_name" in str(err)
    else:
        raise AssertionError("an unknown name must raise AttributeError")


def test_scan_and_restatement_search_load_no_scikit_learn():
    """scikit-learn is the character TF-IDF's fallback for collections of very many distinct characters only:
    importing it took about a second of every scan and every first ``find_redundancy``."""
    code = ("import dedup\n"
            "from dedup.corpus.scanner import CorpusScanner\n"
            "from dedup.io.readers import Document\n"
            "text = open('data/vance_article.txt', encoding='utf-8').read()\n"
            "assert dedup.find_redundancy(text).groups\n"
            "docs = [Document(f'd{i}', text if i < 2 else text[::-1]) for i in range(4)]\n"
            "assert CorpusScanner(jobs=1).scan(docs).clusters\n")
    assert "sklearn" not in _modules_after(code)


def test_public_names_are_exported_as_type_checkers_read_them():
    """``mypy --strict`` (no implicit re-export) sees a package's names only through a literal ``__all__`` (or
    ``import X as X``): a computed ``__all__`` made ``from dedup import Detector`` an error there. And the
    block a type checker reads imports each public name from the module ``__getattr__`` loads it from."""
    import ast
    from pathlib import Path

    tree = ast.parse(Path(dedup.__file__).read_text(encoding="utf-8"))
    assigned = [node.value for node in tree.body if isinstance(node, ast.Assign)
                and any(isinstance(t, ast.Name) and t.id == "__all__" for t in node.targets)]
    assert len(assigned) == 1 and isinstance(assigned[0], ast.List)
    literal = [ast.literal_eval(element) for element in assigned[0].elts]
    assert sorted(literal) == sorted([*dedup._EXPORTS, "__version__"])
    checking = next(node for node in tree.body if isinstance(node, ast.If) and ast.unparse(node.test) == "TYPE_CHECKING")
    imported = {alias.name: node.module for node in checking.body if isinstance(node, ast.ImportFrom)
                for alias in node.names}
    assert imported == {name: f"dedup.{module}" for name, module in dedup._EXPORTS.items()}
