-- Grain: one row per municipality code valid today or present in any data, with its name
-- and home region. The home region (the most local region it belongs to: Salten, outer
-- Lofoten, Lofoten, else Nordland) is the "same region" of a municipality's regional
-- retention and transitions.
with klass as (
    select * from {{ ref('stg_klass__municipalities') }}
),

current_names as (
    select municipality_code, municipality_name, valid_from
    from klass
    qualify row_number() over (
        partition by municipality_code order by valid_to desc nulls first, valid_from desc
    ) = 1
),

seen as (
    select municipality_code from klass where valid_to is null or valid_to >= current_date
    union
    select municipality_code from {{ ref('int_hr__employments') }}
    union
    select municipality_code from {{ ref('int_hr__postings') }}
    union
    select municipality_code from {{ ref('int_hr__backlog') }}
    union
    select municipality_code from {{ ref('int_population') }}
),

regions as (
    select members.municipality_code, members.region_code, regions.region_level
    from {{ ref('region_members') }} as members
    inner join {{ ref('regions') }} as regions using (region_code)
),

home as (
    select municipality_code, region_code as home_region_code
    from regions
    qualify row_number() over (partition by municipality_code order by region_level, region_code) = 1
),

final as (
    select
        seen.municipality_code,
        coalesce(current_names.municipality_name, seen.municipality_code) as municipality_name,
        exists (
            select 1 from klass
            where klass.municipality_code = seen.municipality_code
              and (klass.valid_to is null or klass.valid_to >= current_date)
        ) as is_valid_today,
        home.home_region_code
    from seen
    left join current_names using (municipality_code)
    left join home using (municipality_code)
)

select * from final
