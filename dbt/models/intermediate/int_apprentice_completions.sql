-- Grain: one row per (municipality_code, person_number) whose apprenticeship in the municipality
-- ended (the last apprentice employment's end, actual or inferred from a later extract,
-- with no apprentice employment still running) in a year the municipality has data for,
-- and whether the person held a non-apprentice employment in the same municipality at any
-- time in the 12 months after that end (Salten's "hire your own apprentices").
{% set far_future = "date '9999-12-31'" %}

with employments as (
    select * from {{ ref('int_hr__employments') }}
),

apprenticeships as (
    select
        municipality_code,
        person_number,
        bool_or(has_person_key) as has_person_key,
        max(effective_end_date) as completion_date,
        bool_or(effective_end_date is null) as is_ongoing
    from employments
    where is_apprentice
    group by municipality_code, person_number
),

completed as (
    select
        apprenticeships.*,
        year(apprenticeships.completion_date) as year,
        coverage.employment_data_until
    from apprenticeships
    {{- join_covered_year('apprenticeships', 'apprenticeships.completion_date') }}
    where not apprenticeships.is_ongoing
),

converted as (
    select
        completed.municipality_code,
        completed.person_number,
        bool_or(employments.employment_key is not null) as is_converted_12m
    from completed
    left join employments
        on employments.municipality_code = completed.municipality_code
       and employments.person_number = completed.person_number
       and not employments.is_apprentice
       and employments.start_date <= cast(completed.completion_date + interval 12 month as date)
       and coalesce(employments.effective_end_date, {{ far_future }}) > completed.completion_date
    group by completed.municipality_code, completed.person_number
),

final as (
    select
        completed.municipality_code,
        completed.person_number,
        completed.year,
        completed.completion_date,
        case when completed.has_person_key then 'sector' else 'municipality' end as basis,
        completed.employment_data_until >= make_date(completed.year + 1, 12, 31) as is_observable_12m,
        converted.is_converted_12m
    from completed
    inner join converted using (municipality_code, person_number)
)

select * from final
