{#- At most `max_share` of a municipality's employees in a year have a position code in no
    list (KS's codes, valid on the snapshot date). They are counted (position group
    `unknown`, issue 12), so this warns; employees as the indicators count them: counted
    employment types on the 1 December snapshot. -#}
{% test unknown_position_code_share(model, max_share) %}
{{ config(store_failures=true) }}
with employments as (
    select
        snapshots.municipality_code,
        snapshots.year,
        snapshots.person_number,
        snapshots.position_code,
        not exists (
            select 1 from {{ ref('ks_position_codes') }} as codes
            where lpad(cast(codes.position_code as varchar), 4, '0') = snapshots.position_code
              and coalesce(cast(codes.valid_from as date), date '1900-01-01') <= snapshots.snapshot_date
        ) as is_unknown
    from {{ model }} as snapshots
    where snapshots.is_counted_type
),

per_year as (
    select
        municipality_code,
        year,
        count(distinct person_number) as employees,
        count(distinct person_number) filter (where is_unknown) as failing_rows,
        string_agg(distinct position_code, ', ' order by position_code) filter (where is_unknown) as unknown_codes
    from employments
    group by all
)

select municipality_code, year, employees, failing_rows, round(failing_rows / employees, 4) as unknown_share, unknown_codes
from per_year
where failing_rows > {{ max_share }} * employees
{% endtest %}
