"""What the pipeline's dbt process reuses instead of making again per node
(pipelines/orchestration/dbt_reuse.py, issue 16.4) is what dbt would have made. A whole build
with all of it is compared with plain dbt's, file by file and result by result, in
test_orch_dbt_events.py; here each part on its own, and the guard that keeps a dbt-core
upgrade from silently running code nobody compared with the new dbt."""

from __future__ import annotations

import marshal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from pipelines.indicators.build import DBT_PROJECT_DIR, dbt_env, seed_partial_parse
from pipelines.orchestration import dbt_reuse


def test_the_replaced_dbt_code_is_the_reviewed_code() -> None:
    """`faster_macro_namespaces` stands in for dbt-core's own code, and is installed only while
    that code is the code it was compared with. A new dbt-core fails here: compare the functions
    `_namespace_code` lists with `faster_macro_namespaces`, then update NAMESPACE_CODE_SHA256."""
    assert dbt_reuse.namespace_code_sha256() == dbt_reuse.NAMESPACE_CODE_SHA256, (
        "dbt-core's macro namespace code changed: review pipelines/orchestration/dbt_reuse.py"
    )


# Run in a child process: dbt keeps global state (flags, adapters) this process should not get.
COMPARE_CONTEXTS = textwrap.dedent(
    """
    import sys
    from dbt.cli.main import dbtRunner
    manifest = dbtRunner().invoke(["parse", "--quiet", "--target-path", sys.argv[1]]).result
    from dbt.adapters.factory import register_adapter
    from dbt.clients.jinja import MacroGenerator
    from dbt.config.runtime import RuntimeConfig
    from dbt.context.macros import MacroNamespaceBuilder
    from dbt.context.manifest import ManifestContext
    from dbt.context.providers import generate_runtime_model_context
    from dbt.flags import get_flags
    from dbt.mp_context import get_mp_context
    from pipelines.orchestration.dbt_reuse import faster_macro_namespaces

    config = RuntimeConfig.from_args(get_flags())
    register_adapter(config, get_mp_context())
    nodes = [n for n in manifest.nodes.values() if n.resource_type in ("model", "test", "seed")]
    dbts = [generate_runtime_model_context(n, config, manifest) for n in nodes]
    assert faster_macro_namespaces() and MacroNamespaceBuilder.build_namespace.__wrapped__
    ours = [generate_runtime_model_context(n, config, manifest) for n in nodes]
    generators = 0
    for node, theirs, mine in zip(nodes, dbts, ours):
        assert theirs.keys() == mine.keys(), (node.unique_id, theirs.keys() ^ mine.keys())
        for key, expected in theirs.items():
            got = mine[key]
            assert type(got) is type(expected), (node.unique_id, key)
            if isinstance(expected, MacroGenerator):
                generators += 1
                assert vars(got).keys() == vars(expected).keys()
                assert got.macro is expected.macro and got.node is expected.node, (node.unique_id, key)
                assert got.context is mine and expected.context is theirs
                assert got.stack is mine["context_macro_stack"]
            elif isinstance(expected, dict) and expected and all(
                isinstance(v, MacroGenerator) for v in expected.values()
            ):  # a package's namespace (`dbt`, `workforce`, ...)
                assert {k: v.macro for k, v in got.items()} == {k: v.macro for k, v in expected.items()}
    print("compared", len(nodes), "contexts,", generators, "macros")
    """
)


@pytest.mark.slow
def test_faster_macro_namespaces_build_dbts_own_contexts(tmp_path: Path) -> None:
    """Every model's, test's and seed's context of the real project, dbt's and ours: the same
    names, each macro bound to the same macro, node, context and macro stack."""
    db = tmp_path / "workforce.duckdb"
    target = tmp_path / "target"
    seed_partial_parse(target, db)  # as the pipeline starts dbt
    env = dbt_env(db)
    env.pop("WORKFORCE_DBT_CWD", None)
    done = subprocess.run(
        [sys.executable, "-c", COMPARE_CONTEXTS, str(target)],
        cwd=DBT_PROJECT_DIR,
        env={**env, "DBT_PROJECT_DIR": str(DBT_PROJECT_DIR), "DBT_PROFILES_DIR": str(DBT_PROJECT_DIR)},
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    count = int(done.stdout.split("compared ")[1].split()[0])
    assert count > 250  # 66 models, 216 tests, 17 seeds today


def test_one_type_tester_per_arguments_and_thread_types_as_dbt_does() -> None:
    import threading

    from dbt_common.clients import agate_helper

    original = (agate_helper.build_type_tester, agate_helper.empty_table)
    rows = [[3, "a", None], [4, "", None]]
    expected = agate_helper.table_from_rows(rows, ["n", "t", "x"], text_only_columns={"t"})
    dbt_reuse.reuse_type_testers()
    dbt_reuse.reuse_type_testers()  # once per process
    try:
        assert agate_helper.build_type_tester.__wrapped__ is original[0]  # type: ignore[attr-defined]
        first = agate_helper.build_type_tester({"t"}, string_null_values=())
        assert agate_helper.build_type_tester(["t"], string_null_values=()) is first
        assert agate_helper.build_type_tester({"t"}) is not first  # other null values
        elsewhere: list[object] = []
        thread = threading.Thread(target=lambda: elsewhere.append(agate_helper.build_type_tester({"t"}, ())))
        thread.start()
        thread.join()
        assert elsewhere[0] is not first  # each thread its own
        for _ in range(2):  # the second table comes from the kept tester
            table = agate_helper.table_from_rows(rows, ["n", "t", "x"], text_only_columns={"t"})
            assert [type(t) for t in table.column_types] == [type(t) for t in expected.column_types]
            assert [list(r) for r in table.rows] == [list(r) for r in expected.rows] == [[3, "a", None], [4, "", None]]
        empty, again = agate_helper.empty_table(), agate_helper.empty_table()
        assert empty is not again and len(empty.rows) == 0 and empty.column_names == original[1]().column_names
    finally:
        agate_helper.build_type_tester, agate_helper.empty_table = original


def test_stored_jinja_code_is_used_only_where_it_fits(tmp_path: Path) -> None:
    from dbt_common.clients.jinja import get_environment

    text, native = get_environment(), get_environment(native=True)
    source = "select {{ 1 + 1 }} as two"
    key = dbt_reuse._code_key(text, source, None, None, False)
    assert key == dbt_reuse._code_key(get_environment(), source, None, None, False)  # a new environment alike
    assert key != dbt_reuse._code_key(native, source, None, None, False)  # another code generator
    assert key != dbt_reuse._code_key(text, source + " ", None, None, False)

    store = tmp_path / "jinja_code.marshal"
    assert dbt_reuse.load_code(store) == {}  # none yet
    code = text.compile(source)
    dbt_reuse.save_code(store, {key: code})
    loaded = dbt_reuse.load_code(store)
    template = text.template_class.from_code(text, loaded[key], text.make_globals(None), None)
    assert template.render({}) == "select 2 as two"

    store.write_bytes(marshal.dumps((b"another python", {key: code})))
    assert dbt_reuse.load_code(store) == {}  # another Python, Jinja or dbt-common: compiled again
    store.write_bytes(b"not marshal")
    assert dbt_reuse.load_code(store) == {}


def test_a_stored_file_keeps_what_the_last_process_used_once_it_grows_large(monkeypatch: pytest.MonkeyPatch) -> None:
    codes = {"a": 1, "b": 2, "c": 3}
    assert dbt_reuse.codes_to_store(codes, {"a"}, known=3) is None  # nothing added: not written again
    assert dbt_reuse.codes_to_store(codes, {"a", "c"}, known=2) == codes
    monkeypatch.setattr(dbt_reuse, "MAX_STORED_CODES", 2)
    assert dbt_reuse.codes_to_store(codes, {"a", "c"}, known=2) == {"a": 1, "c": 3}
