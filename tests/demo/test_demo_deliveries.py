"""The demo deliveries, read back from disk: names, dialects, encodings, ids, content.

One default demo run (Salten and outer Lofoten, 2015–2025) is shared by every test here.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
from pathlib import Path

import openpyxl
import polars as pl
import pytest
from demo_files import BOM_UTF8, BOM_UTF16_LE, delimiter_of, header_and_body, read

from pipelines.demo import dialects
from pipelines.demo.catalogue import UNKNOWN_CODES
from pipelines.demo.extract import UNKNOWN_POSITION_CODE
from pipelines.demo.fnr import is_valid
from pipelines.demo.generate import generate_deliveries
from pipelines.settings import REPO_ROOT

FILE_NAME = re.compile(r"^(\d{4})_(arbeidsforhold|utlysninger|restanser)_(\d{4})-12-15\.(csv|txt|xlsx)$")
DEMO_CODES = {
    "1804",
    "1836",
    "1837",
    "1838",
    "1839",
    "1840",
    "1841",
    "1845",
    "1848",
    "1849",
    "1875",
    "1856",
    "1857",
    "1859",
    "1874",
}


@pytest.fixture(scope="session")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    out = tmp_path_factory.mktemp("demo-deliveries")
    summary = generate_deliveries(out)
    return out, summary


@pytest.fixture(scope="session")
def employments(demo: tuple[Path, str]) -> pl.DataFrame:
    """Every employment file mapped to canonical column names (as strings)."""
    out, _ = demo
    frames = []
    for path in sorted(out.glob("*_arbeidsforhold_*")):
        code, year = path.name[:4], int(path.name.split("_")[2][:4])
        frame = read(path)
        frame = frame.with_columns(pl.col(pl.Float64).cast(pl.Int64))  # xlsx numbers come as floats
        frame = frame.rename(dict(zip(frame.columns, _canonical_names(code), strict=False)))
        frame = frame.with_columns(
            pl.all().cast(pl.Utf8), pl.lit(code).alias("file_code"), pl.lit(year).alias("year")
        )
        frames.append(frame)
    return pl.concat(frames, how="diagonal")


def _canonical_names(code: str) -> tuple[str, ...]:
    profile = dialects.systems_for(code).employments.profile
    if profile == "sap":
        names = list(dialects.CANONICAL_EMPLOYMENTS)
        names.remove("national_id")
        return ("employee_number", "municipality_code", *names[2:])
    return dialects.CANONICAL_EMPLOYMENTS


def test_every_municipality_and_year_gets_its_files_named_by_the_convention(demo):
    out, _ = demo
    names = [p.name for p in out.iterdir()]
    assert all(FILE_NAME.match(n) for n in names), [n for n in names if not FILE_NAME.match(n)][:5]
    kinds = {(m[1], m[2], m[3]) for m in map(FILE_NAME.match, names)}
    for year in range(2015, 2026):
        for code in DEMO_CODES - {"1849", "1875"}:
            assert (code, "arbeidsforhold", str(year)) in kinds
            assert (code, "utlysninger", str(year)) in kinds
    backlog_codes = {c for c, k, _ in kinds if k == "restanser"}
    assert backlog_codes == {"1856", "1857", "1859", "1874", "1804", "1841", "1848"}


def test_hamaroy_is_1849_before_2020_and_1875_from_2020(demo, employments):
    out, _ = demo
    years = {
        code: sorted(int(p.name.split("_")[2][:4]) for p in out.glob(f"{code}_arbeidsforhold_*"))
        for code in ("1849", "1875")
    }
    assert years["1849"] == list(range(2015, 2020))
    assert years["1875"] == list(range(2020, 2026))
    inside = employments.filter(pl.col("file_code").is_in(["1849", "1875"]))
    assert (inside["municipality_code"] == inside["file_code"]).all()
    # the same people carry on under the new code
    ids_2019 = set(inside.filter(pl.col("year") == 2019)["national_id"].to_list())
    ids_2020 = set(inside.filter(pl.col("year") == 2020)["national_id"].to_list())
    assert len(ids_2019 & ids_2020) > 0.8 * len(ids_2019)


def test_each_dialect_writes_its_exact_header(demo):
    out, _ = demo
    expected = {
        "1838_arbeidsforhold_2023-12-15.csv": ",".join(dialects.CANONICAL_EMPLOYMENTS),
        "1804_arbeidsforhold_2023-12-15.csv": ";".join(dialects.VISMA_EMPLOYMENTS),
        "1840_arbeidsforhold_2023-12-15.txt": "\t".join(dialects.SAP_EMPLOYMENTS),
        "1804_utlysninger_2023-12-15.csv": ";".join(dialects.WEBCRUITER_POSTINGS),
        "1838_utlysninger_2023-12-15.csv": ",".join(dialects.CANONICAL_POSTINGS),
        "1804_restanser_2023-12-15.csv": ";".join(dialects.CANONICAL_BACKLOG),
        "1845_arbeidsforhold_2023-12-15.csv": "|".join(dialects.CANONICAL_EMPLOYMENTS),
    }
    for name, header in expected.items():
        _, body = header_and_body(out / name)
        assert body.splitlines()[0] == header, name
    assert dialects.VISMA_EMPLOYMENTS[:3] == ("Kommunenr", "Ansattnr", "Fødselsnummer")
    assert dialects.WEBCRUITER_POSTINGS[-1] == "Kostnad"
    assert "national_id" not in dialects.SAP_EMPLOYMENTS and "PERID" not in dialects.SAP_EMPLOYMENTS


def test_visma_title_line_and_unit4_title_row(demo):
    out, _ = demo
    title, _ = header_and_body(out / "1804_arbeidsforhold_2023-12-15.csv")
    assert title == "Arbeidsforhold per 15.12.2023"
    text = (out / "1804_arbeidsforhold_2023-12-15.csv").read_bytes().decode("cp1252")
    assert text.startswith("Arbeidsforhold per 15.12.2023\r\n\r\nKommunenr;")
    assert header_and_body(out / "1839_arbeidsforhold_2023-12-15.csv")[0] is None  # Beiarn: no title

    sheet = openpyxl.load_workbook(out / "1837_arbeidsforhold_2023-12-15.xlsx", read_only=True).active
    rows = list(sheet.iter_rows(min_row=1, max_row=3, values_only=True))
    assert rows[0][0] == "Unit4 ERP – Arbeidsforhold pr. 15.12.2023"
    assert tuple(rows[1]) == dialects.UNIT4_EMPLOYMENTS
    data = dict(zip(rows[1], rows[2], strict=True))
    assert isinstance(data["Fra dato"], dt.datetime)  # a real Excel date
    assert data["Kjønn"] in ("Kvinne", "Mann")
    assert isinstance(data["Stillingsprosent"], int) and 0 <= data["Stillingsprosent"] <= 12000
    assert data["Kommune"] == "1837"


def test_values_follow_each_profiles_codes(employments, demo):
    out, _ = demo
    by_profile = {
        p: employments.filter(
            pl.col("file_code").map_elements(
                lambda c, p=p: dialects.systems_for(c).employments.profile == p, return_dtype=pl.Boolean
            )
        )
        for p in ("canonical", "visma", "sap", "unit4")
    }
    assert set(by_profile["canonical"]["gender"]) == {"F", "M"}
    assert set(by_profile["canonical"]["employment_type"]) == {
        "permanent",
        "temporary",
        "substitute",
        "apprentice",
    }
    assert set(by_profile["visma"]["gender"]) == {"K", "M"}
    assert set(by_profile["visma"]["employment_type"]) == {"Fast", "Midlertidig", "Vikar", "Lærling"}
    assert set(by_profile["sap"]["gender"]) == {"1", "2"}
    assert set(by_profile["sap"]["employment_type"]) == {"1", "2", "3", "5"}
    assert set(by_profile["unit4"]["gender"]) == {"Kvinne", "Mann"}
    # decimal comma in Visma, two decimals with a dot in SAP, hundredths in Unit4
    assert by_profile["visma"]["fte_percent"].str.contains(",").any()
    assert not by_profile["visma"]["fte_percent"].str.contains(r"\.").any()
    assert by_profile["sap"]["fte_percent"].str.contains(r"^\d+\.\d\d$").all()
    assert (by_profile["unit4"]["fte_percent"].cast(pl.Float64) > 100).mean() > 0.5
    assert by_profile["visma"]["start_date"].str.contains(r"^\d\d\.\d\d\.\d{4}$").all()
    assert by_profile["canonical"]["start_date"].str.contains(r"^\d{4}-\d\d-\d\d$").all()
    assert (by_profile["sap"]["end_date"] == "31.12.9999").any()
    postings = read(out / "1804_utlysninger_2023-12-15.csv")
    assert set(postings["Status"]) <= {"Besatt", "Trukket", "Åpen", "Utlyst på nytt"}
    assert set(postings["Rekrutteringskilde"].drop_nulls()) <= {
        "Intern",
        "Ekstern",
        "Egen lærling",
        "Annen kommune",
    }
    assert postings["Kostnad"].drop_nulls().str.contains(r"^\d{1,3}( \d{3})*,00$").all()
    assert postings["Kostnad"].drop_nulls().str.contains(" ").any()


def test_encodings_are_as_declared(demo):
    out, _ = demo
    bom_files = [
        "1839_arbeidsforhold_2023-12-15.csv",
        "1841_arbeidsforhold_2023-12-15.csv",
        "1804_utlysninger_2023-12-15.csv",
    ]
    for name in bom_files:
        raw = (out / name).read_bytes()
        assert raw.startswith(BOM_UTF8), name
        raw[3:].decode("utf-8")
    for name in ("1840_arbeidsforhold_2023-12-15.txt", "1836_arbeidsforhold_2023-12-15.txt"):
        raw = (out / name).read_bytes()
        assert raw.startswith(BOM_UTF16_LE), name
        text = raw[2:].decode("utf-16-le")
        assert "\t" in text.splitlines()[0] and "\r\n" in text
    cp1252 = (out / "1804_arbeidsforhold_2023-12-15.csv").read_bytes()
    assert b"F\xf8dselsnummer" in cp1252 and b"Utdanningsniv\xe5" in cp1252  # ø and å as single bytes
    with pytest.raises(UnicodeDecodeError):
        cp1252.decode("utf-8")
    assert b"L\xe6rer" in cp1252  # æ
    plain = (out / "1838_arbeidsforhold_2023-12-15.csv").read_bytes()
    assert plain.startswith(b"municipality_code,")
    assert "ø".encode() in plain and "æ".encode() in plain
    # every convention of the contract appears somewhere
    conventions = set()
    for path in out.iterdir():
        if path.suffix == ".xlsx":
            conventions.add("xlsx")
            continue
        raw = path.read_bytes()
        encoding = "utf-16" if raw.startswith(BOM_UTF16_LE) else "bom" if raw.startswith(BOM_UTF8) else None
        if encoding is None:
            try:
                raw.decode("utf-8")
                encoding = "utf-8"
            except UnicodeDecodeError:
                encoding = "cp1252"
        conventions.add(encoding)
        _, body = header_and_body(path)
        conventions.add(delimiter_of(body.partition("\n")[0]))
    assert conventions == {"xlsx", "utf-16", "bom", "utf-8", "cp1252", ";", ",", "\t", "|"}


def test_national_ids_are_valid_synthetic_test_numbers(employments):
    ids = employments["national_id"].drop_nulls().unique().to_list()
    assert len(ids) > 10_000
    assert all(re.fullmatch(r"\d{11}", i) for i in ids)
    assert all(81 <= int(i[2:4]) <= 92 for i in ids)  # month + 80: Skatteetaten's synthetic numbers
    assert is_valid(ids).all()
    sample = employments.filter(pl.col("national_id").is_not_null()).unique("national_id")
    for row in sample.head(2000).iter_rows(named=True):
        nid = row["national_id"]
        assert nid[4:6] == row["birth_year"][2:], row  # two-digit year
        woman = row["gender"] in ("F", "K", "Kvinne")
        assert (int(nid[8]) % 2 == 0) == woman
    sap = employments.filter(pl.col("file_code") == "1840")
    assert sap["national_id"].is_null().all()  # SAP dialect carries no national id


def test_people_move_to_neighbouring_municipalities_under_the_same_id(employments):
    per_id = (
        employments.filter(pl.col("national_id").is_not_null() & ~pl.col("file_code").is_in(["1849", "1875"]))
        .group_by("national_id")
        .agg(pl.col("file_code").n_unique().alias("municipalities"))
    )
    assert per_id.filter(pl.col("municipalities") > 1).height > 200
    moved = employments.filter(pl.col("termination_reason") == "overgang annen kommune")
    assert moved.height > 100


def test_positions_leaders_apprentices_and_retirements_are_realistic(employments):
    seed = REPO_ROOT / "dbt" / "seeds" / "ks_position_codes.csv"
    with seed.open(encoding="utf-8") as handle:
        seed_rows = list(csv.DictReader(handle))
    sourced = {row["position_code"] for row in seed_rows if row["verified"] == "true"}
    listed = {row["position_code"] for row in seed_rows}
    used = set(employments["position_code"])
    # issue 12: sourced codes only, plus a few well-formed codes in no list (the warning path)
    assert used - sourced == UNKNOWN_CODES and not UNKNOWN_CODES & listed
    assert UNKNOWN_POSITION_CODE in UNKNOWN_CODES and all(re.fullmatch(r"\d{4}", c) for c in used)
    unknown_share = employments.filter(pl.col("position_code").is_in(list(UNKNOWN_CODES))).height / employments.height
    assert 0.005 < unknown_share < 0.05
    leaders = employments.filter(pl.col("manager_level").is_not_null() & (pl.col("year") == 2023))
    assert set(leaders["manager_level"].cast(pl.Int64)) == {1, 2, 3, 4}
    codes_by_level = leaders.group_by("manager_level").agg(pl.col("position_code").unique())
    allowed = {"9430", "9440", "9451", "9951", "9454", "9954", UNKNOWN_POSITION_CODE}
    assert all(set(c) <= allowed for c in codes_by_level["position_code"])
    canonical = employments.filter(pl.col("file_code") == "1838")
    apprentices = canonical.filter(pl.col("employment_type") == "apprentice").unique("employment_id")
    assert apprentices.height > 5
    finished = apprentices.filter(pl.col("termination_reason") == "kontrakt utløpt")
    days = (finished["end_date"].str.to_date() - finished["start_date"].str.to_date()).dt.total_days()
    assert ((days >= 720) & (days <= 735)).mean() > 0.9  # two-year contracts
    retired = employments.filter(
        (pl.col("termination_reason") == "pensjon") & pl.col("end_date").str.contains(r"^\d{4}-\d\d-\d\d$")
    ).unique("employment_id")
    retired = retired.filter(pl.col("end_date") > pl.col("start_date"))  # not the sprinkled mistakes
    ages = retired["end_date"].str.slice(0, 4).cast(pl.Int64) - retired["birth_year"].cast(pl.Int64)
    assert ages.len() > 20 and ages.min() >= 61 and ages.max() <= 71
    reasons = set(employments["termination_reason"].drop_nulls())
    assert {"egen oppsigelse", "overgang annen kommune", "pensjon"} <= reasons
    assert (employments["fte_percent"].is_in(["0", "0.00", "0,0"])).sum() > 100  # hourly staff


def test_postings_point_at_real_hires(demo, employments):
    out, _ = demo
    postings = pl.concat(
        [
            read(p).with_columns(pl.lit(p.name[:4]).alias("file_code"))
            for p in sorted(out.glob("1838_utlysninger_*"))
        ]
    )
    filled = postings.filter(pl.col("status") == "filled").unique("posting_id")
    assert filled.height > 50
    staff = employments.filter(pl.col("file_code") == "1838").select("employee_number").unique()
    linked = filled.join(staff, left_on="hired_employee_number", right_on="employee_number", how="semi")
    assert linked.height >= 0.97 * filled.height
    assert set(postings["status"]) == {"filled", "readvertised", "withdrawn", "open"}
    numbers = postings.select(pl.col("applicants", "qualified_applicants").cast(pl.Int64))
    assert (numbers["qualified_applicants"] <= numbers["applicants"]).all()
    assert (filled["filled_date"] > filled["published_date"]).all()


def test_backlog_overdue_never_exceeds_open(demo):
    out, _ = demo
    backlog = pl.concat([read(p) for p in out.glob("*_restanser_*")]).select(
        pl.col("service"), pl.col("month"), pl.col("open_cases", "overdue_cases").cast(pl.Int64)
    )
    assert set(backlog["service"]) == {"byggesak", "fakturering", "lønn"}
    assert (backlog["overdue_cases"] <= backlog["open_cases"]).all()
    assert backlog["month"].str.ends_with("-01").all()
    assert backlog.height == 7 * 11 * 3 * 12


def test_bad_data_sprinkles_are_present_but_rare(employments):
    rows = employments.height
    over_100 = employments.filter(pl.col("fte_percent").str.replace(",", ".").cast(pl.Float64) > 100)
    over_100 = over_100.filter(
        ~pl.col("file_code").is_in(["1837", "1849", "1875", "1859"])
    )  # unit4: hundredths
    unknown = employments.filter(pl.col("position_code") == UNKNOWN_POSITION_CODE)
    duplicates = rows - employments.unique().height
    for count in (over_100.height, unknown.height, duplicates):
        assert 0 < count < 0.005 * rows
    assert rows > 100_000


def test_summary_is_norwegian_and_counts_the_files(demo):
    out, summary = demo
    assert "Skrev" in summary and "heltidsandel" in summary and "turnover" in summary
    count = int(re.search(r"Skrev (\d+) leveranser", summary).group(1))
    assert count == len(list(out.iterdir()))
