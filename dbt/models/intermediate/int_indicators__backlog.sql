-- Long rows of the backlog indicator: overdue cases / open cases summed over the months of
-- the year (case-months), per service and in total.
{{ config(**year_slice_config()) }}
with facts as (
    select municipality_code, year(month_date) as year, service, open_cases, overdue_cases
    from {{ ref('int_hr__backlog') }}
),

rolled_up as (
    {{ area_rollup('facts', ['service'], "
        sum(overdue_cases) as overdue,
        sum(open_cases) as open
    ") }}
),

final as (
    {{ indicator_rows('rolled_up', [
        {'id': 'backlog_overdue_share', 'numerator': 'overdue', 'denominator': 'open'},
    ], basis='null') }}
)

select * from final
where {{ in_slice() }}
