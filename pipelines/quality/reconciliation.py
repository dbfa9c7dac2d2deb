"""Row-level, relational and volume checks as SQL inside DuckDB, declared as data.

Each check is a query that returns the *failing* rows (zero rows = pass), so the same
query gives the verdict, the count and the examples. Checks run where the data are: a
national table is scanned by DuckDB, never pulled into Python. A check whose input table
is missing, or whose SQL fails, fails; it never passes by default.

Conventions of the queries:
- a column `failing_rows` (when present) says how many data rows one output row stands for
  (checks that group, e.g. per delivery or per code); otherwise each output row is one;
- a column `municipality_code` (when present) attributes failures to a municipality, which
  feeds that municipality's delivery feedback;
- pseudonymised keys are shortened with `left(key, 10)`; no query selects a national id
  (none is ever stored).
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import duckdb

from pipelines.quality.references import table_exists
from pipelines.quality.results import CheckResult

EXAMPLE_ROWS = 5
FEEDBACK_EXAMPLES_PER_MUNICIPALITY = 3
KOSTRA_FTE_TOLERANCE = 0.20  # relative difference between HR FTEs and SSB's KOSTRA FTEs before a warning
UNKNOWN_CODE_WARN_SHARE = 0.02  # share of a municipality-year's employees with an unlisted code (issue 12)

# Indicators whose value is numerator / denominator, a share in [0, 1].
SHARE_INDICATORS = (
    "fulltime_share",
    "short_parttime_share",
    "fulltime_share_new_hires",
    "turnover",
    "sector_turnover",
    "turnover_excl_retirement",
    "regional_retention",
    "retention_12m",
    "retention_24m",
    "temporary_share",
    "key_turnover",
    "key_readvertised_share",
    "own_apprentice_hire_share",
    "apprentice_conversion_12m",
    "women_share",
    "women_share_leaders",
    "backlog_overdue_share",
)
_SHARE_LIST = ", ".join(f"'{s}'" for s in SHARE_INDICATORS)
# How fct_indicators marks the all-persons row of an area and year.
TOTAL_BREAKDOWN = "(breakdown is null or lower(breakdown) in ('total', 'all', 'alle', ''))"

# Aggregates several checks share, computed once per run when their source exists.
PRELUDES: dict[str, tuple[str, str]] = {
    "q_person_year": (
        "intermediate.int_person_snapshots",
        """
        select municipality_code, year, count(*) as person_rows, count(distinct person_number) as persons,
               count(distinct person_number) filter (where is_counted) as counted_persons,
               sum(position_size_municipality) as position_size_sum
        from intermediate.int_person_snapshots group by all
        """,
    ),
}

# valid at date d (clamped to the classification's first date) — or a code in force today,
# because history may be delivered or modelled on today's codes (ARCHITECTURE: decisions).
MACROS = """
create or replace temp macro klass_valid(c, d) as (
    exists (
        select 1 from ref_klass k
        where k.code = c
          and (k.valid_to is null
               or (k.valid_from <= greatest(d, (select coverage_from from ref_klass_coverage))
                   and k.valid_to >= greatest(d, (select coverage_from from ref_klass_coverage))))
    )
);
"""


@dataclass(frozen=True)
class SqlCheck:
    """One reconciliation: `sql` returns the failing rows; `tables` must exist for it to run."""

    name: str
    asset_key: tuple[str, ...]
    severity: str
    title: str  # Norwegian, shown in reports
    sql: str
    tables: tuple[str, ...]
    evaluated_table: str  # rows "evaluated" = count(*) of this table
    feedback: str | None = None  # Norwegian: what a municipality's HR office should fix
    references: tuple[str, ...] = field(default=())  # reference views used (for the report)
    # SQL giving one Norwegian text (or null) added to the result's message: what the check
    # could not compare (e.g. years SSB has no figures for), so a pass never overstates itself
    note_sql: str | None = None


HR_KINDS = {
    "employments": ("raw", "hr_employments"),
    "postings": ("raw", "hr_postings"),
    "backlog": ("raw", "hr_backlog"),
}
HR_REQUIRED = {
    "employments": (
        "municipality_code",
        "employment_key",
        "employee_key",
        "birth_year",
        "gender",
        "position_code",
        "fte_percent",
        "employment_type",
        "start_date",
        "extraction_date",
        "delivery_sha256",
        "source_row_number",
    ),
    "postings": (
        "municipality_code",
        "posting_id",
        "position_code",
        "published_date",
        "status",
        "extraction_date",
        "delivery_sha256",
        "source_row_number",
    ),
    "backlog": (
        "municipality_code",
        "service",
        "month",
        "open_cases",
        "overdue_cases",
        "extraction_date",
        "delivery_sha256",
        "source_row_number",
    ),
}
HR_KEYS = {
    "employments": ("municipality_code", "employment_key"),
    "postings": ("municipality_code", "posting_id"),
    "backlog": ("municipality_code", "service", "month"),
}


def _hr_common(kind: str) -> list[SqlCheck]:
    """Checks every HR delivery kind gets: volume, keys, not-null, KLASS codes, ledger."""
    schema, name = HR_KINDS[kind]
    table = f"{schema}.{name}"
    key = HR_KEYS[kind]
    key_cols = ", ".join(key)
    shown_key = ", ".join(f"left(cast({c} as varchar), 10) as {c}" if c.endswith("_key") else c for c in key)
    nulls = ", ".join(f"case when {c} is null then '{c}' end" for c in HR_REQUIRED[kind])
    any_null = " or ".join(f"{c} is null" for c in HR_REQUIRED[kind])
    asset = (schema, name)
    checks = [
        SqlCheck(
            name=f"{name}_not_empty",
            asset_key=asset,
            severity="block" if kind == "employments" else "warn",
            title=f"{table} har rader",
            sql=f"select '{table}' as table_name where not exists (select 1 from {table})",
            tables=(table,),
            evaluated_table=table,
        ),
        SqlCheck(
            name=f"{name}_unique_key",
            asset_key=asset,
            severity="block",
            title=f"Nøkkelen ({key_cols}) er unik i hver leveranse",
            # raw is append-only (one version per delivery, issue 16): unique within a delivery
            sql=f"select {shown_key}, left(delivery_sha256, 12) as delivery, count(*) as failing_rows "
            f"from {table} group by {key_cols}, delivery_sha256 having count(*) > 1",
            tables=(table,),
            evaluated_table=table,
            feedback="Samme id forekommer flere ganger i samme uttrekk; hver rad må ha en unik id.",
        ),
        SqlCheck(
            name=f"{name}_not_null",
            asset_key=asset,
            severity="block",
            title="Påkrevde kolonner har verdi",
            sql=f"select municipality_code, source_row_number, concat_ws(', ', {nulls}) as empty_columns "
            f"from {table} where {any_null}",
            tables=(table,),
            evaluated_table=table,
            feedback="Påkrevde felt er tomme; fyll dem ut i eksporten.",
        ),
        SqlCheck(
            name=f"{name}_municipality_in_klass",
            asset_key=asset,
            severity="block",
            title="Kommunenummer er gyldig i KLASS for uttrekksdatoen",
            sql=f"""
                select municipality_code, extraction_date, count(*) as failing_rows,
                       min(source_row_number) as first_source_row
                from {table} group by municipality_code, extraction_date
                having not klass_valid(municipality_code, extraction_date)
            """,
            tables=(table,),
            evaluated_table=table,
            feedback="Kommunenummeret finnes ikke i SSBs kommuneklassifikasjon (KLASS 131) "
            "for uttrekksdatoen.",
            references=("klass",),
        ),
        SqlCheck(
            name=f"{name}_delivery_in_ledger",
            asset_key=asset,
            severity="block",
            title="Hver rad hører til en lastet leveranse i leveranseloggen",
            sql=f"""
                select * from (
                select r.municipality_code, left(r.delivery_sha256, 12) as delivery, count(*) as failing_rows,
                          case when d.delivery_sha256 is null then 'leveransen finnes ikke i audit.deliveries'
                                when d.outcome <> 'loaded' then 'leveransen er registrert som ' || d.outcome
            when d.kind is distinct from '{kind}' then 'leveransen er av typen ' || coalesce(d.kind, 'ukjent')
                                when d.municipality_code is distinct from r.municipality_code
            then 'kommunenummeret avviker fra leveransens (' || coalesce(d.municipality_code, 'ukjent') || ')'
                     when d.extraction_date <> r.extraction_date then 'uttrekksdatoen avviker fra leveransens'
                           end as problem
                    from {table} r left join audit.deliveries d using (delivery_sha256)
                    group by all
                ) where problem is not null
            """,
            tables=(table, "audit.deliveries"),
            evaluated_table=table,
        ),
        SqlCheck(
            name=f"{name}_ledger_reconciles",
            asset_key=asset,
            severity="block",
            title="Leveranseloggen går opp: lest = lastet + karantene + duplikater",
            sql=f"""
                with raw_counts as (select delivery_sha256, count(*) as rows_in_raw from {table} group by 1),
                quarantined as (
                    select delivery_sha256, count(distinct source_row_number) as rows_in_quarantine
                    from audit.quarantine group by 1
                ),
                checked as (
                    select d.municipality_code, d.file_name, d.outcome, d.rows_read, d.rows_loaded,
                           d.rows_quarantined, d.rows_duplicate, d.rows_stale,
                           coalesce(r.rows_in_raw, 0) as rows_in_raw,
                           coalesce(q.rows_in_quarantine, 0) as rows_in_quarantine,
                           concat_ws('; ',
                               case when d.outcome <> 'rejected' and d.rows_read <>
                                         d.rows_loaded + d.rows_quarantined + d.rows_duplicate
                                    then 'lest ≠ lastet + karantene + duplikater' end,
                               -- stale rows (valid, but older than what was stored) are part of
                               -- the loaded ones (pipelines/hr/ledger.py), never more than them
                               case when d.rows_stale > d.rows_loaded
                                    then 'flere utdaterte enn lastede rader' end,
                               case when d.rows_quarantined <> coalesce(q.rows_in_quarantine, 0)
                                    then 'antall i karantene ≠ rader i audit.quarantine' end,
                               case when coalesce(r.rows_in_raw, 0) > d.rows_loaded
                                    then 'flere rader i raw enn leveransen lastet' end,
                    case when d.outcome = 'rejected' and (d.rows_loaded > 0 or coalesce(r.rows_in_raw, 0) > 0)
                                    then 'avvist leveranse har lastede rader' end,
                               case when d.outcome not in ('loaded', 'rejected', 'already_loaded')
                                    then 'ukjent utfall ' || d.outcome end
                           ) as problem
                    from audit.deliveries d
                    left join raw_counts r using (delivery_sha256)
                    left join quarantined q using (delivery_sha256)
                    where d.kind = '{kind}'
                )
                select * from checked where problem <> ''
            """,
            tables=(table, "audit.deliveries", "audit.quarantine"),
            evaluated_table="audit.deliveries",
        ),
    ]
    if kind == "postings":
        # A well-formed code in no list loads (position group `unknown`); it is reported, not
        # blocked (issue 12). Employments have their own, share-based warning.
        checks.append(
            SqlCheck(
                name=f"{name}_position_code_known",
                asset_key=asset,
                severity="warn",
                title="Stillingskoden finnes i KS' kodeliste (gyldig på uttrekksdatoen)",
                sql=f"""
                    select municipality_code, position_code, count(*) as failing_rows,
                           min(source_row_number) as first_source_row
                    from {table} t
                    where not exists (
                        select 1 from ref_ks_position_codes c
                        where c.position_code = t.position_code and c.valid_from <= t.extraction_date
                    )
                    group by municipality_code, position_code
                """,
                tables=(table,),
                evaluated_table=table,
                feedback="Stillingskoden er ikke i kodelisten; utlysningen er lastet med stillingsgruppe «Ukjent».",
                references=("ks_position_codes",),
            )
        )
    return checks


def _ranges(asset: tuple[str, ...], table: str, rules: Sequence[tuple[str, str, str, str]]) -> list[SqlCheck]:
    """One check per rule (name suffix, failing condition, Norwegian title, feedback)."""
    return [
        SqlCheck(
            name=f"{asset[-1]}_{suffix}",
            asset_key=asset,
            severity="block",
            title=title,
            sql=f"select municipality_code, source_row_number, {columns_for(condition)} "
            f"from {table} where {condition}",
            tables=(table,),
            evaluated_table=table,
            feedback=feedback,
        )
        for suffix, condition, title, feedback in rules
    ]


def columns_for(condition: str) -> str:
    """The columns a range condition mentions, shown as examples (identifiers only, never keys)."""
    words = dict.fromkeys(w for w in re.findall(r"\b[a-z_]+\b", condition) if w in _EXAMPLE_COLUMNS)
    return ", ".join(words) or "null as value"


_EXAMPLE_COLUMNS = {
    "fte_percent",
    "birth_year",
    "gender",
    "employment_type",
    "manager_level",
    "start_date",
    "end_date",
    "extraction_date",
    "status",
    "hire_source",
    "applicants",
    "qualified_applicants",
    "cost_nok",
    "published_date",
    "closing_date",
    "filled_date",
    "month",
    "open_cases",
    "overdue_cases",
    "service",
}

EMPLOYMENTS = ("raw", "hr_employments")
POSTINGS = ("raw", "hr_postings")
BACKLOG = ("raw", "hr_backlog")
SSB_POPULATION = ("raw", "ssb_population")
SSB_KOSTRA_FTE = ("raw", "ssb_kostra_fte")
KLASS = ("raw", "klass_municipality")
INT_PERSON_YEAR = ("intermediate", "int_person_snapshots")
FCT_INDICATORS = ("marts", "fct_indicators")
FCT_FULLTIME = ("marts", "fct_fulltime")
FCT_TURNOVER = ("marts", "fct_turnover")


def _employment_checks() -> list[SqlCheck]:
    table = "raw.hr_employments"
    return _hr_common("employments") + _ranges(
        EMPLOYMENTS,
        table,
        [
            (
                "fte_percent_range",
                "fte_percent not between 0 and 100",
                "Stillingsprosent er mellom 0 og 100",
                "Stillingsprosent må være mellom 0 og 100.",
            ),
            (
                "birth_year_range",
                "birth_year not between year(extraction_date) - 100 and year(extraction_date) - 13",
                "Fødselsår gir en alder mellom 13 og 100 år på uttrekksdatoen",
                "Fødselsåret er ikke mulig for en ansatt; kontroller fødselsår.",
            ),
            (
                "end_after_start",
                "end_date < start_date",
                "Sluttdato er ikke før startdato",
                "Sluttdato ligger før startdato.",
            ),
            (
                "manager_level_range",
                "manager_level not between 1 and 4",
                "Ledernivå er 1–4 eller tomt",
                "Ledernivå må være 1, 2, 3, 4 eller tomt.",
            ),
            (
                "gender_values",
                "gender not in ('F', 'M')",
                "Kjønn er F eller M",
                "Kjønn må være kvinne eller mann (F/M, K/M).",
            ),
            (
                "employment_type_values",
                "employment_type not in ('permanent', 'temporary', 'substitute', 'apprentice')",
                "Ansettelsesform er fast, midlertidig, vikar eller lærling",
                "Ansettelsesformen er ukjent; bruk fast, midlertidig, vikar eller lærling.",
            ),
        ],
    )


def _posting_checks() -> list[SqlCheck]:
    table = "raw.hr_postings"
    checks = _hr_common("postings") + _ranges(
        POSTINGS,
        table,
        [
            (
                "status_values",
                "status not in ('filled', 'withdrawn', 'open', 'readvertised')",
                "Status er besatt, trukket, åpen eller lyst ut på nytt",
                "Ukjent status på utlysningen.",
            ),
            (
                "hire_source_values",
                "hire_source not in ('internal', 'external', 'own_apprentice', 'other_municipality')",
                "Rekrutteringskilde er intern, ekstern, egen lærling eller annen kommune",
                "Ukjent rekrutteringskilde.",
            ),
            (
                "fte_percent_range",
                "fte_percent not between 0 and 100",
                "Utlyst stillingsprosent er 0–100",
                "Utlyst stillingsprosent må være mellom 0 og 100.",
            ),
            (
                "applicants_range",
                "applicants < 0 or qualified_applicants < 0 or qualified_applicants > applicants",
                "Søkertall er ikke negative, og kvalifiserte ≤ søkere",
                "Antall kvalifiserte søkere kan ikke være negativt eller større enn antall søkere.",
            ),
            ("cost_range", "cost_nok < 0", "Kostnad er ikke negativ", "Rekrutteringskostnaden er negativ."),
            (
                "dates_ordered",
                "closing_date < published_date or filled_date < published_date",
                "Søknadsfrist og besettelse er ikke før utlysning",
                "Søknadsfrist eller besettelsesdato ligger før utlysningsdatoen.",
            ),
            (
                "manager_level_range",
                "manager_level not between 1 and 4",
                "Ledernivå er 1–4 eller tomt",
                "Ledernivå må være 1, 2, 3, 4 eller tomt.",
            ),
        ],
    )
    checks += [
        SqlCheck(
            name="hr_postings_filled_has_date",
            asset_key=POSTINGS,
            severity="warn",
            title="Besatte utlysninger har besettelsesdato, andre har ikke",
            sql="select municipality_code, source_row_number, status, filled_date from raw.hr_postings "
            "where (status = 'filled') <> (filled_date is not null)",
            tables=("raw.hr_postings",),
            evaluated_table="raw.hr_postings",
            feedback="Status «besatt» og besettelsesdato stemmer ikke overens.",
        ),
        SqlCheck(
            name="hr_postings_hired_employee_known",
            asset_key=POSTINGS,
            severity="warn",
            title="Ansatt som ble rekruttert finnes i arbeidsforholdene",
            sql="""
            select p.municipality_code, count(*) as failing_rows, min(p.source_row_number) as first_source_row
                from raw.hr_postings p
                where p.hired_employee_key is not null and not exists (
                    select 1 from raw.hr_employments e
                    where e.municipality_code = p.municipality_code and e.employee_key = p.hired_employee_key)
                group by p.municipality_code
            """,
            tables=("raw.hr_postings", "raw.hr_employments"),
            evaluated_table="raw.hr_postings",
            feedback="Ansattnummeret til den som ble ansatt finnes ikke i arbeidsforholdsuttrekket.",
        ),
    ]
    return checks


def _backlog_checks() -> list[SqlCheck]:
    table = "raw.hr_backlog"
    return _hr_common("backlog") + _ranges(
        BACKLOG,
        table,
        [
            (
                "month_first_day",
                "day(month) <> 1",
                "Måned er oppgitt som første dag i måneden",
                "Måned må oppgis som første dag i måneden.",
            ),
            (
                "case_counts",
                "open_cases < 0 or overdue_cases < 0 or overdue_cases > open_cases",
                "Saker er ikke negative, og forsinkede ≤ åpne",
                "Forsinkede saker kan ikke overstige åpne saker.",
            ),
        ],
    )


def _ssb_checks() -> list[SqlCheck]:
    pop = "raw.ssb_population"
    fte = "raw.ssb_kostra_fte"
    klass = "raw.klass_municipality"
    return [
        SqlCheck(
            "ssb_population_not_empty",
            SSB_POPULATION,
            "block",
            "Befolkningstabellen har rader",
            f"select '{pop}' as table_name where not exists (select 1 from {pop})",
            (pop,),
            pop,
        ),
        SqlCheck(
            "ssb_population_unique",
            SSB_POPULATION,
            "block",
            "Én verdi per kommune, år, kjønn og alder",
            f"select municipality_code, year, kjonn_code, alder_code, count(*) as failing_rows from {pop} "
            "group by all having count(*) > 1",
            (pop,),
            pop,
        ),
        SqlCheck(
            "ssb_population_not_null",
            SSB_POPULATION,
            "block",
            "Nøkkelkolonnene har verdi",
            f"select municipality_code, year, kjonn_code, alder_code from {pop} "
            "where municipality_code is null "
            "or year is null or kjonn_code is null or alder_code is null",
            (pop,),
            pop,
        ),
        SqlCheck(
            "ssb_population_values",
            SSB_POPULATION,
            "block",
            "Befolkningstall er ikke negative; manglende tall har SSBs symbol",
            f"select municipality_code, year, kjonn_code, alder_code, value, status from {pop} "
            "where value < 0 or (value is null and coalesce(status, '') = '')",
            (pop,),
            pop,
        ),
        SqlCheck(
            "ssb_population_municipality_in_klass",
            SSB_POPULATION,
            "block",
            "Kommunenummer i befolkningstallene er gyldige i KLASS",
            f"select * from (select municipality_code, year, count(*) as failing_rows from {pop} "
            "group by all) where not klass_valid(municipality_code, make_date(year, 1, 1))",
            (pop,),
            pop,
            references=("klass",),
        ),
        SqlCheck(
            "ssb_fetch_logged",
            SSB_POPULATION,
            "block",
            "SSB-hentingene er logget (tabellversjon)",
            "select 'audit.ssb_fetches' as table_name where not exists (select 1 from audit.ssb_fetches)",
            ("audit.ssb_fetches",),
            "audit.ssb_fetches",
        ),
        SqlCheck(
            "ssb_kostra_fte_not_empty",
            SSB_KOSTRA_FTE,
            "block",
            "KOSTRA-årsverk har rader",
            f"select '{fte}' as table_name where not exists (select 1 from {fte})",
            (fte,),
            fte,
        ),
        SqlCheck(
            "ssb_kostra_fte_unique",
            SSB_KOSTRA_FTE,
            "block",
            "Én verdi per kommune, år, funksjonsgruppe og statistikkvariabel",
            f"select municipality_code, year, kokfunksjon0000_code, contentscode_code, count(*) as failing_rows "
            f"from {fte} group by all having count(*) > 1",
            (fte,),
            fte,
        ),
        SqlCheck(
            "ssb_kostra_fte_values",
            SSB_KOSTRA_FTE,
            "block",
            "Årsverk er ikke negative",
            f"select municipality_code, year, value from {fte} where value < 0",
            (fte,),
            fte,
        ),
        SqlCheck(
            "ssb_kostra_fte_municipality_in_klass",
            SSB_KOSTRA_FTE,
            "block",
            "Kommunenummer i KOSTRA-årsverk er gyldige i KLASS",
            # a code outside its validity comes with SSB's '.' and no value (KOSTRA's practice)
            f"select * from (select municipality_code, year, count(*) as failing_rows from {fte} "
            "where value is not null group by all) where not klass_valid(municipality_code, make_date(year, 1, 1))",
            (fte,),
            fte,
            references=("klass",),
        ),
        SqlCheck(
            "klass_municipality_not_empty",
            KLASS,
            "block",
            "Kommuneklassifikasjonen har rader",
            f"select '{klass}' as table_name where not exists (select 1 from {klass})",
            (klass,),
            klass,
        ),
        SqlCheck(
            "klass_municipality_codes",
            KLASS,
            "block",
            "Kommunenummer har fire sifre og gyldig periode",
            f"select code, name, valid_from, valid_to from {klass} "
            "where not regexp_full_match(code, '\\d{4}') or valid_from is null or valid_to < valid_from",
            (klass,),
            klass,
        ),
        SqlCheck(
            "klass_municipality_no_overlap",
            KLASS,
            "block",
            "Et kommunenummer har ikke overlappende perioder",
            f"select a.code, a.valid_from, a.valid_to, b.valid_from as next_valid_from from {klass} a "
            f"join {klass} b on a.code = b.code and a.valid_from < b.valid_from "
            "and (a.valid_to is null or a.valid_to > b.valid_from)",
            (klass,),
            klass,
        ),
    ]


def _model_checks() -> list[SqlCheck]:
    ind = "marts.fct_indicators"
    ipy = "intermediate.int_person_snapshots"
    return [
        SqlCheck(
            "hr_fte_vs_kostra_fte",
            INT_PERSON_YEAR,
            "warn",
            f"HR-årsverk per kommune og år ligger innenfor ±{KOSTRA_FTE_TOLERANCE:.0%} "
            "av SSBs KOSTRA-årsverk",
            f"""
                 with hr as (select municipality_code, year, position_size_sum / 100.0 as hr_fte
                             from q_person_year),
                      -- avtalte årsverk, all functions (FG2)
                      k as (select municipality_code, year, sum(value) as kostra_fte
                            from raw.ssb_kostra_fte
                            where kokfunksjon0000_code = 'FG2' and contentscode_code = 'KOSavtaltearsver0000'
                            group by all)
                 select hr.municipality_code, hr.year, round(hr.hr_fte, 1) as hr_fte,
           round(k.kostra_fte, 1) as kostra_fte, round(hr.hr_fte / k.kostra_fte - 1, 3) as relative_difference
                 from hr join k using (municipality_code, year)
                 where k.kostra_fte > 0 and abs(hr.hr_fte / k.kostra_fte - 1) > {KOSTRA_FTE_TOLERANCE}
                 """,
            (ipy, "raw.ssb_kostra_fte"),
            ipy,
            feedback="Summen av stillingsprosenter avviker mye fra SSBs KOSTRA-årsverk; "
            "kontroller at uttrekket er komplett.",
            # 11918 ends in 2019 (docs/reference/ssb_tables.md): later years are not compared
            note_sql="""
                 with k as (select distinct year from raw.ssb_kostra_fte
                            where kokfunksjon0000_code = 'FG2' and contentscode_code = 'KOSavtaltearsver0000'
                              and value is not null),
                      missing as (select distinct year from q_person_year where year not in (select year from k))
                 select string_agg(cast(year as varchar), ', ' order by year)
                        || ': ingen KOSTRA-tall for dette året (ikke sammenlignet)'
                 from missing
                 """,
        ),
        SqlCheck(
            "employments_unknown_position_code_share",
            INT_PERSON_YEAR,
            "warn",
            f"Høyst {UNKNOWN_CODE_WARN_SHARE:.0%} av kommunens ansatte i et år har en stillingskode "
            "som ikke finnes i kodelisten",
            f"""
                 -- employees as the indicators count them: counted employment types (not
                 -- apprentices or substitutes) at the 1 December snapshot
                 with e as (
                     select e.municipality_code, e.year, e.person_number, e.position_code,
                            not exists (
                                select 1 from ref_ks_position_codes c
                                where c.position_code = e.position_code and c.valid_from <= e.snapshot_date
                            ) as is_unknown
                     from intermediate.int_employment_snapshots e
                     where e.is_counted_type
                 ),
                 per_year as (
                     select municipality_code, year, count(distinct person_number) as employees,
                            count(distinct person_number) filter (where is_unknown) as failing_rows,
                            string_agg(distinct position_code, ', ' order by position_code)
                                filter (where is_unknown) as unknown_codes
                     from e group by all
                 )
                 select municipality_code, year, employees, failing_rows,
                        round(failing_rows / employees, 4) as unknown_share, unknown_codes
                 from per_year
                 where failing_rows > {UNKNOWN_CODE_WARN_SHARE} * employees
                 """,
            ("intermediate.int_employment_snapshots",),
            "intermediate.int_employment_snapshots",
            feedback="Mange ansatte har en stillingskode som ikke finnes i KS' kodeliste; de telles med "
            "(stillingsgruppe «Ukjent»). Kontroller kodene, eller meld dem inn så listen kan utvides.",
            references=("ks_position_codes",),
        ),
        # Checks over the intermediate model that guard publication sit on fct_indicators: a
        # Dagster blocking check only holds back the direct dependants of its asset, and the
        # release reads fct_indicators.
        SqlCheck(
            "int_person_snapshots_unique",
            FCT_INDICATORS,
            "block",
            "int_person_snapshots: én rad per person, kommune og år",
            "select municipality_code, year, person_rows, persons, person_rows - persons as failing_rows "
            "from q_person_year where person_rows > persons",
            (ipy,),
            ipy,
        ),
        SqlCheck(
            "employees_within_population",
            FCT_INDICATORS,
            "block",
            "Antall ansatte overstiger aldri kommunens befolkning 15–74 år",
            """
                 with persons as (select municipality_code, year, persons as employees from q_person_year),
                 pop as (
                     select municipality_code, year, sum(value) as population_15_74
                     from raw.ssb_population
                     where try_cast(regexp_extract(alder_code, '\\d+') as integer) between 15 and 74
                     group by all
                 ),
                 matched as (
                     select p.municipality_code, p.year, p.employees,
                  arg_min(pop.year, abs(pop.year - p.year) * 2 + (pop.year > p.year)::int) as population_year,
                          arg_min(pop.population_15_74, abs(pop.year - p.year) * 2 + (pop.year > p.year)::int)
                                as population_15_74
                     from persons p left join pop using (municipality_code)
                     group by p.municipality_code, p.year, p.employees
                 )
                 select municipality_code, year, employees, population_year, population_15_74,
                        'flere ansatte enn innbyggere 15–74 år' as problem
                 from matched where employees > population_15_74
                 """,
            (ipy, "raw.ssb_population"),
            ipy,
            feedback="Uttrekket har flere ansatte enn kommunen har innbyggere i arbeidsfør alder; "
            "kontroller for dubletter eller feil kommunenummer.",
        ),
        SqlCheck(
            "population_known_for_employer_municipalities",
            FCT_INDICATORS,
            "warn",
            "SSB-befolkning finnes for alle kommuner med ansatte",
            """
                 select distinct p.municipality_code,
                        'mangler befolkningstall for kommunen (utenfor SSB-katalogens regionsett?)' as problem
                 from q_person_year p
                 where not exists (
                     select 1 from raw.ssb_population pop where pop.municipality_code = p.municipality_code
                 )
                 """,
            (ipy, "raw.ssb_population"),
            ipy,
            feedback="SSB har ingen befolkningstall for kommunen i varehuset; tall per innbygger og "
            "kontrollen mot befolkningen mangler. Utvid regionsettet i pipelines/ssb/catalogue.toml.",
        ),
        SqlCheck(
            "fct_indicators_not_empty",
            FCT_INDICATORS,
            "block",
            "Indikatortabellen har rader",
            f"select '{ind}' as table_name where not exists (select 1 from {ind})",
            (ind,),
            ind,
        ),
        SqlCheck(
            "fct_indicators_unique_grain",
            FCT_INDICATORS,
            "block",
            "Én verdi per indikator, område, år og nedbrytning",
            "select indicator_id, area_type, area_code, year, breakdown, breakdown_value, "
            "count(*) as failing_rows "
            f"from {ind} group by all having count(*) > 1",
            (ind,),
            ind,
        ),
        SqlCheck(
            "fct_indicators_not_null",
            FCT_INDICATORS,
            "block",
            "Indikator, område og år har verdi",
            f"select indicator_id, area_type, area_code, year from {ind} where indicator_id is null "
            "or area_type is null or area_code is null or year is null",
            (ind,),
            ind,
        ),
        SqlCheck(
            "fct_indicators_area_types",
            FCT_INDICATORS,
            "block",
            "Områdetype er kommune eller region",
            f"select area_type, count(*) as failing_rows from {ind} "
            "where area_type not in ('municipality', 'region') group by all",
            (ind,),
            ind,
        ),
        SqlCheck(
            "fct_indicators_municipality_in_klass",
            FCT_INDICATORS,
            "block",
            "Kommunenummer i indikatorene er gyldige i KLASS for året",
            "select * from (select area_code as municipality_code, year, count(*) as failing_rows "
            f"from {ind} "
            "where area_type = 'municipality' group by all) "
            "where not klass_valid(municipality_code, make_date(year, 12, 1))",
            (ind,),
            ind,
            references=("klass",),
        ),
        SqlCheck(
            "fct_indicators_share_consistent",
            FCT_INDICATORS,
            "block",
            "Andeler = teller ÷ nevner, med 0 ≤ teller ≤ nevner",
            "select indicator_id, area_type, area_code, year, breakdown, breakdown_value, "
            "numerator, denominator, "
            f"value from {ind} where indicator_id in ({_SHARE_LIST}) and ("
            "numerator < 0 or denominator < 0 or numerator > denominator "
            "or (denominator > 0 and abs(value - numerator / denominator) > 1e-6) "
            "or (value is not null and (value < 0 or value > 1)))",
            (ind,),
            ind,
        ),
        SqlCheck(
            "fct_indicators_counts_match_int_person_snapshots",
            FCT_INDICATORS,
            "block",
            "Nevneren for heltidsandel = antall telte ansatte i int_person_snapshots",
            f"""
              with persons as (select municipality_code, year, counted_persons as counted from q_person_year),
                 ind as (
                     select area_code as municipality_code, year, denominator
                     from {ind}
                    where indicator_id = 'fulltime_share' and area_type = 'municipality' and {TOTAL_BREAKDOWN}
                 )
                 select coalesce(p.municipality_code, i.municipality_code) as municipality_code,
                        coalesce(p.year, i.year) as year,
                       p.counted as counted_in_int_person_snapshots, i.denominator as denominator_in_fct_indicators
               from persons p full join ind i on p.municipality_code = i.municipality_code and p.year = i.year
                 where coalesce(p.counted, 0) <> coalesce(i.denominator, 0)
                 """,
            (ind, ipy),
            ind,
        ),
        SqlCheck(
            "fct_fulltime_matches_fct_indicators",
            FCT_FULLTIME,
            "block",
            "fct_fulltime har de samme områdene og årene som heltidsandelen i fct_indicators",
            """
                 with a as (select distinct area_type, area_code, year from marts.fct_fulltime),
                      b as (select distinct area_type, area_code, year from marts.fct_indicators
                            where indicator_id = 'fulltime_share')
      select coalesce(a.area_type, b.area_type) as area_type, coalesce(a.area_code, b.area_code) as area_code,
                        coalesce(a.year, b.year) as year,
         case when a.year is null then 'mangler i fct_fulltime' else 'mangler i fct_indicators' end as problem
             from a full join b on a.area_type = b.area_type and a.area_code = b.area_code and a.year = b.year
                 where a.year is null or b.year is null
                 """,
            ("marts.fct_fulltime", ind),
            "marts.fct_fulltime",
        ),
        SqlCheck(
            "fct_turnover_matches_fct_indicators",
            FCT_TURNOVER,
            "block",
            "fct_turnover har de samme områdene og årene som turnover i fct_indicators",
            """
                 with a as (select distinct area_type, area_code, year from marts.fct_turnover),
                      b as (select distinct area_type, area_code, year from marts.fct_indicators
                            where indicator_id = 'turnover')
      select coalesce(a.area_type, b.area_type) as area_type, coalesce(a.area_code, b.area_code) as area_code,
                        coalesce(a.year, b.year) as year,
         case when a.year is null then 'mangler i fct_turnover' else 'mangler i fct_indicators' end as problem
             from a full join b on a.area_type = b.area_type and a.area_code = b.area_code and a.year = b.year
                 where a.year is null or b.year is null
                 """,
            ("marts.fct_turnover", ind),
            "marts.fct_turnover",
        ),
    ]


def _quarantine_orphans() -> SqlCheck:
    return SqlCheck(
        "quarantine_in_ledger",
        EMPLOYMENTS,
        "block",
        "Hver karanteneregistrering hører til en leveranse i loggen",
        "select left(q.delivery_sha256, 12) as delivery, count(*) as failing_rows from audit.quarantine q "
        "where not exists (select 1 from audit.deliveries d where d.delivery_sha256 = q.delivery_sha256) "
        "group by 1",
        ("audit.quarantine", "audit.deliveries"),
        "audit.quarantine",
    )


CHECKS: tuple[SqlCheck, ...] = (
    *_employment_checks(),
    _quarantine_orphans(),
    *_posting_checks(),
    *_backlog_checks(),
    *_ssb_checks(),
    *_model_checks(),
)


def checks_for(asset_keys: Iterable[tuple[str, ...]] | None = None) -> list[SqlCheck]:
    """All checks, or those on the given assets."""
    if asset_keys is None:
        return list(CHECKS)
    wanted = {tuple(k) for k in asset_keys}
    return [c for c in CHECKS if c.asset_key in wanted]


def prepare_macros(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    """The SQL helpers the checks call (needs the reference views of `references.py`) and the
    shared aggregates; returns why an aggregate could not be built, by name, so the checks that
    use it fail with that reason."""
    con.execute(MACROS)
    errors: dict[str, str] = {}
    for name, (source, sql) in PRELUDES.items():
        if not table_exists(con, source):
            continue  # the checks over it fail on the missing table
        try:
            con.execute(f"create or replace temp table {name} as {sql}")
        except duckdb.Error as error:
            errors[name] = str(error).strip().splitlines()[0][:300]
    return errors


def _json_safe(value: object) -> object:
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)


class _RowCounter:
    """Caches `count(*)` per table within one gate run."""

    def __init__(self, con: duckdb.DuckDBPyConnection) -> None:
        self.con = con
        self.cache: dict[str, int] = {}

    def __call__(self, table: str) -> int | None:
        if table not in self.cache:
            try:
                self.cache[table] = int(self.con.execute(f"select count(*) from {table}").fetchall()[0][0])
            except duckdb.Error:
                return None
        return self.cache[table]


def run_check(
    con: duckdb.DuckDBPyConnection,
    check: SqlCheck,
    count_rows: _RowCounter | None = None,
    prelude_errors: dict[str, str] | None = None,
) -> CheckResult:
    """Run one check. Missing input or an SQL error gives a failed result carrying the reason."""
    count_rows = count_rows or _RowCounter(con)
    base = {
        "check_name": check.name,
        "asset_key": check.asset_key,
        "severity": check.severity,
        "kind": "sql",
        "title": check.title,
        "expected": "0 rader feiler",
    }
    missing = [t for t in check.tables if not table_exists(con, t)]
    if missing:
        return CheckResult(
            **base,
            passed=False,
            message=f"Kan ikke kjøres: tabellen {', '.join(missing)} finnes ikke.",
            observed="inndata mangler",
        )
    broken = [f"{name}: {error}" for name, error in (prelude_errors or {}).items() if name in check.sql]
    if broken:
        return CheckResult(
            **base, passed=False, message=f"Kan ikke kjøres: {'; '.join(broken)}", observed="SQL-feil"
        )
    try:
        cur = con.execute(
            f"select *, count(*) over () as __failing_outputs from ({check.sql}) as failing "
            f"limit {EXAMPLE_ROWS}"
        )
        columns = [d[0] for d in cur.description]
        rows = [dict(zip(columns, r, strict=True)) for r in cur.fetchall()]
        failing_outputs = int(rows[0]["__failing_outputs"]) if rows else 0
        unexpected = failing_outputs
        if rows and "failing_rows" in columns:
            unexpected = int(
                con.execute(f"select sum(failing_rows) from ({check.sql}) as failing").fetchall()[0][0]
            )
        by_municipality: dict[str, dict[str, object]] = {}
        if rows and "municipality_code" in columns:
            by_municipality = _by_municipality(con, check, "failing_rows" in columns)
    except duckdb.Error as error:
        first_line = str(error).strip().splitlines()[0][:300]
        return CheckResult(
            **base, passed=False, message=f"Kan ikke kjøres: {first_line}", observed="SQL-feil"
        )
    examples = [{k: _json_safe(v) for k, v in r.items() if k != "__failing_outputs"} for r in rows]
    passed = failing_outputs == 0
    message = "OK" if passed else f"{unexpected} rader feiler: {check.title.lower()}"
    if check.note_sql:
        try:
            note = con.execute(check.note_sql).fetchall()[0][0]
        except duckdb.Error as error:
            note = f"merknaden kunne ikke beregnes ({str(error).strip().splitlines()[0][:200]})"
        if note:
            message = f"{message}; {note}"
    return CheckResult(
        **base,
        passed=passed,
        message=message,
        observed=f"{unexpected} rader feiler",
        evaluated_rows=count_rows(check.evaluated_table),
        unexpected_count=unexpected,
        examples=examples,
        by_municipality=by_municipality,
    )


def _by_municipality(
    con: duckdb.DuckDBPyConnection, check: SqlCheck, grouped: bool
) -> dict[str, dict[str, object]]:
    """Failures per municipality (count and a few examples), for that municipality's feedback."""
    weight = "sum(failing_rows)" if grouped else "count(*)"
    cur = con.execute(
        f"""
        select municipality_code, {weight} as n,
               list(to_json(failing))[1:{FEEDBACK_EXAMPLES_PER_MUNICIPALITY}] as examples
        from ({check.sql}) as failing group by municipality_code
        """
    )
    out: dict[str, dict[str, object]] = {}
    for code, n, examples in cur.fetchall():
        out[str(code)] = {"count": int(n), "examples": [json.loads(e) for e in examples or []]}
    return out


def run_checks(
    con: duckdb.DuckDBPyConnection, checks: Sequence[SqlCheck], prelude_errors: dict[str, str] | None = None
) -> tuple[list[CheckResult], dict[str, float]]:
    """Run checks in order; returns the results and the seconds each took (for the benchmark)."""
    counter = _RowCounter(con)
    results: list[CheckResult] = []
    timings: dict[str, float] = {}
    for check in checks:
        started = time.perf_counter()
        results.append(run_check(con, check, counter, prelude_errors))
        timings[check.name] = time.perf_counter() - started
    return results, timings
