-- Grain: one row per (kind, code): the Norwegian label of every code the marts carry
-- (breakdowns and their values, units, basis, area types, age bands, position groups,
-- function families, shared-service areas, education levels, regions, topics, value kinds,
-- coverage rules, goal directions). Each label is declared once: in the seed that owns
-- the code (age_bands, position_groups, function_families, shared_service_areas,
-- education_levels, regions) or, for codes without a seed of their own, in
-- dbt/seeds/labels.csv. Service areas and services are free text from the deliveries: a delivered value no seed names gets its
-- own text with a capital first letter (source 'levert'), so no breakdown value is unlabelled.
with declared as (
    select kind, code, label_nb, sort_order, 'labels' as source from {{ ref('labels') }}
    union all
    select 'age_band', age_band, age_band_name, sort_order, 'age_bands' from {{ ref('age_bands') }}
    union all
    select 'position_group', position_group, position_group_name, sort_order, 'position_groups'
    from {{ ref('position_groups') }}
    union all
    select 'function_family', function_family, function_family_name, sort_order, 'function_families'
    from {{ ref('function_families') }}
    union all
    select distinct 'shared_area', shared_area, shared_area_name, cast(null as integer), 'shared_service_areas'
    from {{ ref('shared_service_areas') }}
    union all
    select 'education_level', education_level, education_level_name, education_rank, 'education_levels'
    from {{ ref('education_levels') }}
    union all
    select 'region', region_code, region_name, region_level, 'regions' from {{ ref('regions') }}
),

delivered as (
    select distinct breakdown as kind, breakdown_value as code
    from {{ ref('fct_indicators') }}
    where breakdown in ('service_area', 'service')
),

undeclared as (
    select
        delivered.kind,
        delivered.code,
        upper(left(delivered.code, 1)) || substr(delivered.code, 2) as label_nb,
        cast(null as integer) as sort_order,
        'levert' as source
    from delivered
    anti join declared using (kind, code)
),

final as (
    select kind, code, label_nb, cast(sort_order as integer) as sort_order, source from declared
    union all
    select kind, code, label_nb, sort_order, source from undeclared
)

select * from final
