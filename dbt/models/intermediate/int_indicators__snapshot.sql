-- Long rows of every indicator read off one 1 December snapshot of persons: full-time,
-- stability (tenure, temporary share), key-position tenure, diversity, apprentices.
-- Grain: indicator_id x area x year x breakdown x breakdown_value (all breakdown rows; the
-- published ones are chosen in fct_indicators from dbt/seeds/indicator_catalogue.csv).
-- Counts are summed from municipalities into areas; medians are taken over the pooled
-- persons of each area.
{{ config(**year_slice_config()) }}
with facts as (
    select
        municipality_code,
        year,
        has_person_key,
        is_counted,
        is_apprentice,
        position_size,
        position_size_municipality,
        main_employment_type,
        tenure_years,
        is_key_position,
        is_leader_level_1_3,
        birth_year,
        coalesce(main_service_area, 'ukjent') as service_area,
        coalesce(main_position_group, 'unknown') as position_group,
        coalesce(gender, 'ukjent') as gender,
        coalesce(age_band, 'ukjent') as age_band
    from {{ ref('int_person_snapshots') }}
),

municipal as (
    {{ municipal_rollup('facts', ['service_area', 'position_group', 'gender', 'age_band'], "
        count(*) filter (where is_counted) as counted,
        count(*) filter (where is_counted and position_size >= 100) as fulltime,
        coalesce(sum(" ~ exact('least(position_size, 100)') ~ ") filter (where is_counted), 0) as capped_size_sum,
        count(*) filter (where is_counted and position_size < 50) as short_parttime,
        coalesce(sum(" ~ exact('position_size_municipality / 100.0') ~ ") filter (where is_counted), 0) as fte,
        count(*) filter (where is_counted and main_employment_type = 'temporary') as temporary,
        count(*) filter (where is_counted and gender = 'F') as women,
        count(*) filter (where is_counted and is_leader_level_1_3) as leaders,
        count(*) filter (where is_counted and is_leader_level_1_3 and gender = 'F') as women_leaders,
        count(*) filter (where is_counted and birth_year + " ~ var('retirement_age') ~ " <= year + 5) as retiring_5y,
        count(*) filter (where is_counted and birth_year + " ~ var('retirement_age') ~ " <= year + 10) as retiring_10y,
        count(*) filter (where is_apprentice) as apprentices,
        coalesce(bool_and(has_person_key) filter (where is_counted), true) as all_keyed
    ") }}
),

rolled_up as (
    {{ sum_to_areas('municipal', [
        'counted', 'fulltime', 'capped_size_sum', 'short_parttime', 'fte', 'temporary', 'women',
        'leaders', 'women_leaders', 'retiring_5y', 'retiring_10y', 'apprentices',
    ]) }}
),

counted_facts as (
    select * from facts where is_counted
),

medians as (
    -- medians sort every group of pooled persons, so they get only the breakdowns they are
    -- published with, and each median its own population (a FILTER on a median still
    -- buffers every row)
    {{ area_rollup('counted_facts', ['service_area', 'position_group'], "
        count(*) as counted,
        median(tenure_years) as median_tenure,
        " ~ basis_of('has_person_key') ~ " as basis
    ") }}
),

key_facts as (
    select * from facts where is_counted and is_key_position
),

key_medians as (
    {{ area_rollup('key_facts', ['service_area', 'position_group'], "
        count(*) as key_persons,
        median(tenure_years) as key_median_tenure,
        " ~ basis_of('has_person_key') ~ " as basis
    ") }}
),

with_totals as (
    select
        rolled_up.*,
        max(counted) filter (where breakdown = 'total') over (
            partition by area_type, area_code, year
        ) as counted_total
    from rolled_up
),

final as (
    {{ indicator_rows('with_totals', [
        {'id': 'counted_employees', 'persons': 'counted', 'numerator': 'counted'},
        {'id': 'fulltime_share', 'persons': 'counted', 'numerator': 'fulltime', 'denominator': 'counted'},
        {'id': 'avg_position_size', 'persons': 'counted', 'numerator': 'capped_size_sum', 'denominator': 'counted'},
        {'id': 'short_parttime_share', 'persons': 'counted', 'numerator': 'short_parttime', 'denominator': 'counted'},
        {'id': 'fte', 'persons': 'counted', 'numerator': 'fte'},
        {'id': 'temporary_share', 'persons': 'counted', 'numerator': 'temporary', 'denominator': 'counted'},
        {'id': 'women_share', 'persons': 'counted', 'numerator': 'women', 'denominator': 'counted'},
        {'id': 'women_share_leaders', 'persons': 'leaders', 'numerator': 'women_leaders', 'denominator': 'leaders'},
        {'id': 'retirement_wave_5y', 'persons': 'counted', 'numerator': 'retiring_5y', 'denominator': 'counted'},
        {'id': 'retirement_wave_10y', 'persons': 'counted', 'numerator': 'retiring_10y', 'denominator': 'counted'},
        {'id': 'apprentices', 'persons': 'apprentices', 'numerator': 'apprentices'},
        {'id': 'age_distribution', 'persons': 'counted_total', 'numerator': 'counted', 'denominator': 'counted_total', 'where': "breakdown = 'age_band' and counted > 0"},
    ]) }}
    union all
    {{ indicator_rows('medians', [
        {'id': 'median_tenure_years', 'persons': 'counted', 'numerator': 'null', 'denominator': 'counted', 'value': 'median_tenure'},
    ]) }}
    union all
    {{ indicator_rows('key_medians', [
        {'id': 'key_median_tenure_years', 'persons': 'key_persons', 'numerator': 'null', 'denominator': 'key_persons', 'value': 'key_median_tenure'},
    ]) }}
)

select * from final
where {{ in_slice() }}
