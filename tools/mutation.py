"""Mutation testing of reglab: change one formula at a time, check that the unit tests fail.

Usage (from the repository root; ``make mutation`` runs the first line)::

    python tools/mutation.py                      # every module of MODULE_TESTS, 2 workers
    python tools/mutation.py layers train -j 1    # some modules, one worker
    python tools/mutation.py --list layers        # print the mutants, run nothing

The mutants are generated from the source as it is when the tool runs: each module of
``helpers/reglab`` listed in MODULE_TESTS is parsed (``ast``) and every site of its formula
code gives one mutant per applicable operator:

- ``binop``:    + ↔ -,  * ↔ /,  // → /,  ** → *
- ``augassign``: += ↔ -=,  *= ↔ /=
- ``unary``:    -x → x
- ``const``:    a number c → c + 1 (0 → 1), True ↔ False
- ``compare``:  < ↔ <=,  > ↔ >=,  == ↔ !=
- ``unwrap``:   np.sqrt(x) → x (also abs, square, exp, log, log1p, sign, tanh)
- ``reduce``:   sum ↔ mean, max ↔ min, maximum ↔ minimum (np.f(...) or x.f(...))

plus the named mutations of NAMED (e.g. the penalty scaled by the batch size instead of
the training-set size m), matched in the syntax tree; a named mutation whose target is no
longer found is reported, not silently dropped.

Validation code is not mutated: ``raise`` statements and the ``if`` that guards them,
``assert``, calls to ``check_*`` / ``_check*`` functions, warnings, strings and f-strings,
docstrings, annotations, default values of parameters, decorators, ``__repr__``/``__str__``
and ``plot*`` functions.

Each mutant is written into a private copy of the package and the unit tests mapped to its
module are run on it (``pytest -x -q -p no:cacheprovider``) in a process forked from one
that has already imported pytest and numpy (no start-up cost per mutant). The mutant is
*killed* when a test fails, errors or exceeds the time limit, *survives* when all pass.

Equivalent mutants (changes that cannot alter behaviour) are listed in
``tools/mutation_equivalent.txt`` by a stable identifier (module, function, kind,
``before -> after``: no line numbers) with the reason; they are left out of the score,
and entries that no longer match a mutant are reported as stale.

The last line printed is the score: killed / (mutants - equivalent).
"""

from __future__ import annotations

import argparse
import ast
import os
import shutil
import signal
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "helpers" / "reglab"
EQUIVALENT_FILE = ROOT / "tools" / "mutation_equivalent.txt"

# Module -> the unit tests that exercise it (test files under tests/); test_formulas.py,
# the tests written against surviving mutants, runs first for every module.
CORE = ["test_gradients.py", "test_properties.py"]
MODULE_TESTS = {
    "layers": [*CORE, "test_flat_storage.py", "test_dropout.py", "test_train.py",
               "test_layer_contract.py"],
    "losses": ["test_losses.py", *CORE, "test_mixup.py"],
    "penalties": ["test_penalties.py", *CORE, "test_train.py"],
    "optim": ["test_optim.py", "test_flat_storage.py", "test_properties.py", "test_schedules.py"],
    "train": ["test_train.py", "test_adversarial.py", "test_bad_calls.py",
              "test_layer_contract.py", "test_sam.py"],
    "theory": ["test_theory.py", "test_coordinate.py", "test_landscape.py", "test_bad_calls.py"],
    "augment": ["test_augment.py", "test_invariance.py"],
    "gradcheck": [*CORE, "test_normalization.py", "test_landscape.py"],
    "conv": ["test_conv.py", "test_layer_contract.py"],
    "normalization": ["test_normalization.py", "test_layer_contract.py"],
    "schedules": ["test_schedules.py"],
    "ensemble": ["test_ensemble.py", "test_invariance.py", "test_layer_contract.py"],
    "adversarial": ["test_adversarial.py", "test_layer_contract.py"],
    "multitask": ["test_multitask.py"],
    "activity": ["test_activity.py", "test_layer_contract.py"],
    "landscape": ["test_landscape.py"],
    "coordinate": ["test_coordinate.py"],
    "invariance": ["test_invariance.py"],
    "stacked": ["test_stacked.py"],
    "tangent": ["test_tangent.py"],
    "sam": ["test_sam.py"],
    "mixup": ["test_mixup.py"],
    "averaging": ["test_averaging.py"],
    "colour_vision": ["test_colour_vision.py"],
}

BINOP_SWAP = {ast.Add: ast.Sub, ast.Sub: ast.Add, ast.Mult: ast.Div, ast.Div: ast.Mult,
              ast.FloorDiv: ast.Div, ast.Pow: ast.Mult}
COMPARE_SWAP = {ast.Lt: ast.LtE, ast.LtE: ast.Lt, ast.Gt: ast.GtE, ast.GtE: ast.Gt,
                ast.Eq: ast.NotEq, ast.NotEq: ast.Eq}
UNWRAP = {"sqrt", "abs", "square", "exp", "log", "log1p", "sign", "tanh"}
REDUCE_SWAP = {"sum": "mean", "mean": "sum", "max": "min", "min": "max",
               "maximum": "minimum", "minimum": "maximum"}
SKIP_FUNCTIONS = ("__repr__", "__str__")
SKIP_PREFIXES = ("plot", "check_", "_check")


@dataclass
class Mutant:
    module: str
    function: str   # qualified name of the enclosing function ("<module>" at top level)
    kind: str
    before: str
    after: str
    start: int      # byte offsets of the replaced source
    end: int
    replacement: str
    line: int
    ident: str = ""

    def apply(self, source: bytes) -> bytes:
        return source[:self.start] + self.replacement.encode() + source[self.end:]


# ---------------------------------------------------------------- generating mutants

def _offsets(source: bytes) -> list[int]:
    starts, pos = [], 0
    for line in source.splitlines(keepends=True):
        starts.append(pos)
        pos += len(line)
    return starts


def _is_np(node) -> bool:
    return isinstance(node, ast.Name) and node.id == "np"


def _call_name(node: ast.Call) -> str:
    f = node.func
    return f.id if isinstance(f, ast.Name) else f.attr if isinstance(f, ast.Attribute) else ""


def _guards_raise(node: ast.If) -> bool:
    return any(isinstance(s, ast.Raise) for s in node.body)


def _variants(node) -> list[tuple[str, ast.AST]]:
    """(kind, mutated copy) for every generic mutation of ``node`` itself."""
    out = []
    if isinstance(node, ast.BinOp) and type(node.op) in BINOP_SWAP:
        new = ast.BinOp(node.left, BINOP_SWAP[type(node.op)](), node.right)
        out.append(("binop", new))
    elif isinstance(node, ast.AugAssign) and type(node.op) in BINOP_SWAP:
        out.append(("augassign", ast.AugAssign(node.target, BINOP_SWAP[type(node.op)](),
                                               node.value)))
    elif isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        out.append(("unary", node.operand))
    elif isinstance(node, ast.Constant) and type(node.value) in (int, float, bool):
        if isinstance(node.value, bool):
            out.append(("const", ast.Constant(not node.value)))
        else:
            out.append(("const", ast.Constant(node.value + 1)))
    elif isinstance(node, ast.Compare) and len(node.ops) == 1 \
            and type(node.ops[0]) in COMPARE_SWAP:
        out.append(("compare", ast.Compare(node.left, [COMPARE_SWAP[type(node.ops[0])]()],
                                           node.comparators)))
    elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
        name = node.func.attr
        if _is_np(node.func.value) and name in UNWRAP and len(node.args) == 1 \
                and not node.keywords:
            out.append(("unwrap", node.args[0]))
        if name in REDUCE_SWAP and (_is_np(node.func.value) or name in ("sum", "mean")):
            func = ast.Attribute(node.func.value, REDUCE_SWAP[name], ast.Load())
            out.append(("reduce", ast.Call(func, node.args, node.keywords)))
    return out


class _Collector(ast.NodeVisitor):
    """Walk the formula code of one module and record every mutation site."""

    def __init__(self, module: str, source: bytes):
        self.module, self.source = module, source
        self.starts = _offsets(source)
        self.scope: list[str] = []
        self.mutants: list[Mutant] = []

    def span(self, node) -> tuple[int, int]:
        return (self.starts[node.lineno - 1] + node.col_offset,
                self.starts[node.end_lineno - 1] + node.end_col_offset)

    def add(self, node, kind: str, new, *, statement: bool = False):
        start, end = self.span(node)
        text = ast.unparse(new)
        self.mutants.append(Mutant(
            self.module, ".".join(self.scope) or "<module>", kind, ast.unparse(node), text,
            start, end, text if statement else f"({text})", node.lineno))

    def generic_visit(self, node):
        for kind, new in _variants(node):
            self.add(node, kind, new, statement=isinstance(node, ast.stmt))
        super().generic_visit(node)

    def visit_FunctionDef(self, node):
        if node.name in SKIP_FUNCTIONS or node.name.startswith(SKIP_PREFIXES):
            return
        self.scope.append(node.name)
        for stmt in node.body:           # not the decorators, defaults, annotations
            self.visit(stmt)
        self.scope.pop()

    visit_AsyncFunctionDef = visit_FunctionDef

    def visit_ClassDef(self, node):
        self.scope.append(node.name)
        for stmt in node.body:
            self.visit(stmt)
        self.scope.pop()

    def visit_Lambda(self, node):
        self.scope.append("<lambda>")
        self.visit(node.body)
        self.scope.pop()

    def visit_If(self, node):
        if not _guards_raise(node):
            self.visit(node.test)
            for stmt in node.body:
                self.visit(stmt)
        for stmt in node.orelse:
            self.visit(stmt)

    def visit_Expr(self, node):          # docstrings and bare calls
        if not isinstance(node.value, ast.Constant):
            self.visit(node.value)

    def visit_AnnAssign(self, node):
        if node.value is not None:
            self.visit(node.value)

    def visit_Call(self, node):
        name = _call_name(node)
        if name.startswith(("check_", "_check")) or name == "warn":
            return
        self.generic_visit(node)

    def visit_Raise(self, node):
        pass

    def visit_Assert(self, node):
        pass

    def visit_JoinedStr(self, node):
        pass

    def visit_Import(self, node):
        pass

    visit_ImportFrom = visit_Import


# Named mutations: (module, name, finder). A finder takes the module's tree and returns
# the list of (node, replacement source) it would change; empty when the target is gone.

def _penalty_with_batch_size(tree):
    """_gradients adds penalty.grad(W, B) with B the batch size instead of m."""
    sites = []
    for fn in ast.walk(tree):
        if isinstance(fn, ast.FunctionDef) and fn.name == "_gradients" and len(fn.args.args) > 1:
            batch = fn.args.args[1].arg
            for call in ast.walk(fn):
                if isinstance(call, ast.Call) and _call_name(call) == "grad":
                    sites += [(a, f"np.shape({batch})[0]") for a in call.args
                              if isinstance(a, ast.Name) and a.id == "m"]
    return sites


def _xavier_scale(tree):
    """The Xavier (Glorot) standard deviation off by a factor √2: sqrt(1/(n_in + n_out))."""
    sites = []
    for d in ast.walk(tree):
        if isinstance(d, ast.Dict):
            for k, v in zip(d.keys, d.values, strict=True):
                if isinstance(k, ast.Constant) and k.value == "xavier" \
                        and isinstance(v, ast.Lambda):
                    sites.append((v.body, f"({ast.unparse(v.body)}) / np.sqrt(2.0)"))
    return sites


NAMED = [
    ("train", "penalty scaled by the batch size instead of m", _penalty_with_batch_size),
    ("layers", "Xavier scale off by sqrt(2)", _xavier_scale),
]


def mutants_of(module: str) -> tuple[list[Mutant], list[str]]:
    """All mutants of ``reglab.<module>`` and the named mutations whose target is missing."""
    source = (PACKAGE / f"{module}.py").read_bytes()
    tree = ast.parse(source)
    collector = _Collector(module, source)
    collector.visit(tree)
    missing = []
    for target, name, finder in NAMED:
        if target != module:
            continue
        sites = finder(tree)
        if not sites:
            missing.append(f"{module}: named mutation {name!r}: target not found")
        for node, text in sites:
            start, end = collector.span(node)
            collector.mutants.append(Mutant(module, name, "named", ast.unparse(node), text,
                                            start, end, f"({text})", node.lineno))
    seen: dict[str, int] = {}
    valid = []
    for mut in collector.mutants:
        ident = f"{mut.module} | {mut.function} | {mut.kind} | {mut.before} -> {mut.after}"
        seen[ident] = seen.get(ident, 0) + 1
        mut.ident = ident if seen[ident] == 1 else f"{ident} | #{seen[ident]}"
        try:
            compile(mut.apply(source), module, "exec")
        except SyntaxError:
            continue
        valid.append(mut)
    return valid, missing


def read_equivalent() -> dict[str, str]:
    """Identifier -> reason, from EQUIVALENT_FILE (``ident || reason`` per line)."""
    out = {}
    if EQUIVALENT_FILE.exists():
        for line in EQUIVALENT_FILE.read_text(encoding="utf-8").splitlines():
            if line.strip() and not line.startswith("#"):
                ident, _, reason = line.partition(" || ")
                out[ident.strip()] = reason.strip()
    return out


# ---------------------------------------------------------------- running mutants

def _preload() -> None:
    """Import, once before the forks, what reglab and the tests import, but not reglab."""
    import hypothesis  # noqa: F401
    import pytest  # noqa: F401
    sys.path.insert(0, str(PACKAGE.parent))
    import reglab  # noqa: F401
    sys.path.pop(0)
    for name in [n for n in sys.modules if n == "reglab" or n.startswith("reglab.")]:
        del sys.modules[name]


def _run_tests(helpers: Path, tests: list[str]) -> int:
    """In a forked child: import reglab from ``helpers`` and run ``tests``; exit code."""
    import pytest
    from hypothesis import Phase, settings
    # A failing property is enough: no shrinking, no example database.
    settings.register_profile("mutation", phases=[Phase.explicit, Phase.generate],
                              database=None)
    settings.load_profile("mutation")
    sys.dont_write_bytecode = True
    sys.path.insert(0, str(helpers))
    fd = os.open(os.devnull, os.O_WRONLY)
    os.dup2(fd, 1)
    os.dup2(fd, 2)
    paths = [str(ROOT / "tests" / t) for t in ["test_formulas.py", *tests]]
    return pytest.main(["-x", "-q", "-p", "no:cacheprovider", "-p", "no:nbval", "-o", "addopts=",
                        "--rootdir", str(ROOT), *paths])


class Pool:
    """Up to ``jobs`` children at a time, each on its own copy of the package."""

    def __init__(self, jobs: int, tmp: Path):
        self.slots = []
        for i in range(jobs):
            helpers = tmp / f"slot{i}"
            shutil.copytree(PACKAGE, helpers / "reglab",
                            ignore=shutil.ignore_patterns("__pycache__"))
            self.slots.append(helpers)
        self.free = list(range(jobs))
        self.running: dict[int, tuple] = {}   # pid -> (slot, mutant, started, timeout)

    def start(self, mutant: Mutant | None, module: str, source: bytes, timeout: float):
        slot = self.free.pop()
        path = self.slots[slot] / "reglab" / f"{module}.py"
        path.write_bytes(source if mutant is None else mutant.apply(source))
        pid = os.fork()
        if pid == 0:
            code = 3
            try:
                code = _run_tests(self.slots[slot], MODULE_TESTS[module])
            finally:
                os._exit(int(code))
        self.running[pid] = (slot, mutant, time.monotonic(), timeout, path, source)

    def wait_one(self) -> tuple[Mutant | None, str, float]:
        """Wait for a child to end; (mutant, outcome, seconds)."""
        while True:
            for pid, (slot, mutant, started, timeout, path, source) in list(self.running.items()):
                done, status = os.waitpid(pid, os.WNOHANG)
                elapsed = time.monotonic() - started
                if not done and elapsed > timeout:
                    os.kill(pid, signal.SIGKILL)
                    os.waitpid(pid, 0)
                    outcome = "timeout"
                elif done:
                    code = os.waitstatus_to_exitcode(status)
                    outcome = {0: "survived", 1: "killed", 2: "killed"}.get(code, f"error {code}")
                else:
                    continue
                path.write_bytes(source)
                del self.running[pid]
                self.free.append(slot)
                return mutant, outcome, elapsed
            time.sleep(0.02)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("modules", nargs="*", help="modules of reglab (default: all mapped)")
    parser.add_argument("-j", "--jobs", type=int, default=2, help="parallel workers")
    parser.add_argument("--list", action="store_true", help="print the mutants and stop")
    parser.add_argument("-v", "--verbose", action="store_true", help="print every outcome")
    args = parser.parse_args(argv)
    modules = args.modules or list(MODULE_TESTS)
    unknown = [m for m in modules if m not in MODULE_TESTS]
    if unknown:
        parser.error(f"unknown module(s) {unknown}; choose from {sorted(MODULE_TESTS)}")
    if args.jobs < 1:
        parser.error(f"--jobs must be >= 1, got {args.jobs}")

    equivalent = read_equivalent()
    plan, notes = [], []
    for module in modules:
        mutants, missing = mutants_of(module)
        plan.append((module, mutants))
        notes += missing
    if args.list:
        for _, mutants in plan:
            for mut in mutants:
                flag = "  [equivalent]" if mut.ident in equivalent else ""
                print(f"{mut.module}.py:{mut.line}: {mut.ident}{flag}")
        return 0

    os.environ.update(OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1", MKL_NUM_THREADS="1",
                      MPLBACKEND="Agg", PYTHONDONTWRITEBYTECODE="1")
    _preload()

    t0 = time.monotonic()
    counts = dict(killed=0, survived=0, equivalent=0, timeout=0, error=0)
    survivors, errors, seen_ids = [], [], set()
    with tempfile.TemporaryDirectory(prefix="reglab-mutation-") as tmp:
        pool = Pool(args.jobs, Path(tmp))
        for module, mutants in plan:
            source = (PACKAGE / f"{module}.py").read_bytes()
            pool.start(None, module, source, timeout=600)      # the unmutated baseline
            _, outcome, base = pool.wait_one()
            if outcome != "survived":
                print(f"{module}: the unit tests {MODULE_TESTS[module]} fail without any "
                      f"mutation ({outcome}); fix them first")
                return 2
            timeout = max(10.0, 5 * base)
            todo = []
            for mut in mutants:
                seen_ids.add(mut.ident)
                if mut.ident in equivalent:
                    counts["equivalent"] += 1
                else:
                    todo.append(mut)
            tm = time.monotonic()
            queue = list(todo)
            while queue or pool.running:
                while queue and pool.free:
                    pool.start(queue.pop(0), module, source, timeout)
                mut, outcome, _ = pool.wait_one()
                key = outcome.split()[0]
                counts[key] += 1
                if outcome == "survived":
                    survivors.append(mut)
                    print(f"  survived {mut.module}.py:{mut.line}: {mut.ident}", flush=True)
                elif key == "error":
                    errors.append((mut, outcome))
                if args.verbose and outcome != "survived":
                    print(f"  {outcome:8s} {mut.module}.py:{mut.line}: {mut.ident}")
            print(f"{module:14s} {len(mutants):4d} mutants, "
                  f"{sum(m in survivors for m in todo):3d} surviving "
                  f"(tests {base:.1f} s, mutants {time.monotonic() - tm:.0f} s)", flush=True)

    for mut in survivors:
        print(f"SURVIVED {mut.module}.py:{mut.line}: {mut.ident}")
    for mut, outcome in errors:
        print(f"ERROR ({outcome}) {mut.module}.py:{mut.line}: {mut.ident}")
    stale = [i for i in equivalent if i.split(" | ")[0] in modules and i not in seen_ids]
    for ident in stale:
        print(f"STALE equivalent entry (no such mutant any more): {ident}")
    for note in notes:
        print(f"MISSING {note}")
    total = sum(len(m) for _, m in plan)
    killed = counts["killed"] + counts["timeout"] + counts["error"]
    scored = total - counts["equivalent"]
    score = 100.0 * killed / scored if scored else 100.0
    print(f"{total} mutants: {killed} killed ({counts['timeout']} by timeout), "
          f"{counts['equivalent']} equivalent, {len(survivors)} surviving; "
          f"{time.monotonic() - t0:.0f} s with {args.jobs} worker(s)")
    print(f"mutation score: {score:.1f}% ({killed}/{scored} non-equivalent mutants killed)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
