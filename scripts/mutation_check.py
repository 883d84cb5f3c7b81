"""Do the tests catch the bugs they claim to? Apply deliberate bugs ("mutations") to a copy of
the repository, one at a time, and run the tests that must catch each one.

    python scripts/mutation_check.py              # every mutation, a table at the end
    python scripts/mutation_check.py --list       # the mutations and their tests
    python scripts/mutation_check.py --only NAME  # one (repeat --only for more)

Run it by hand before you stop (it is not part of CI). For each mutation it copies the working
tree (the files git tracks or would track, uncommitted changes included) to a temporary folder,
replaces an exact piece of text in one or more files (it stops, loudly, if a piece is not found
exactly once), and runs `python -m pytest -x -q -p no:cacheprovider <its tests>` there. A
mutation is caught when the tests fail, and survives when they pass. The tests are first run
once on an unmutated copy: they must pass there, or a failure would prove nothing.

Exit status: 0 when every mutation is caught, 1 when one survived or could not be run, 2 when
the list itself is wrong (a piece of text not found exactly once) or the unmutated tests fail.

Add a mutation for every bug you fix: the bug as it was, and the tests that now catch it.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TIMEOUT = 600  # seconds for one pytest run


@dataclass(frozen=True)
class Edit:
    path: str  # relative to the repository root
    old: str  # must occur exactly once in the file
    new: str


@dataclass(frozen=True)
class Mutation:
    name: str
    edits: tuple[Edit, ...]
    tests: tuple[str, ...]  # test files (or node ids) that must fail


def mutation(name: str, path: str, old: str, new: str, *tests: str) -> Mutation:
    """A mutation that changes one piece of one file."""
    return Mutation(name, (Edit(path, old, new),), tuple(tests))


OPTIMIZER_TESTS = "tests/unit/test_optimizers.py"
LAYER_TESTS = "tests/unit/test_layers.py"
EXPRESSION_TESTS = "tests/unit/test_expression.py"
I18N_TESTS = "tests/app/test_i18n.py"
IMAGE_TESTS = "tests/app/test_images.py"
EDITOR_TESTS = "tests/app/test_editors.py"

MUTATIONS: list[Mutation] = [
    # The house (issue 12): one state holder, loops inside fragments, the arrows.
    mutation(
        "held-model-rebuilt-on-every-run",
        "ui/state.py",
        "if isinstance(current, Held) and current.config == config:",
        "if isinstance(current, Held) and current.config is config:",
        "tests/app/test_state.py",
    ),
    mutation(
        "loop-in-a-fragment-keeps-its-timer",
        "ui/live.py",
        "        elif st.session_state.get(timed, False) != self.running:\n"
        "            st.rerun(scope=\"app\")\n",
        "",
        "tests/app/test_live.py",
    ),
    mutation(
        "engine-imports-streamlit",
        "engine/functions.py",
        "import numpy as np\n",
        "import numpy as np\nimport streamlit  # noqa: F401\n",
        "tests/unit/test_layout.py",
    ),
    mutation(
        "adam-step-per-parameter",
        "engine/optimizers.py",
        "    def update(self, params, grads) -> None:\n"
        "        self.t += 1  # one step for all parameters\n"
        "        super().update(params, grads)\n"
        "\n"
        "    def _update_one(self, key, p, g) -> None:\n"
        "        xp = get_array_module(p)\n",
        "    def update(self, params, grads) -> None:\n"
        "        super().update(params, grads)\n"
        "\n"
        "    def _update_one(self, key, p, g) -> None:\n"
        "        xp = get_array_module(p)\n"
        "        self.t += 1\n",
        OPTIMIZER_TESTS,
    ),
    mutation(
        "optimizer-state-shared-by-shape",
        "engine/optimizers.py",
        "slot = (name, key)",
        "slot = (name, like.shape)",
        OPTIMIZER_TESTS,
    ),
    mutation(
        "nesterov-in-the-books-misprinted-form",
        "engine/optimizers.py",
        "        p += self.momentum * v\n        p -= self.lr * g\n",
        "        p += self.momentum * self.momentum * v\n"
        "        p -= (1 + self.momentum) * self.lr * g\n",
        OPTIMIZER_TESTS,
    ),
    mutation(
        "batchnorm-momentum-ignored",
        "engine/layers.py",
        "            m = self.momentum\n",
        "            m = 0.0\n",
        LAYER_TESTS,
    ),
    mutation(
        "batchnorm-inference-uses-the-batch-mean",
        "engine/layers.py",
        "            xc = x - self.running_mean\n",
        "            xc = x - x.mean(axis=0)\n",
        LAYER_TESTS,
    ),
    mutation(
        "check-layer-drops-parameter-checks",
        "engine/gradcheck.py",
        "for (name, a), n in zip(analytic, numeric, strict=True)]",
        'for (name, a), n in zip(analytic, numeric, strict=True) if name == "x"]',
        LAYER_TESTS,
    ),
    mutation(
        "max-rel-error-of-nothing-is-zero",
        "engine/gradcheck.py",
        "        if not self.checks:\n"
        '            raise ValueError("no gradients were checked, so there is no error to '
        'report")\n'
        "        return max(c.rel_error for c in self.checks)\n",
        "        return max((c.rel_error for c in self.checks), default=0.0)\n",
        LAYER_TESTS,
    ),
    mutation(
        "length-limit-allows-201",
        "lessons/expression.py",
        "if length > MAX_LENGTH:",
        "if length > MAX_LENGTH + 1:",
        EXPRESSION_TESTS,
    ),
    mutation(
        "length-limit-refuses-200",
        "lessons/expression.py",
        "if length > MAX_LENGTH:",
        "if length >= MAX_LENGTH:",
        EXPRESSION_TESTS,
    ),
    mutation(
        "depth-limit-allows-21",
        "lessons/expression.py",
        "if depth > MAX_DEPTH:",
        "if depth > MAX_DEPTH + 1:",
        EXPRESSION_TESTS,
    ),
    mutation(
        "depth-limit-refuses-20",
        "lessons/expression.py",
        "if depth > MAX_DEPTH:",
        "if depth >= MAX_DEPTH:",
        EXPRESSION_TESTS,
    ),
    mutation(
        "keyword-allowed-beside-an-argument",
        "lessons/expression.py",
        "if node.keywords or len(node.args) != 1",
        "if (node.keywords and not node.args) or len(node.args) != 1",
        EXPRESSION_TESTS,
    ),
    mutation(
        "starred-argument-not-refused-as-a-call-form",
        "lessons/expression.py",
        " or isinstance(node.args[0], ast.Starred):",
        ":",
        EXPRESSION_TESTS,
    ),
    mutation(
        "trainer-never-reshuffles",
        "engine/trainer.py",
        "        self.history.epochs.append(record)\n"
        "        self._order = self.rng.permutation(len(self.x_train))\n",
        "        self.history.epochs.append(record)\n",
        "tests/unit/test_trainer.py",
    ),
    mutation(
        "power-zero-has-gradient-one",
        "engine/autograd.py",
        "if p != 0 else np.zeros_like(dy)",
        "if p != 0 else np.ones_like(dy)",
        "tests/unit/test_graph.py",
    ),
    # The catalogs' tests belong to the app tests (tests/app/test_i18n.py).
    mutation(
        "korean-value-left-in-english",
        "ui/locales/ko/common.json",
        '  "lesson.layers.title": "계층",\n',
        '  "lesson.layers.title": "Layer zoo",\n',
        I18N_TESTS,
    ),
    # --- issue 13: the notes' Korean terms, and errors in the learner's language
    mutation(
        "korean-term-drifts-back",
        "ui/locales/ko/common.json",
        '  "lesson.layers.title": "계층",\n',
        '  "lesson.layers.title": "레이어",\n',
        "tests/app/test_korean_terms.py",
    ),
    mutation(
        "diverged-error-without-its-step",
        "engine/trainer.py",
        "loss=loss, step=self.step_count + 1, lr=self.optimizer.lr)",
        "loss=loss, lr=self.optimizer.lr)",
        "tests/app/test_error_codes.py",
    ),
    mutation(
        "coded-error-said-in-english",
        "ui/messages.py",
        "if code is not None and key in load_catalog(lang):",
        "if False:",
        "tests/app/test_layers_page.py::test_korean_chain_shape_error",
    ),
    mutation(
        "worked-product-reads-b-by-rows",
        "lessons/layers.py",
        "(float(A[i, k]), float(B[k, j]))",
        "(float(A[i, k]), float(B[j, k]))",
        "tests/unit/test_lessons_layers.py",
    ),
    mutation(
        "superscript-two-read-as-a-size",
        "lessons/layers.py",
        "if not (tok.isascii() and tok.isdigit()):",
        "if not tok.isdigit():",
        "tests/unit/test_layers_lesson_engine.py",
    ),
    mutation(
        "softmax-paths-swapped",
        "lessons/graph.py",
        'down[(f"exp(a{k})", "S")], down[(f"exp(a{k})", f"y{k}")],',
        'down[(f"exp(a{k})", f"y{k}")], down[(f"exp(a{k})", "S")],',
        "tests/unit/test_lessons_graph.py",
    ),
    mutation(
        "l1-gradient-forgets-the-sign",
        "engine/network.py",
        "self.grads[key] += self.weight_decay_l1 * self.xp.sign(self.params[key])",
        "self.grads[key] += self.weight_decay_l1 * self.params[key]",
        "tests/unit/test_network.py",
    ),
    mutation(
        "diagram-click-in-a-gap-opens-a-neuron",
        "viz/playground.py",
        "    return (c, u) if inside else None\n",
        "    return (c, u)\n",
        "tests/unit/test_viz_playground.py",
    ),
    mutation(
        "hidden-delta-without-the-sigmoids-slope",
        "lessons/perceptron.py",
        "    delta_h = h_prime * back\n",
        "    delta_h = back\n",
        "tests/unit/test_lessons_perceptron.py",
    ),
    Mutation(
        "placeholder-dropped-from-both-catalogs",
        (
            Edit("ui/locales/ko/graph.json",
                 '  "graph.step.progress": "노드 {n}개 중 {k}개 처리",\n',
                 '  "graph.step.progress": "노드 {n}개 중 일부 처리",\n'),
            Edit("ui/locales/en/graph.json",
                 '  "graph.step.progress": "{k} of {n} nodes done",\n',
                 '  "graph.step.progress": "some of {n} nodes done",\n'),
        ),
        (I18N_TESTS,),
    ),
    # --- issue 20: what a hostile client sends (the fast tests; tests/security holds the
    # same cases over the websocket)
    mutation(
        "drawing-of-another-size-accepted",
        "ui/images.py",
        "        if image.size != (side, side):\n            raise bad\n",
        "",
        IMAGE_TESTS,
    ),
    mutation(
        "pixels-counted-after-decoding",
        "ui/images.py",
        "    if width * height > max_pixels:\n",
        "    if False:\n",
        IMAGE_TESTS,
    ),
    mutation(
        "uploads-open-in-any-format",
        "ui/images.py",
        "image = Image.open(io.BytesIO(data), formats=list(formats))",
        "image = Image.open(io.BytesIO(data))",
        IMAGE_TESTS,
    ),
    mutation(
        "editor-rows-unbounded",
        "ui/editors.py",
        "    if (added or deleted) and rows_after > limits.max_rows:\n",
        "    if False:\n",
        EDITOR_TESTS,
    ),
    mutation(
        "editor-values-unchecked",
        "ui/editors.py",
        "            problem = _number_problem(value, limits)\n",
        "            problem = None\n",
        EDITOR_TESTS,
    ),
    mutation(
        "uploads-kept-without-a-cap",
        "ui/runtime.py",
        "            while len(files) > MAX_UPLOADS_PER_SESSION:\n",
        "            while False:\n",
        "tests/app/test_runtime.py",
    ),
    mutation(
        "link-values-as-escaped-markdown",  # as it was: escaped, and still autolinked
        "ui/params.py",
        "value=code_span(raw, 40)",
        'value=__import__("ui.messages").messages.escape_markdown(raw[:40])',
        "tests/app/test_markdown_safety.py::test_link_values_reach_markdown_only_as_code"
        "[graph-bare-url]",
    ),
    mutation(
        "code-span-fence-of-one-backtick",
        "ui/messages.py",
        '    fence = "`" * (max((len(run) for run in _BACKTICKS.findall(shown)), default=0) + 1)\n',
        '    fence = "`"\n',
        "tests/app/test_markdown_safety.py::test_link_values_reach_markdown_only_as_code"
        "[graph-backticks]",
    ),
    mutation(
        "weight-chain-without-the-column-label",
        "ui/mnist_view.py",
        ',\n' + " " * 39 + '"averaged_cols": t("mnist.chain.averaged_cols")}',
        "}",
        "tests/app/test_extremes.py::test_the_largest_mnist_network_is_the_one_built",
    ),
]


class ListError(Exception):
    """The mutation list does not fit the working tree."""


def repository_files() -> list[str]:
    """Files git tracks or would track (untracked ones that are not ignored), as they are now."""
    out = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z"],
        cwd=ROOT, check=True, capture_output=True,
    ).stdout.decode()
    return sorted({f for f in out.split("\0") if f and (ROOT / f).is_file()})


def check_list(mutations: list[Mutation]) -> None:
    """Every piece of text occurs exactly once, and every test file exists."""
    names = [m.name for m in mutations]
    if len(set(names)) != len(names):
        raise ListError("two mutations share a name")
    for m in mutations:
        for edit in m.edits:
            path = ROOT / edit.path
            if not path.is_file():
                raise ListError(f"{m.name}: {edit.path} does not exist")
            count = path.read_text(encoding="utf-8").count(edit.old)
            if count != 1:
                raise ListError(f"{m.name}: the text to replace occurs {count} times in "
                                f"{edit.path}, not once:\n{edit.old}")
            if edit.old == edit.new:
                raise ListError(f"{m.name}: the edit in {edit.path} changes nothing")
        for test in m.tests:
            if not (ROOT / test.split("::")[0]).exists():
                raise ListError(f"{m.name}: the test {test} does not exist")


def make_copy(files: list[str]) -> Path:
    folder = Path(tempfile.mkdtemp(prefix="mutation-check-"))
    for f in files:
        target = folder / f
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / f, target)
    return folder


def apply(folder: Path, edits: tuple[Edit, ...]) -> None:
    for edit in edits:
        path = folder / edit.path
        text = path.read_text(encoding="utf-8")
        if text.count(edit.old) != 1:  # checked already; the copy must be the same
            raise ListError(f"the copy of {edit.path} does not hold the text exactly once")
        path.write_text(text.replace(edit.old, edit.new), encoding="utf-8")


def run_tests(folder: Path, tests: tuple[str, ...]) -> tuple[int, str]:
    """(pytest's exit status, the end of its output), run inside the copy."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    cmd = [sys.executable, "-m", "pytest", "-x", "-q", "-rfE", "-p", "no:cacheprovider", *tests]
    try:
        proc = subprocess.run(cmd, cwd=folder, env=env, capture_output=True, text=True,
                              timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        return -1, f"timed out after {TIMEOUT} s"
    return proc.returncode, (proc.stdout + proc.stderr)[-3000:]


def imports_from_the_copy(folder: Path) -> bool:
    """The copy's engine is the one imported there, not the original's."""
    proc = subprocess.run([sys.executable, "-c", "import engine; print(engine.__file__)"],
                          cwd=folder, capture_output=True, text=True)
    return Path(proc.stdout.strip()).resolve().is_relative_to(folder.resolve())


def first_failure(output: str) -> str:
    """The test that failed first, from pytest's short summary ('FAILED path::test - ...')."""
    for line in output.splitlines():
        if line.startswith(("FAILED ", "ERROR ")):
            return line.split(" ", 1)[1].split(" - ")[0]
    return ""


# pytest's exit status: 0 all passed, 1 some failed, 2 interrupted (a collection error, such
# as a mutation that breaks an import); the rest mean the run itself went wrong.
VERDICTS = {0: "SURVIVED", 1: "caught", 2: "caught (collection error)"}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", action="append", metavar="NAME",
                        help="run only this mutation (may be repeated)")
    parser.add_argument("--list", action="store_true", help="list the mutations and exit")
    parser.add_argument("--no-baseline", action="store_true",
                        help="skip the unmutated run (when you know the tests pass)")
    parser.add_argument("--verbose", action="store_true",
                        help="print the end of pytest's output for every mutation")
    args = parser.parse_args()

    chosen = MUTATIONS
    if args.only:
        unknown = sorted(set(args.only) - {m.name for m in MUTATIONS})
        if unknown:
            print(f"unknown mutation(s): {', '.join(unknown)}; see --list", file=sys.stderr)
            return 2
        chosen = [m for m in MUTATIONS if m.name in args.only]

    if args.list:
        for m in chosen:
            files = ", ".join(dict.fromkeys(e.path for e in m.edits))
            print(f"{m.name}\n    changes {files}\n    caught by {', '.join(m.tests)}")
        return 0

    try:
        check_list(chosen)
    except ListError as err:
        print(f"mutation list: {err}", file=sys.stderr)
        return 2

    files = repository_files()
    if not args.no_baseline:
        tests = tuple(dict.fromkeys(t for m in chosen for t in m.tests))
        folder = make_copy(files)
        try:
            if not imports_from_the_copy(folder):
                print("the copy imports the original repository's engine: check PYTHONPATH "
                      "and installed packages", file=sys.stderr)
                return 2
            start = time.perf_counter()
            rc, output = run_tests(folder, tests)
        finally:
            shutil.rmtree(folder, ignore_errors=True)
        if rc != 0:
            print(f"the unmutated tests do not pass (pytest exit status {rc}); fix them "
                  f"first:\n{output}", file=sys.stderr)
            return 2
        print(f"unmutated: {len(tests)} test files pass ({time.perf_counter() - start:.1f} s)")

    rows = []
    for m in chosen:
        folder = make_copy(files)
        try:
            apply(folder, m.edits)
            start = time.perf_counter()
            rc, output = run_tests(folder, m.tests)
            seconds = time.perf_counter() - start
        finally:
            shutil.rmtree(folder, ignore_errors=True)
        verdict = VERDICTS.get(rc, f"ERROR (pytest exit status {rc})")
        rows.append((m.name, verdict, seconds, first_failure(output)))
        print(f"{m.name}: {verdict} ({seconds:.1f} s)", flush=True)
        if args.verbose or rc not in (1, 2):
            print("    " + output.strip().replace("\n", "\n    "))

    width = max(len(r[0]) for r in rows)
    print()
    vwidth = max(len("result"), *(len(r[1]) for r in rows))
    print(f"{'mutation':<{width}}  {'result':<{vwidth}}  seconds  first failing test")
    print(f"{'-' * width}  {'-' * vwidth}  -------  {'-' * 18}")
    for name, verdict, seconds, failed in rows:
        print(f"{name:<{width}}  {verdict:<{vwidth}}  {seconds:7.1f}  {failed}")
    bad = [name for name, verdict, _, _ in rows if not verdict.startswith("caught")]
    print()
    print(f"{len(rows) - len(bad)} of {len(rows)} caught"
          + (f"; not caught: {', '.join(bad)}" if bad else ""))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
