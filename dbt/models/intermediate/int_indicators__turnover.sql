-- Long rows of the year-over-year indicators (1 December t-1 to 1 December t): turnover and
-- its variants, regional retention, internal mobility, transitions, key-position turnover.
-- Breakdowns describe the person at t-1. Counts are summed from municipalities into areas;
-- whether a move stays in "the same region" depends on the area (a region's is itself, a
-- municipality's its home region: int_areas.retention_members), so moves are classified per
-- area, from the movers only.
{{ config(**year_slice_config()) }}
with pairs as (
    select * from {{ ref('int_person_year_pairs') }}
),

facts as (
    select
        municipality_code,
        year,
        has_person_key,
        not is_employed_here_at_t as is_leaver,
        not is_employed_here_at_t and len(other_municipalities_at_t) = 0 as is_sector_leaver,
        not is_employed_here_at_t
            and not (age >= {{ var('retirement_leaver_age') }} or has_retirement_termination)
            as is_leaver_excl_retirement,
        is_counted_at_t,
        is_counted_at_t and main_position_group_at_t <> main_position_group as has_changed_group,
        is_employed_here_at_t and main_service_area_at_t = main_service_area as stayed_same_area,
        is_employed_here_at_t and main_service_area_at_t <> main_service_area as stayed_other_area,
        is_key_position,
        is_key_position and not is_employed_here_at_t as is_key_leaver,
        coalesce(main_service_area, 'ukjent') as service_area,
        coalesce(main_position_group, 'unknown') as position_group,
        coalesce(gender, 'ukjent') as gender,
        coalesce(age_band, 'ukjent') as age_band
    from pairs
),

municipal as (
    {{ municipal_rollup('facts', ['service_area', 'position_group', 'gender', 'age_band'], "
        count(*) as employees_previous,
        count(*) filter (where is_leaver) as leavers,
        count(*) filter (where is_sector_leaver) as sector_leavers,
        count(*) filter (where is_leaver_excl_retirement) as leavers_excl_retirement,
        count(*) filter (where is_counted_at_t) as stayers,
        count(*) filter (where has_changed_group) as stayers_changed_group,
        count(*) filter (where stayed_same_area) as stayed_same_area,
        count(*) filter (where stayed_other_area) as stayed_other_area,
        count(*) filter (where is_key_position) as key_previous,
        count(*) filter (where is_key_leaver) as key_leavers,
        bool_and(has_person_key) as all_keyed
    ") }}
),

rolled_up as (
    {{ sum_to_areas('municipal', [
        'employees_previous', 'leavers', 'sector_leavers', 'leavers_excl_retirement', 'stayers',
        'stayers_changed_group', 'stayed_same_area', 'stayed_other_area', 'key_previous', 'key_leavers',
    ]) }}
),

moves as (
    -- leavers employed in another municipality of the data at t, classified per area
    select
        areas.area_type,
        areas.area_code,
        pairs.year,
        count(*) filter (where list_has_any(pairs.other_municipalities_at_t, areas.retention_members))
            as leavers_in_region,
        count(*) filter (
            where not coalesce(list_has_any(pairs.other_municipalities_at_t, areas.retention_members), false)
        ) as leavers_outside_region
    from pairs
    inner join {{ ref('int_areas') }} as areas on areas.municipality_code = pairs.municipality_code
    where not pairs.is_employed_here_at_t
      and len(pairs.other_municipalities_at_t) > 0
    group by all
),

retention_regions as (
    select distinct area_type, area_code, retention_members is not null as has_retention_region
    from {{ ref('int_areas') }}
),

totals as (
    select
        rolled_up.*,
        coalesce(moves.leavers_in_region, 0) as leavers_in_region,
        coalesce(moves.leavers_outside_region, 0) as leavers_outside_region,
        retention_regions.has_retention_region
    from rolled_up
    left join moves using (area_type, area_code, year)
    left join retention_regions using (area_type, area_code)
    where rolled_up.breakdown = 'total'
),

final as (
    {{ indicator_rows('rolled_up', [
        {'id': 'turnover', 'persons': 'employees_previous', 'numerator': 'leavers', 'denominator': 'employees_previous', 'basis': "'municipality'"},
        {'id': 'sector_turnover', 'persons': 'employees_previous', 'numerator': 'sector_leavers', 'denominator': 'employees_previous'},
        {'id': 'turnover_excl_retirement', 'persons': 'employees_previous', 'numerator': 'leavers_excl_retirement', 'denominator': 'employees_previous', 'basis': "'municipality'"},
        {'id': 'internal_mobility', 'persons': 'stayers', 'numerator': 'stayers_changed_group', 'denominator': 'stayers', 'basis': "'municipality'"},
        {'id': 'key_turnover', 'persons': 'key_previous', 'numerator': 'key_leavers', 'denominator': 'key_previous', 'basis': "'municipality'"},
    ]) }}
    union all
    {{ indicator_rows('totals', [
        {'id': 'regional_retention', 'persons': 'leavers', 'numerator': 'case when has_retention_region then leavers_in_region end', 'denominator': 'leavers'},
        {'id': 'transitions', 'persons': 'employees_previous', 'breakdown': "'transition'", 'breakdown_value': "'same_municipality_same_service_area'",
         'numerator': 'stayed_same_area', 'denominator': 'employees_previous'},
        {'id': 'transitions', 'persons': 'employees_previous', 'breakdown': "'transition'", 'breakdown_value': "'same_municipality_other_service_area'",
         'numerator': 'stayed_other_area', 'denominator': 'employees_previous'},
        {'id': 'transitions', 'persons': 'employees_previous', 'breakdown': "'transition'", 'breakdown_value': "'other_municipality_in_region'",
         'numerator': 'leavers_in_region', 'denominator': 'employees_previous'},
        {'id': 'transitions', 'persons': 'employees_previous', 'breakdown': "'transition'", 'breakdown_value': "'other_municipality_outside_region'",
         'numerator': 'leavers_outside_region', 'denominator': 'employees_previous'},
        {'id': 'transitions', 'persons': 'employees_previous', 'breakdown': "'transition'", 'breakdown_value': "'not_employed'",
         'numerator': 'sector_leavers', 'denominator': 'employees_previous'},
    ]) }}
)

select * from final
where {{ in_slice() }}
