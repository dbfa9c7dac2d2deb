-- Rows returned break the `persons` contract of fct_indicators: empty where employees are
-- involved, filled where none are, negative, or different from the denominator of a ratio
-- whose denominator counts the same persons.
with figures as (
    select * from {{ ref('fct_indicators') }}
),

without_persons as (
    select 'population_women_share' as indicator_id
    union all select 'population_age_distribution'
    union all select 'backlog_overdue_share'
    union all select 'population_higher_education_share'
)

select indicator_id, area_code, year, breakdown, breakdown_value, persons, 'empty' as problem
from figures
where persons is null
  and indicator_id not in (select indicator_id from without_persons)
union all
select indicator_id, area_code, year, breakdown, breakdown_value, persons, 'filled'
from figures
where persons is not null
  and indicator_id in (select indicator_id from without_persons)
union all
select indicator_id, area_code, year, breakdown, breakdown_value, persons, 'negative'
from figures
where persons < 0
union all
select indicator_id, area_code, year, breakdown, breakdown_value, persons, 'not the denominator'
from figures
where indicator_id in (
        'fulltime_share', 'avg_position_size', 'short_parttime_share', 'temporary_share', 'women_share',
        'women_share_leaders', 'retirement_wave_5y', 'retirement_wave_10y', 'age_distribution',
        'turnover', 'sector_turnover', 'turnover_excl_retirement', 'internal_mobility', 'key_turnover',
        'regional_retention', 'transitions', 'fulltime_share_new_hires', 'retention_12m', 'retention_24m',
        'apprentice_conversion_12m', 'median_tenure_years', 'key_median_tenure_years'
    )
  and persons is distinct from denominator
