-- Grain: one row per position group (KS's: unskilled, skilled worker, bachelor-level,
-- master-level, leader; plus unknown): name, description and how many position codes of
-- dbt/seeds/ks_position_codes.csv fall in it.
with groups as (
    select * from {{ ref('position_groups') }}
),

codes as (
    select
        case when manager_level between 1 and 4 then 'leader' else position_group end as position_group,
        count(distinct position_code) as position_codes
    from {{ ref('ks_position_codes') }}
    group by all
),

final as (
    select
        groups.position_group,
        groups.position_group_name,
        groups.description,
        groups.sort_order,
        coalesce(codes.position_codes, 0) as position_codes,
        groups.source
    from groups
    left join codes using (position_group)
)

select * from final
