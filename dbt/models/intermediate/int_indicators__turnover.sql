-- Long rows of the year-over-year indicators (1 December t-1 to 1 December t): turnover and
-- its variants, regional retention, internal mobility, transitions, key-position turnover.
-- Breakdowns describe the person at t-1. A region's "same region" is the region itself; a
-- municipality's is its home region (int_areas.retention_members).
with facts as (
    select
        municipality_code,
        year,
        has_person_key,
        is_employed_here_at_t,
        is_counted_at_t,
        other_municipalities_at_t,
        age,
        has_retirement_termination,
        is_key_position,
        main_service_area_at_t,
        main_position_group_at_t,
        coalesce(main_service_area, 'ukjent') as service_area,
        coalesce(main_position_group, 'unknown') as position_group,
        coalesce(gender, 'ukjent') as gender,
        coalesce(age_band, 'ukjent') as age_band
    from {{ ref('int_person_year_pairs') }}
),

rolled_up as (
    {{ area_rollup('facts', ['service_area', 'position_group', 'gender', 'age_band'], "
        count(*) as employees_previous,
        count(*) filter (where not is_employed_here_at_t) as leavers,
        count(*) filter (where not is_employed_here_at_t and len(other_municipalities_at_t) = 0) as sector_leavers,
        count(*) filter (
            where not is_employed_here_at_t
              and not (age >= " ~ var('retirement_leaver_age') ~ " or has_retirement_termination)
        ) as leavers_excl_retirement,
        count(*) filter (
            where not is_employed_here_at_t
              and list_has_any(other_municipalities_at_t, areas.retention_members)
        ) as leavers_in_region,
        count(*) filter (
            where not is_employed_here_at_t
              and len(other_municipalities_at_t) > 0
              and not coalesce(list_has_any(other_municipalities_at_t, areas.retention_members), false)
        ) as leavers_outside_region,
        bool_or(areas.retention_members is not null) as has_retention_region,
        count(*) filter (where is_counted_at_t) as stayers,
        count(*) filter (where is_counted_at_t and main_position_group_at_t <> position_group) as stayers_changed_group,
        count(*) filter (where is_employed_here_at_t and main_service_area_at_t = service_area) as stayed_same_area,
        count(*) filter (where is_employed_here_at_t and main_service_area_at_t <> service_area) as stayed_other_area,
        count(*) filter (where is_key_position) as key_previous,
        count(*) filter (where is_key_position and not is_employed_here_at_t) as key_leavers,
        " ~ basis_of('has_person_key') ~ " as basis
    ") }}
),

final as (
    {{ indicator_rows('rolled_up', [
        {'id': 'turnover', 'numerator': 'leavers', 'denominator': 'employees_previous', 'basis': "'municipality'"},
        {'id': 'sector_turnover', 'numerator': 'sector_leavers', 'denominator': 'employees_previous'},
        {'id': 'turnover_excl_retirement', 'numerator': 'leavers_excl_retirement', 'denominator': 'employees_previous', 'basis': "'municipality'"},
        {'id': 'regional_retention', 'numerator': 'case when has_retention_region then leavers_in_region end', 'denominator': 'leavers'},
        {'id': 'internal_mobility', 'numerator': 'stayers_changed_group', 'denominator': 'stayers', 'basis': "'municipality'"},
        {'id': 'key_turnover', 'numerator': 'key_leavers', 'denominator': 'key_previous', 'basis': "'municipality'"},
        {'id': 'transitions', 'breakdown': "'transition'", 'breakdown_value': "'same_municipality_same_service_area'",
         'numerator': 'stayed_same_area', 'denominator': 'employees_previous', 'where': "breakdown = 'total'"},
        {'id': 'transitions', 'breakdown': "'transition'", 'breakdown_value': "'same_municipality_other_service_area'",
         'numerator': 'stayed_other_area', 'denominator': 'employees_previous', 'where': "breakdown = 'total'"},
        {'id': 'transitions', 'breakdown': "'transition'", 'breakdown_value': "'other_municipality_in_region'",
         'numerator': 'leavers_in_region', 'denominator': 'employees_previous', 'where': "breakdown = 'total'"},
        {'id': 'transitions', 'breakdown': "'transition'", 'breakdown_value': "'other_municipality_outside_region'",
         'numerator': 'leavers_outside_region', 'denominator': 'employees_previous', 'where': "breakdown = 'total'"},
        {'id': 'transitions', 'breakdown': "'transition'", 'breakdown_value': "'not_employed'",
         'numerator': 'sector_leavers', 'denominator': 'employees_previous', 'where': "breakdown = 'total'"},
    ]) }}
)

select * from final
