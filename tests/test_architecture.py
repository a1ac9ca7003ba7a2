"""ARCHITECTURE.md's dependency rules, checked on the source with `ast`: one-way apps, no cycles, public names."""

import ast
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

# Cycles closed only by an import inside a function (the usual way to break one at import time). Each entry
# is a sorted tuple of the modules of one cycle; an entry here is a debt to pay, so the list starts empty.
ALLOWED_FUNCTION_LEVEL_CYCLES: set[tuple[str, ...]] = set()


@dataclass(frozen=True)
class ImportEdge:
    """One module's use of another: where, and whether it runs when the module is imported."""

    source: str
    target: str
    line: int
    at_module_level: bool


@dataclass(frozen=True)
class NameUse:
    """A name taken from another module (`from m import name`, or `m.name` on an imported module)."""

    source: str
    module: str
    name: str
    line: int


def module_files(package_dir: Path) -> dict[str, Path]:
    """Every module of a package and its subpackages, by dotted name."""
    modules = {}
    for path in sorted(package_dir.rglob("*.py")):
        parts = path.relative_to(package_dir.parent).with_suffix("").parts
        if parts[-1] == "__init__":
            parts = parts[:-1]
        modules[".".join(parts)] = path
    return modules


def _absolute_module(module: str, is_package: bool, level: int, name: str | None) -> str:
    """The module a `from ... import` in `module` names, `level` dots up (0: already absolute)."""
    if not level:
        return name
    package = module if is_package else module.rpartition(".")[0]
    base = package.split(".")[: len(package.split(".")) - (level - 1)]
    return ".".join([*base, name] if name else base)


def _string_argument(call: ast.Call, position: int) -> str | None:
    if len(call.args) > position and isinstance(call.args[position], ast.Constant):
        value = call.args[position].value
        return value if isinstance(value, str) else None
    return None


def _dynamic_import_target(call: ast.Call) -> str | None:
    """The module a call loads by name: `import_module("m")`, `__import__("m")`, `get_model("app", ...)` or
    `get_model("app.Model")` (the app label stands for the app's package)."""
    function = call.func
    called = function.attr if isinstance(function, ast.Attribute) else getattr(function, "id", None)
    if called in ("import_module", "__import__"):
        return _string_argument(call, 0)
    if called == "get_model":
        label = _string_argument(call, 0)
        return label.partition(".")[0] if label else None
    return None


class _ModuleReader(ast.NodeVisitor):
    """Collects one module's imports, noting which run only inside a function or a TYPE_CHECKING block."""

    def __init__(self, module: str, is_package: bool):
        self.module = module
        self.is_package = is_package
        self.depth = 0
        self.imports: list[tuple[str, list[str], int, bool]] = []
        self.aliases: dict[str, str] = {}
        self.attribute_uses: list[tuple[str, str, int]] = []

    def _inside(self, node):
        self.depth += 1
        self.generic_visit(node)
        self.depth -= 1

    visit_FunctionDef = visit_AsyncFunctionDef = visit_Lambda = _inside

    def visit_If(self, node):
        test = node.test
        guarded = getattr(test, "id", None) == "TYPE_CHECKING" or getattr(test, "attr", None) == "TYPE_CHECKING"
        if guarded:
            self._inside(node)
        else:
            self.generic_visit(node)

    def visit_Import(self, node):
        for alias in node.names:
            self.imports.append((alias.name, [], node.lineno, self.depth == 0))
            # `import a.b` binds `a`; `import a.b as s` binds `s` to `a.b`.
            bound = alias.name if alias.asname else alias.name.partition(".")[0]
            self.aliases[alias.asname or bound] = bound

    def visit_ImportFrom(self, node):
        target = _absolute_module(self.module, self.is_package, node.level, node.module)
        names = [alias.name for alias in node.names]
        self.imports.append((target, names, node.lineno, self.depth == 0))
        for alias in node.names:
            self.aliases[alias.asname or alias.name] = f"{target}.{alias.name}"

    def visit_Call(self, node):
        target = _dynamic_import_target(node)
        if target:
            self.imports.append((target, [], node.lineno, False))
        self.generic_visit(node)

    def visit_Attribute(self, node):
        dotted = []
        value = node
        while isinstance(value, ast.Attribute):
            dotted.append(value.attr)
            value = value.value
        if isinstance(value, ast.Name) and value.id in self.aliases:
            path = [self.aliases[value.id], *reversed(dotted)]
            for end in range(1, len(path)):
                self.attribute_uses.append((".".join(path[:end]), path[end], node.lineno))
        else:
            self.generic_visit(node)


def read_package(package_dir: Path) -> tuple[list[ImportEdge], list[NameUse]]:
    """The import edges and the imported names of every module of a package, read with `ast` (nothing runs)."""
    edges, names = [], []
    modules = module_files(package_dir)
    for module, path in modules.items():
        reader = _ModuleReader(module, path.name == "__init__.py")
        reader.visit(ast.parse(path.read_text(encoding="utf-8"), filename=str(path)))
        for target, imported, line, at_module_level in reader.imports:
            # `from package import submodule` depends on the submodule; `from module import name` on the module.
            submodules = {f"{target}.{name}" for name in imported if f"{target}.{name}" in modules}
            takes_names = not imported or len(submodules) < len(imported)
            for dependency in sorted(submodules) + ([target] if takes_names else []):
                edges.append(ImportEdge(module, dependency, line, at_module_level))
            names.extend(NameUse(module, target, name, line) for name in imported)
        names.extend(NameUse(module, owner, name, line) for owner, name, line in reader.attribute_uses)
    return edges, names


def is_within(module: str, package: str) -> bool:
    return module == package or module.startswith(package + ".")


def import_cycles(edges: list[ImportEdge]) -> set[tuple[str, ...]]:
    """The strongly connected groups of two or more modules (Tarjan), each as a sorted tuple."""
    graph: dict[str, set[str]] = {}
    for edge in edges:
        if edge.source != edge.target:
            graph.setdefault(edge.source, set()).add(edge.target)
            graph.setdefault(edge.target, set())
    index, lowlink, on_stack, stack, cycles = {}, {}, set(), [], set()

    def connect(node):
        index[node] = lowlink[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for successor in graph[node]:
            if successor not in index:
                connect(successor)
                lowlink[node] = min(lowlink[node], lowlink[successor])
            elif successor in on_stack:
                lowlink[node] = min(lowlink[node], index[successor])
        if lowlink[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                cycles.add(tuple(sorted(group)))

    for node in sorted(graph):
        if node not in index:
            connect(node)
    return cycles


def internal_edges(edges: list[ImportEdge], package: str) -> list[ImportEdge]:
    return [edge for edge in edges if is_within(edge.target, package)]


def forbidden_imports(edges: list[ImportEdge], forbidden_package: str) -> list[str]:
    return [f"{e.source}:{e.line} -> {e.target}" for e in edges if is_within(e.target, forbidden_package)]


def private_names_used(names: list[NameUse], modules: set[str]) -> list[str]:
    """Uses of a module's `_private` names; attributes of its classes (`Model._meta`) are the class's business."""
    return [
        f"{use.source}:{use.line} uses {use.module}.{use.name}"
        for use in names
        if use.module in modules and use.name.startswith("_") and not use.name.startswith("__")
    ]


@pytest.fixture(scope="module")
def villages_code():
    return read_package(ROOT / "villages")


def test_villages_never_imports_rural_services(villages_code):
    edges, _ = villages_code
    assert len(edges) > 100, "the reader found too few imports to be reading the app"
    assert forbidden_imports(edges, "rural_services") == []


def test_villages_has_no_import_cycle_at_module_level(villages_code):
    edges, _ = villages_code
    module_level = [edge for edge in internal_edges(edges, "villages") if edge.at_module_level]
    assert import_cycles(module_level) == set()


def test_villages_has_no_cycle_closed_by_a_function_level_import(villages_code):
    edges, _ = villages_code
    internal = internal_edges(edges, "villages")
    module_level_cycles = import_cycles([edge for edge in internal if edge.at_module_level])
    closed_in_functions = import_cycles(internal) - module_level_cycles
    assert closed_in_functions == ALLOWED_FUNCTION_LEVEL_CYCLES


def test_rural_services_uses_only_public_names_of_villages():
    _, names = read_package(ROOT / "rural_services")
    assert any(is_within(use.module, "villages") for use in names), "rural_services is read as importing villages"
    assert private_names_used(names, set(module_files(ROOT / "villages"))) == []


def write_files(root: Path, files: dict[str, str]) -> None:
    for relative, text in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


def test_the_checker_finds_cycles_forbidden_imports_and_private_names(tmp_path):
    write_files(
        tmp_path,
        {
            "demo/__init__.py": "",
            "demo/a.py": "from demo import b\n",
            "demo/b.py": "from . import a\n",
            "demo/c.py": "def later():\n    from demo.d import run\n",
            "demo/d.py": "import demo.c\n",
            "demo/e.py": (
                "import importlib\nfrom django.apps import apps\nfrom typing import TYPE_CHECKING\n"
                "if TYPE_CHECKING:\n    from demo import a\n"
                "def lazy():\n    import other.models\n"
                "def by_name():\n    return importlib.import_module('other.tasks')\n"
                "def by_label():\n    return apps.get_model('other', 'Thing')\n"
                "from other.services import _secret\nimport other.selectors as s\nvalue = s._hidden\n"
                "from other.models import Thing\nlabel = Thing._meta.label\n"
            ),
            "other/__init__.py": "",
            "other/models.py": "",
            "other/selectors.py": "",
            "other/services.py": "",
        },
    )
    edges, names = read_package(tmp_path / "demo")
    internal = internal_edges(edges, "demo")
    module_level = import_cycles([edge for edge in internal if edge.at_module_level])
    assert module_level == {("demo.a", "demo.b")}
    assert import_cycles(internal) - module_level == {("demo.c", "demo.d")}
    assert sorted(forbidden_imports(edges, "other")) == [
        "demo.e:11 -> other",
        "demo.e:12 -> other.services",
        "demo.e:13 -> other.selectors",
        "demo.e:15 -> other.models",
        "demo.e:7 -> other.models",
        "demo.e:9 -> other.tasks",
    ]
    assert sorted(private_names_used(names, set(module_files(tmp_path / "other")))) == [
        "demo.e:12 uses other.services._secret",
        "demo.e:14 uses other.selectors._hidden",
    ]


# A villages template reaches the service network through a URL name or a template tag library of its own.
RURAL_SERVICES_IN_TEMPLATE = ("rural_services:", "rural_services/", "service_points")


def templates_mentioning(template_dir: Path, words: tuple[str, ...]) -> list[str]:
    """The template lines (file:line) that name any of `words`."""
    found = []
    for path in sorted(template_dir.rglob("*.html")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if any(word in line for word in words):
                found.append(f"{path.relative_to(template_dir)}:{number}")
    return found


def test_villages_templates_never_reach_into_rural_services():
    assert templates_mentioning(ROOT / "villages" / "templates", RURAL_SERVICES_IN_TEMPLATE) == []
    # The check itself reads the service network's own templates as reaching into it.
    assert templates_mentioning(ROOT / "rural_services" / "templates", RURAL_SERVICES_IN_TEMPLATE)
