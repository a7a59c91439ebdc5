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
