"""Every query in docs/analysts.md runs against the demo warehouse and answers something.

The docs promise ten questions with working SQL; parsing the SQL out of the Markdown and
running it read-only against the published demo file keeps that promise as the models change.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import duckdb
import pytest

from pipelines.settings import REPO_ROOT
from tests.orchestration.conftest import DemoWarehouse

pytestmark = pytest.mark.slow

ANALYSTS_MD = REPO_ROOT / "docs" / "analysts.md"
QUESTION = re.compile(r"^### (\d+)\. (.+)$", re.MULTILINE)
SQL_BLOCK = re.compile(r"```sql\n(.*?)```", re.DOTALL)


def documented_queries() -> list[tuple[str, str]]:
    """(heading, sql) of every SQL block, named after the heading above it."""
    text = ANALYSTS_MD.read_text(encoding="utf-8")
    queries = []
    for match in SQL_BLOCK.finditer(text):
        heading = text.rfind("\n#", 0, match.start())
        title = text[heading:].strip().splitlines()[0].lstrip("# ").strip()
        queries.append((title, match.group(1)))
    return queries


QUERIES = documented_queries()


def test_the_docs_ask_ten_numbered_questions_each_with_a_query():
    numbers = [int(n) for n, _ in QUESTION.findall(ANALYSTS_MD.read_text(encoding="utf-8"))]
    assert numbers == list(range(1, 11))
    titled = {title for title, _ in QUERIES}
    assert all(any(title.startswith(f"{n}.") for title in titled) for n in numbers)


@pytest.fixture(scope="module")
def published(demo_warehouse: DemoWarehouse) -> Iterator[duckdb.DuckDBPyConnection]:
    con = duckdb.connect(str(demo_warehouse.root / "workforce.duckdb"), read_only=True)
    yield con
    con.close()


@pytest.mark.parametrize(("title", "sql"), QUERIES, ids=[title[:40] for title, _ in QUERIES])
def test_each_documented_query_runs_and_returns_rows(published: duckdb.DuckDBPyConnection, title: str, sql: str):
    result = published.execute(sql)
    columns = [d[0] for d in result.description]
    rows = result.fetchall()
    assert rows, f"{title!r} returned nothing on the demo warehouse"
    assert len(columns) == len(set(columns)) >= 2
    assert any(value is not None for row in rows for value in row[1:])
