-- Grain: one row per (area_type, area_code, year, coverage_rule): how many of the area's
-- municipalities have the data a rule needs that year (dim_indicator.coverage_rule says
-- which rule an indicator follows). fct_indicators reports it beside each figure, so a
-- regional figure says how many member municipalities it covers.
with coverage as (
    select * from {{ ref('int_data_coverage') }}
),

population_years as (
    select distinct municipality_code, year from {{ ref('int_population_snapshot_years') }}
),

rules as (
    select municipality_code, year, 'snapshot' as coverage_rule from coverage where has_snapshot
    union all
    select municipality_code, year, 'pair' from coverage where has_snapshot and can_follow_persons
    union all
    select municipality_code, year, 'followup_12m' from coverage
    where has_snapshot and employment_data_until >= make_date(year + 1, 12, 31)
    union all
    select municipality_code, year, 'followup_24m' from coverage
    where has_snapshot and employment_data_until >= make_date(year + 2, 12, 31)
    union all
    select municipality_code, year, 'postings' from coverage where has_postings
    union all
    select municipality_code, year, 'backlog' from coverage where has_backlog
    union all
    select municipality_code, year, 'population' from population_years
),

final as (
    select
        areas.area_type,
        areas.area_code,
        rules.year,
        rules.coverage_rule,
        count(distinct rules.municipality_code) as municipalities_with_data
    from rules
    inner join {{ ref('int_areas') }} as areas using (municipality_code)
    group by all
)

select * from final
