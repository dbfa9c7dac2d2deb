-- Grain: one row per (area_type, area_code, year, breakdown, breakdown_value): counted
-- employees on 1 December by delivered education (int_person_education), in total and by
-- service area, position group and function family, with the counts of the qualification
-- gap. Regions pool their members' persons, so every count is the sum of the members'.
-- A person in two function families counts in each family (as in int_function_staff).
{{ config(**year_slice_config()) }}
{% set levels = ['grunnskole', 'videregaende', 'fagskole', 'hoyskole', 'master'] %}
{% set measures %}
        count(*) as employees,
        {%- for level in levels %}
        count(*) filter (where education_level = '{{ level }}') as employees_{{ level }},
        {%- endfor %}
        count(*) filter (where education_status = 'levert') as employees_known,
        count(*) filter (where education_status = 'ukjent') as employees_unknown,
        count(*) filter (where education_status = 'ikke_levert') as employees_not_delivered,
        count(*) filter (where required_education_level is not null) as requiring,
        count(*) filter (where required_education_level is not null and education_status = 'levert') as requiring_known,
        count(*) filter (where is_below_requirement) as requiring_below,
        count(*) filter (where required_education_level is not null and education_status = 'ukjent') as requiring_unknown,
        count(*) filter (where required_education_level is not null and education_status = 'ikke_levert') as requiring_not_delivered,
        count(distinct facts.municipality_code) as municipalities,
        count(distinct facts.municipality_code) filter (where education_status = 'ikke_levert') as municipalities_not_delivering
{% endset %}
with persons as (
    select
        municipality_code,
        year,
        person_number,
        main_service_area as service_area,
        coalesce(main_position_group, 'unknown') as position_group,
        education_level,
        education_status,
        required_education_level,
        is_below_requirement
    from {{ ref('int_person_education') }}
    where {{ in_year_slice() }}
),

family_persons as (
    select persons.*, staff.function_family
    from persons
    inner join {{ ref('int_function_staff') }} as staff using (municipality_code, year, person_number)
),

by_person as (
    {{ area_rollup('persons', ['service_area', 'position_group'], measures) }}
),

by_family as (
    {{ area_rollup('family_persons', ['function_family'], measures) }}
),

final as (
    select * from by_person
    union all
    select * from by_family where breakdown = 'function_family'
)

select * from final
where {{ in_slice() }}
