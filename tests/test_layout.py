"""The package's shape: no import cycles between dedup's modules, and modules of a readable size.

Imports inside functions are deliberate (a slow dependency loaded only when used) and so are those behind
``TYPE_CHECKING``; module-level imports must form no cycle, so that data flows one way.
"""

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "dedup"
MAX_LINES = 450  # the style guide aims at about 400


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _graph() -> dict[str, set[str]]:
    modules = {_module_name(p): p for p in PACKAGE.rglob("*.py")}
    graph = {}
    for name, path in modules.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        targets = set()
        for item in _module_level(ast.parse(path.read_text(encoding="utf-8")).body):
            if isinstance(item, ast.ImportFrom):
                base = package.split(".")[: len(package.split(".")) - item.level + 1] if item.level else []
                target = ".".join(base + ([item.module] if item.module else []))
                for alias in item.names:
                    full = f"{target}.{alias.name}"
                    targets.add(full if full in modules else target)
            elif isinstance(item, ast.Import):
                targets.update(alias.name for alias in item.names)
        graph[name] = {t for t in targets if t in modules and t != name}
    return graph


def _module_level(body: list[ast.stmt]):
    """Import statements run when the module is imported: at module level, in ``if``/``try``/``with``
    blocks, but not in functions or classes, and not under ``if TYPE_CHECKING``."""
    for node in body:
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            yield node
        elif isinstance(node, ast.If):
            if "TYPE_CHECKING" not in ast.dump(node.test):
                yield from _module_level(node.body)
            yield from _module_level(node.orelse)
        elif isinstance(node, (ast.Try, ast.With)):
            for block in (node.body, *(h.body for h in getattr(node, "handlers", ())),
                          getattr(node, "orelse", []), getattr(node, "finalbody", [])):
                yield from _module_level(block)


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan, iteratively)."""
    index, low, on_stack, stack, found, counter = {}, {}, set(), [], [], [0]
    for root in graph:
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = counter[0]
        counter[0] += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter[0]
                    counter[0] += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph[child]))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return found


def test_the_cycle_finder_finds_a_cycle():
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert _cycles({"a": {"b"}, "b": set()}) == []


def test_no_import_cycles_between_modules():
    graph = _graph()
    assert len(graph) > 30 and any(graph.values()), "the graph was read"
    assert _cycles(graph) == []


def test_modules_stay_readable():
    long = {str(p.relative_to(PACKAGE)): n for p in PACKAGE.rglob("*.py")
            if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_LINES}
    assert long == {}
