"""dbt's process without making again, for every node, what comes out the same (issue 16.4).

Three things dbt-core makes afresh per node of a build, though they come out the same each
time. Measured on the demo's `dbt build` (66 models, 216 tests, 17 seeds; thread CPU time of
each function, summed over the build):

- **Jinja code** (~0.4 CPU-s). dbt renders each node's SQL, each test's arguments and each
  macro by compiling the text into a new Jinja template (`dbt_common.clients.jinja.get_template`:
  a new environment, Jinja's parser and code generator, then Python's `compile`). The Python code
  Jinja makes depends only on the text and the environment's class and settings, never on the
  context the template is rendered with, so `reuse_template_code()` keeps the code object per
  class, settings and text, and each template is still made from it anew
  (`Template.from_code`, what Jinja's own bytecode cache does), with its own globals. The code
  is also stored in a file (`JINJA_CODE_ENV`, the `marshal` format of Python's own `.pyc`
  files, under a header naming this Python's bytecode, Jinja's and dbt-common's versions), kept
  beside dbt's partial-parse state and seeded like it (pipelines.indicators.build): a build
  starts from the code its last parse or build compiled. A text not seen before is compiled
  as dbt would; a file for another Python, Jinja or dbt-common is not used.
- **agate's type testers** (~0.25 CPU-s). Every statement's result becomes an agate table
  (`dbt_common.clients.agate_helper`), and `build_type_tester` / `empty_table` make new agate
  data types for each: their date types each build a `parsedatetime` calendar (locale tables,
  dozens of regular expressions), for a test's one `count(*)`. `reuse_type_testers()` keeps one
  type tester per argument list and thread (a tester holds no state between runs; dbt itself
  shares its `DEFAULT_TYPE_TESTER` between threads), and `empty_table` gives a new empty table
  typed by such a tester, as before.
- **The macro namespace** (~0.25 CPU-s). Each node's context (two per test: compiled, then
  run) binds all ~560 macros of the project, dbt and dbt-duckdb to that context, through three
  method calls and three `__init__`s per macro, then copies them into the context through
  `MacroNamespace`'s search order, one generator per name. `faster_macro_namespaces()` builds
  the same namespace and the same context dict inline. It replaces dbt-core code, so it is
  installed only while that code is byte for byte the code it was compared with
  (`NAMESPACE_CODE_SHA256`): another dbt-core runs its own, and
  tests/orchestration/test_orch_dbt_reuse.py fails until this is reviewed against it.

Nothing dbt writes changes: tests/orchestration/test_orch_dbt_events.py builds with and without
all of it, from a cold and a warm code file, and compares stdout, dbt.log, every file under
target/compiled and target/run, and every result; test_orch_dbt_reuse.py compares every
node's context of the real project with dbt's own. The one caller is the `dbt` process the
pipeline starts (`pipelines.orchestration.lifecycle`).
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

# The Environment settings Jinja's parser and code generator read; environments that agree on
# these (and on their class and extensions) turn the same text into the same code.
CODE_SETTINGS = (
    "block_start_string",
    "block_end_string",
    "variable_start_string",
    "variable_end_string",
    "comment_start_string",
    "comment_end_string",
    "line_statement_prefix",
    "line_comment_prefix",
    "trim_blocks",
    "lstrip_blocks",
    "newline_sequence",
    "keep_trailing_newline",
    "optimized",
    "finalize",
    "autoescape",
    "is_async",
)


# The file of Jinja code a dbt process starts from and adds to (`reuse_template_code`), set by
# the pipeline's launchers beside dbt's partial-parse state (pipelines.indicators.build).
JINJA_CODE_ENV = "WORKFORCE_DBT_JINJA_CODE"
# A stored file above this many texts (the demo's build and parse compile ~1,100, ~1.7 MB) keeps
# only those the last process used: every edit of a model adds one.
MAX_STORED_CODES = 5_000


def _code_key(env: Any, source: str, name: Any, filename: Any, defer_init: bool) -> str:
    import hashlib

    settings = tuple(getattr(env, setting) for setting in CODE_SETTINGS)
    kind = f"{type(env).__module__}.{type(env).__qualname__}"
    text = repr((kind, tuple(sorted(env.extensions)), settings, name, filename, defer_init))
    return hashlib.sha256(f"{text}\n{source}".encode()).hexdigest()


def _code_header() -> bytes:
    """What a stored code object is valid for: this Python's bytecode, Jinja and dbt-common."""
    import importlib.util
    from importlib.metadata import version

    versions = f"jinja2 {version('jinja2')} dbt-common {version('dbt-common')}"
    return importlib.util.MAGIC_NUMBER + versions.encode()


def load_code(path: Path) -> dict[str, Any]:
    """The code objects stored at `path`; none when it is missing, unreadable or for another
    Python, Jinja or dbt-common."""
    import marshal

    try:
        header, codes = marshal.loads(path.read_bytes())
    except (OSError, EOFError, ValueError, TypeError):
        return {}
    return codes if header == _code_header() and isinstance(codes, dict) else {}


def save_code(path: Path, codes: dict[str, Any]) -> None:
    """Store `codes` at `path` (write, then rename: a concurrent reader gets the old or the new)."""
    import marshal
    import os

    partial = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    try:
        partial.write_bytes(marshal.dumps((_code_header(), codes)))
        os.replace(partial, path)
    except OSError:  # a cache: dbt's own work is done and stays valid
        partial.unlink(missing_ok=True)


def codes_to_store(codes: dict[str, Any], used: set[str], known: int) -> dict[str, Any] | None:
    """What a process that started from `known` stored texts and compiled or reused `used` stores:
    nothing when it added none, else all it has, or only what it used once that is more than
    MAX_STORED_CODES (the texts of edited models would pile up)."""
    if len(codes) == known:
        return None
    if len(codes) > MAX_STORED_CODES:
        return {key: codes[key] for key in used if key in codes}
    return codes


def reuse_template_code(store: Path | None = None) -> None:
    """Keep the Python code of each Jinja text dbt compiles (once per process; see the module),
    starting from the code stored at `store` and storing what was added when the process ends."""
    import atexit

    from dbt_common.clients import jinja as dbt_jinja

    environment = dbt_jinja.MacroFuzzEnvironment
    compile_ = environment.compile
    if getattr(compile_, "_reuses_code", False):
        return
    codes: dict[str, Any] = load_code(store) if store else {}
    known = len(codes)
    used: set[str] = set()

    def compile_once(
        self: Any, source: Any, name: Any = None, filename: Any = None, raw: bool = False, defer_init: bool = False
    ) -> Any:
        # dbt's macro debugging writes each compiled template to a file: keep that behaviour
        if raw or not isinstance(source, str) or dbt_jinja.MACRO_DEBUGGING:
            return compile_(self, source, name, filename, raw, defer_init)
        key = _code_key(self, source, name, filename, defer_init)
        used.add(key)
        code = codes.get(key)
        if code is None:
            code = codes[key] = compile_(self, source, name, filename, raw, defer_init)
        return code

    def store_added() -> None:
        kept = codes_to_store(dict(codes), used, known)
        if store is not None and kept is not None:
            save_code(store, kept)

    compile_once._reuses_code = True  # type: ignore[attr-defined]
    compile_once.__wrapped__ = compile_  # type: ignore[attr-defined]
    # NativeSandboxEnvironment (test arguments) is a subclass: it inherits the override
    environment.compile = compile_once  # type: ignore[method-assign]
    atexit.register(store_added)


def reuse_type_testers() -> None:
    """One agate type tester per argument list and thread (once per process; see the module)."""
    import agate
    from dbt_common.clients import agate_helper

    build = agate_helper.build_type_tester
    if getattr(build, "_reused", False):
        return
    local = threading.local()

    def build_once(text_columns: Any, string_null_values: Any = ("null", "")) -> Any:
        testers = local.__dict__.setdefault("testers", {})
        key = (tuple(sorted(text_columns)), None if string_null_values is None else tuple(string_null_values))
        tester = testers.get(key)
        if tester is None:
            tester = testers[key] = build(text_columns, string_null_values=string_null_values)
        return tester

    def empty_table() -> Any:
        tester = local.__dict__.get("default")
        if tester is None:
            tester = local.default = agate.TypeTester()  # what agate.Table(rows=[]) makes
        return agate.Table(rows=[], column_types=tester)

    build_once._reused = True  # type: ignore[attr-defined]
    build_once.__wrapped__ = build  # type: ignore[attr-defined]
    empty_table.__wrapped__ = agate_helper.empty_table  # type: ignore[attr-defined]
    agate_helper.build_type_tester = build_once
    agate_helper.empty_table = empty_table


# --- each node's macro namespace ------------------------------------------------------------
# dbt-core's code that `faster_macro_namespaces` replaces with an equivalent, by the sha256 of
# its source (dbt-core 1.11). Another dbt-core leaves dbt's own in place, and
# tests/orchestration/test_orch_dbt_reuse.py fails until the replacement is reviewed again.
NAMESPACE_CODE_SHA256 = "7dcbb1c61e1cc59cac2cbf843258b1192a548b4eebb1c0c65884bb099e07a6b4"


def _namespace_code() -> list[Any]:
    from dbt.clients.jinja import MacroGenerator
    from dbt.context.macros import MacroNamespace, MacroNamespaceBuilder
    from dbt.context.manifest import ManifestContext
    from dbt_common.clients.jinja import BaseMacroGenerator, CallableMacroGenerator

    return [
        MacroNamespaceBuilder.build_namespace,
        MacroNamespaceBuilder.add_macros,
        MacroNamespaceBuilder.add_macro,
        MacroNamespaceBuilder._add_macro_to,
        MacroNamespace.__init__,
        MacroNamespace._search_order,
        MacroNamespace._keys,
        MacroNamespace.__iter__,
        MacroNamespace.__getitem__,
        ManifestContext.to_dict,
        MacroGenerator.__init__,
        CallableMacroGenerator.__init__,
        BaseMacroGenerator.__init__,
    ]


def namespace_code_sha256() -> str:
    """The sha256 of the source of the dbt-core code `faster_macro_namespaces` stands in for."""
    import hashlib
    import inspect

    digest = hashlib.sha256()
    for code in _namespace_code():
        digest.update(inspect.getsource(code).encode())
    return digest.hexdigest()


def faster_macro_namespaces() -> bool:
    """Build each node's macro namespace and context dict without dbt's per-macro method calls
    (once per process); True if installed, False when dbt-core's code is not the reviewed one."""
    from dbt.clients.jinja import MacroGenerator
    from dbt.context.macros import MacroNamespace, MacroNamespaceBuilder
    from dbt.context.manifest import ManifestContext
    from dbt.include.global_project import PROJECT_NAME as GLOBAL_PROJECT_NAME

    if getattr(MacroNamespaceBuilder.build_namespace, "_faster", False):
        return True
    if namespace_code_sha256() != NAMESPACE_CODE_SHA256:
        return False
    build = MacroNamespaceBuilder.build_namespace
    to_dict = ManifestContext.to_dict
    make = object.__new__

    def build_namespace(self: Any, macros_by_package: Any, ctx: Any) -> Any:
        # MacroNamespaceBuilder.add_macros/add_macro/_add_macro_to, inlined
        node, stack = self.node, self.thread_ctx
        internal_names, search, root = self.internal_package_names, self.search_package, self.root_package
        internal_packages, packages, local_macros, global_macros = (
            self.internal_packages,
            self.packages,
            self.locals,
            self.globals,
        )
        for package in macros_by_package.values():
            for macro in package.values():
                # MacroGenerator(macro, ctx, node, stack): what its three __init__s set
                generator = make(MacroGenerator)
                generator.context, generator.macro, generator.node, generator.stack = ctx, macro, node, stack
                package_name, name = macro.package_name, macro.name
                hierarchy = internal_packages if package_name in internal_names else packages
                namespace = hierarchy.get(package_name)
                if namespace is None:
                    namespace = hierarchy[package_name] = {}
                if name in namespace:  # dbt's own error
                    self._add_macro_to(hierarchy, macro, generator)
                namespace[name] = generator
                if hierarchy is packages:
                    if package_name == search:
                        local_macros[name] = generator
                    elif package_name == root:
                        global_macros[name] = generator
        global_project_namespace: dict[str, Any] = {}
        for package_name in reversed(self.internal_package_names_order):
            if package_name in internal_packages:
                global_project_namespace.update(internal_packages[package_name])
        return MacroNamespace(
            global_namespace=global_macros,
            local_namespace=local_macros,
            global_project_namespace=global_project_namespace,
            packages=packages,
        )

    def context_dict(self: Any) -> Any:
        namespace = self.namespace
        if type(namespace) is not MacroNamespace:
            return to_dict(self)
        dct = super(ManifestContext, self).to_dict()
        # what `dct.update(namespace)` gives: each name from the first of MacroNamespace's
        # search order that has it (local, root, packages, `dbt`, internal), so the later of
        # these updates wins
        dct.update(namespace.global_project_namespace)
        dct[GLOBAL_PROJECT_NAME] = namespace.global_project_namespace
        dct.update(namespace.packages)
        dct.update(namespace.global_namespace)
        dct.update(namespace.local_namespace)
        return dct

    build_namespace._faster = True  # type: ignore[attr-defined]
    build_namespace.__wrapped__ = build  # type: ignore[attr-defined]
    context_dict.__wrapped__ = to_dict  # type: ignore[attr-defined]
    MacroNamespaceBuilder.build_namespace = build_namespace  # type: ignore[method-assign]
    ManifestContext.to_dict = context_dict  # type: ignore[method-assign]
    return True
