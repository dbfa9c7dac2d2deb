-- Long rows of the new-hire indicators: full-time share on the first day and 12/24-month
-- retention, by the year of the hire. Retention rows exist only for years whose every hire
-- can be followed long enough (see int_hires). Counts are summed from municipalities.
{{ config(**year_slice_config()) }}
with facts as (
    select
        municipality_code,
        year,
        basis = 'sector' as has_person_key,
        is_fulltime_first_day,
        is_observable_12m,
        is_observable_24m,
        is_retained_12m,
        is_retained_24m,
        coalesce(position_group, 'unknown') as position_group,
        coalesce(service_area, 'ukjent') as service_area,
        coalesce(gender, 'ukjent') as gender
    from {{ ref('int_hires') }}
),

municipal as (
    {{ municipal_rollup('facts', ['service_area', 'position_group', 'gender'], "
        count(*) as hires,
        count(*) filter (where is_fulltime_first_day) as hires_fulltime,
        count(*) filter (where is_observable_12m) as hires_followed_12m,
        count(*) filter (where is_observable_12m and is_retained_12m) as retained_12m,
        count(*) filter (where is_observable_24m) as hires_followed_24m,
        count(*) filter (where is_observable_24m and is_retained_24m) as retained_24m,
        bool_and(has_person_key) as all_keyed
    ") }}
),

rolled_up as (
    {{ sum_to_areas('municipal', [
        'hires', 'hires_fulltime', 'hires_followed_12m', 'retained_12m', 'hires_followed_24m', 'retained_24m',
    ]) }}
),

final as (
    {{ indicator_rows('rolled_up', [
        {'id': 'fulltime_share_new_hires', 'persons': 'hires', 'numerator': 'hires_fulltime', 'denominator': 'hires'},
        {'id': 'retention_12m', 'persons': 'hires_followed_12m', 'numerator': 'retained_12m', 'denominator': 'hires_followed_12m', 'basis': "'municipality'"},
        {'id': 'retention_24m', 'persons': 'hires_followed_24m', 'numerator': 'retained_24m', 'denominator': 'hires_followed_24m', 'basis': "'municipality'"},
    ]) }}
)

select * from final
where {{ in_slice() }}
