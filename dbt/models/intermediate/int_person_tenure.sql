-- Grain: one row per (municipality_code, person_number): when the person first started in
-- the municipality (any employment: tenure counts from the first day) and first started in a
-- counted employment (permanent or temporary, above 0 %, not an apprenticeship: the hire).
select
    municipality_code,
    person_number,
    any_value(person_id) as person_id,
    bool_or(has_person_key) as has_person_key,
    min(start_date) as first_start_date,
    min(start_date) filter (where is_counted_type) as first_counted_start_date
from {{ ref('int_hr__employments') }}
group by municipality_code, person_number
