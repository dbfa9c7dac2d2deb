-- Grain: one row per (municipality_code, year, function_family, person_number): counted employees
-- on 1 December working in a shared-service function family (mapped from position code,
-- title, service area or KOSTRA function through dbt/seeds/function_family_map.csv, in that order).
{{ config(**year_slice_config()) }}
select
    employment_snapshots.municipality_code,
    employment_snapshots.year,
    employment_snapshots.function_family,
    employment_snapshots.person_number,
    bool_or(employment_snapshots.has_person_key) as has_person_key,
    sum({{ exact('employment_snapshots.fte_percent / 100.0') }}) as fte,
    max(employment_snapshots.year - employment_snapshots.birth_year) as age
from {{ ref('int_employment_snapshots') }} as employment_snapshots
where employment_snapshots.is_counted_type
  and {{ in_slice(prefix='employment_snapshots.') }}
  and employment_snapshots.function_family is not null
group by all
