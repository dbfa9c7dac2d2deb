-- Grain: one row per (municipality_code, person_number) hired in a year the municipality has data
-- for. A hire is the start of the person's first counted employment in the municipality
-- (permanent or temporary, above 0 %, not an apprenticeship); earlier substitute, hourly or
-- apprentice work does not make a hire. Carries the position size on the first day (summed
-- over all municipalities where the person is linked by national id, as for full-time) and
-- whether the person is still employed in the municipality 12 and 24 months later, with
-- flags saying whether the data reach far enough to know.
{% set far_future = "date '9999-12-31'" %}
{#- the employment that describes a hire: here first, then the larger percentage, then the lower
    position code, then a hash of the attributes it describes; never the pseudonymised key
    (decision 35), so equal rows tie harmlessly -#}
{% set first_day_order -%}
{
    'here': employments.municipality_code = hires.municipality_code,
    'fte': employments.fte_percent,
    'code': 9999 - coalesce(least(greatest(try_cast(employments.position_code as integer), 0), 9999), 9999),
    'described': hash(employments.position_group, coalesce(employments.service_area, 'ukjent'), employments.gender)
}
{%- endset %}

with tenure as (
    select * from {{ ref('int_person_tenure') }}
    where first_counted_start_date is not null
),

employments as (
    select * from {{ ref('int_hr__employments') }}
),

hires as (
    select
        tenure.municipality_code,
        tenure.person_number,
        tenure.has_person_key,
        tenure.first_counted_start_date as hire_date,
        year(tenure.first_counted_start_date) as year,
        coverage.employment_data_until
    from tenure
    {{- join_covered_year('tenure', 'tenure.first_counted_start_date') }}
),

first_day as (
    -- counted employments active on the hire date, here and (for linked persons) elsewhere
    select
        hires.municipality_code,
        hires.person_number,
        sum({{ exact('employments.fte_percent') }}) as position_size_first_day,
        arg_max(employments.position_group, {{ first_day_order }})
            as position_group,
        arg_max(coalesce(employments.service_area, 'ukjent'), {{ first_day_order }})
            as service_area,
        arg_max(employments.gender, {{ first_day_order }})
            as gender
    from hires
    inner join employments
        on employments.person_number = hires.person_number
       and (employments.municipality_code = hires.municipality_code or hires.has_person_key)
       and employments.is_counted_type
       and employments.start_date <= hires.hire_date
       and coalesce(employments.effective_end_date, {{ far_future }}) >= hires.hire_date
    group by hires.municipality_code, hires.person_number
),

follow_up as (
    select
        hires.municipality_code,
        hires.person_number,
        bool_or(
            employments.start_date <= cast(hires.hire_date + interval 12 month as date)
            and coalesce(employments.effective_end_date, {{ far_future }}) >= cast(hires.hire_date + interval 12 month as date)
        ) as is_retained_12m,
        bool_or(
            employments.start_date <= cast(hires.hire_date + interval 24 month as date)
            and coalesce(employments.effective_end_date, {{ far_future }}) >= cast(hires.hire_date + interval 24 month as date)
        ) as is_retained_24m
    from hires
    inner join employments
        on employments.municipality_code = hires.municipality_code
       and employments.person_number = hires.person_number
    group by hires.municipality_code, hires.person_number
),

final as (
    select
        hires.municipality_code,
        hires.person_number,
        hires.year,
        hires.hire_date,
        case when hires.has_person_key then 'sector' else 'municipality' end as basis,
        first_day.position_size_first_day,
        first_day.position_size_first_day >= 100 as is_fulltime_first_day,
        first_day.position_group,
        first_day.service_area,
        first_day.gender,
        -- every hire of the year can be followed 12 (24) months when the data reach the end
        -- of the following (second following) year
        hires.employment_data_until >= make_date(hires.year + 1, 12, 31) as is_observable_12m,
        hires.employment_data_until >= make_date(hires.year + 2, 12, 31) as is_observable_24m,
        follow_up.is_retained_12m,
        follow_up.is_retained_24m
    from hires
    inner join first_day using (municipality_code, person_number)
    inner join follow_up using (municipality_code, person_number)
)

select * from final
