-- Grain: one row per (reported_municipality_code, municipality_code, extraction_date): every
-- employments extract known from the ledger or from the raw rows themselves (a fully
-- superseded extract leaves no raw row, but stays in the ledger). An extract covers the 12
-- months up to its extraction date (period_start_date .. extraction_date), unless its
-- delivery declared a history (`period_start`, issue 12): then it covers every day from that
-- date on. Two deliveries of one extraction date cover the longer of their periods.
with ledger as (
    select reported_municipality_code, extraction_date, period_start_date
    from {{ ref('stg_audit__deliveries') }}
    where kind = 'employments'
      and outcome in ('loaded', 'already_loaded')
      and reported_municipality_code is not null
      and extraction_date is not null
),

raw_extracts as (
    select distinct reported_municipality_code, extraction_date, cast(null as date) as period_start_date
    from {{ ref('stg_hr__employments') }}
),

deliveries as (
    select reported_municipality_code, extraction_date, min(period_start_date) as declared_period_start_date
    from (
        select * from ledger
        union all
        select * from raw_extracts
    ) as both_sources
    group by reported_municipality_code, extraction_date
),

final as (
    select
        deliveries.reported_municipality_code,
        {{ todays_code('deliveries') }} as municipality_code,
        deliveries.extraction_date,
        coalesce(
            deliveries.declared_period_start_date,
            cast(deliveries.extraction_date - interval 1 year + interval 1 day as date)
        ) as period_start_date,
        coalesce(code_map.is_split, false) as is_split_source
    from deliveries
    {{- code_map_join('deliveries') }}
)

select * from final
