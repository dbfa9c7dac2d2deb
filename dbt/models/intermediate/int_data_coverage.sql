-- Grain: one row per (municipality_code, year) with any HR data. Says which figures the data
-- can support for that year, so no indicator is ever published for a year without data:
--   * has_snapshot: an employments extract covers 1 December of the year (an extract covers
--     the 12 months up to its extraction date, or the history it declared: every 1 December
--     from its period start to its extraction date);
--   * employment_data_until: the newest extraction date of the municipality, the last day
--     follow-ups (12/24-month retention, apprentice conversion) can be observed;
--   * has_postings / has_backlog: postings closing in the year / backlog months in the year;
--   * can_follow_persons: the persons counted on 1 December of the year before can be found
--     on 1 December of the year (turnover pairs): there is a previous snapshot, and no counted
--     employee of it without a national id was delivered under a code that a merger or split
--     (int_municipality_code_map.restructured_on; not a pure renumbering, which
--     pipelines/hr/identity.py keys continuously) replaced between the two snapshots: that
--     HR system's employee pseudonyms do not continue under the new code (issue 16).
-- Extracts of a split code do not give its successors coverage on their own.
{% set snapshot_month = var('snapshot_month') %}
{% set snapshot_day = var('snapshot_day') %}

with extracts as (
    select * from {{ ref('int_hr__extracts') }}
    where not is_split_source
),

extract_years as (
    -- the first and last snapshot date inside each extract's period
    select
        municipality_code,
        case
            when period_start_date <= make_date(year(period_start_date), {{ snapshot_month }}, {{ snapshot_day }})
                then year(period_start_date)
            else year(period_start_date) + 1
        end as first_year,
        case
            when extraction_date >= make_date(year(extraction_date), {{ snapshot_month }}, {{ snapshot_day }})
                then year(extraction_date)
            else year(extraction_date) - 1
        end as last_year
    from extracts
),

snapshot_years as (
    select distinct municipality_code, unnest(range(first_year, last_year + 1)) as year
    from extract_years
    where first_year <= last_year
),

data_until as (
    select municipality_code, max(extraction_date) as employment_data_until
    from extracts
    group by municipality_code
),

posting_years as (
    select distinct municipality_code, posting_year as year
    from {{ ref('int_hr__postings') }}
),

backlog_years as (
    select distinct municipality_code, year(month_date) as year
    from {{ ref('int_hr__backlog') }}
),

all_years as (
    select municipality_code, year from snapshot_years
    union
    select municipality_code, year from posting_years
    union
    select municipality_code, year from backlog_years
),

restructurings as (
    -- each merger or split on the way from a delivered code to today's, as the first year
    -- whose 1 December is on or after it (its pairs are the ones that cross it)
    select
        source_code,
        municipality_code,
        case
            when restructured_on <= make_date(year(restructured_on), {{ snapshot_month }}, {{ snapshot_day }})
                then year(restructured_on)
            else year(restructured_on) + 1
        end as year
    from (
        select source_code, municipality_code, unnest(restructured_on) as restructured_on
        from {{ ref('int_municipality_code_map') }}
        where len(restructured_on) > 0
    ) as changes
),

unfollowable as (
    -- years whose previous snapshot counted an employee without a national id delivered under
    -- a code a merger or split replaced before this year's snapshot
    select distinct employments.municipality_code, restructurings.year
    from {{ ref('int_hr__employments') }} as employments
    inner join restructurings
        on restructurings.source_code = employments.reported_municipality_code
       and restructurings.municipality_code = employments.municipality_code
    where employments.is_counted_type
      and not employments.has_person_key
      and {{ is_active_on('employments', 'make_date(restructurings.year - 1, ' ~ snapshot_month ~ ', ' ~ snapshot_day ~ ')') }}
),

final as (
    select
        all_years.municipality_code,
        all_years.year,
        make_date(all_years.year, {{ snapshot_month }}, {{ snapshot_day }}) as snapshot_date,
        snapshot_years.year is not null as has_snapshot,
        previous_year.year is not null as has_previous_snapshot,
        previous_year.year is not null and unfollowable.year is null as can_follow_persons,
        data_until.employment_data_until,
        posting_years.year is not null as has_postings,
        backlog_years.year is not null as has_backlog
    from all_years
    left join snapshot_years using (municipality_code, year)
    left join snapshot_years as previous_year
        on previous_year.municipality_code = all_years.municipality_code
       and previous_year.year = all_years.year - 1
    left join unfollowable using (municipality_code, year)
    left join data_until using (municipality_code)
    left join posting_years using (municipality_code, year)
    left join backlog_years using (municipality_code, year)
)

select * from final
