{#- No figure for a year without data: every row's area has at least one municipality with
    the data its indicator needs that year (dim_indicator.coverage_rule, checked against
    int_data_coverage and, for population figures, the population beside the snapshot). -#}
{% test no_indicator_without_data(model, indicators, coverage, areas, population) %}
with rules as (
    select municipality_code, year, 'snapshot' as coverage_rule from {{ coverage }} where has_snapshot
    union all
    select municipality_code, year, 'pair' from {{ coverage }} where has_snapshot and can_follow_persons
    union all
    select municipality_code, year, 'followup_12m' from {{ coverage }}
    where has_snapshot and employment_data_until >= make_date(year + 1, 12, 31)
    union all
    select municipality_code, year, 'followup_24m' from {{ coverage }}
    where has_snapshot and employment_data_until >= make_date(year + 2, 12, 31)
    union all
    select municipality_code, year, 'postings' from {{ coverage }} where has_postings
    union all
    select municipality_code, year, 'backlog' from {{ coverage }} where has_backlog
    union all
    select distinct coverage.municipality_code, coverage.year, 'population'
    from {{ coverage }} as coverage
    inner join {{ population }} as population using (municipality_code, year)
    where coverage.has_snapshot
),

supported as (
    select distinct areas.area_type, areas.area_code, rules.year, rules.coverage_rule
    from rules
    inner join {{ areas }} as areas using (municipality_code)
)

select model.*
from {{ model }} as model
inner join {{ indicators }} as indicators using (indicator_id)
left join supported
    on supported.area_type = model.area_type
   and supported.area_code = model.area_code
   and supported.year = model.year
   and supported.coverage_rule = indicators.coverage_rule
where supported.year is null
{% endtest %}
