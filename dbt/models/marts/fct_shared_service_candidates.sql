-- Grain: one row per (region_code, year, function_family, municipality_code): each member
-- municipality that staffs a shared-service function family, and its role in a possible
-- host-municipality (vertskommune) agreement (decision 32):
--   * `sårbar`: one person, under one FTE, or a large 5-year replacement gap
--     (fct_competence_plan's flags);
--   * `kapasitet`: at least 3 persons (var shared_service_capacity_persons) and no large
--     5-year gap: a neighbour that could host the function;
--   * `ingen`: neither.
-- Region-level columns repeat on the members' rows: how many members are vulnerable and how
-- many have capacity, the capacity members by size (host candidates), the members' staff
-- together (a joint unit where no member can host alone), and the family's rank in
-- the region (most vulnerable members first, the strategies' named areas before `other`).
with plan as (
    select * from {{ ref('fct_competence_plan') }}
),

members as (
    select region_code, municipality_code from {{ ref('region_members') }}
),

names as (
    select * from {{ ref('int_area_names') }}
),

shared_areas as (
    select * from {{ ref('shared_service_areas') }}
),

roles as (
    select
        members.region_code,
        plan.year,
        plan.function_family,
        plan.function_family_name,
        plan.municipality_code,
        names.area_name as municipality_name,
        plan.persons,
        plan.fte,
        plan.gap_5y,
        plan.gap_5y_low,
        plan.gap_5y_high,
        plan.is_single_person,
        plan.is_under_one_fte,
        plan.has_large_gap,
        case
            when plan.is_single_person or plan.is_under_one_fte or plan.has_large_gap then 'sårbar'
            when plan.persons >= {{ var('shared_service_capacity_persons') }} then 'kapasitet'
            else 'ingen'
        end as role,
        nullif(concat_ws(', ',
            case when plan.is_single_person then 'én person' end,
            case when plan.is_under_one_fte then 'under ett årsverk' end,
            case when plan.has_large_gap then 'stort erstatningsbehov om 5 år' end
        ), '') as vulnerability_reason
    from plan
    inner join members using (municipality_code)
    inner join names on names.area_type = 'municipality' and names.area_code = plan.municipality_code
),

regional as (
    select
        region_code,
        year,
        function_family,
        count(*) filter (where role = 'sårbar') as vulnerable_members,
        count(*) filter (where role = 'kapasitet') as capacity_members,
        sum(persons) as region_persons,
        cast(sum({{ exact('fte') }}) as double) as region_fte,
        string_agg(municipality_name, ', ' order by persons desc, municipality_code)
            filter (where role = 'kapasitet') as host_candidates
    from roles
    group by all
),

ranked as (
    select
        regional.*,
        row_number() over (
            partition by regional.region_code, regional.year
            order by
                regional.vulnerable_members > 0 and regional.capacity_members > 0 desc,
                regional.vulnerable_members desc,
                shared_areas.shared_area = 'other',
                regional.function_family
        ) as region_priority_rank
    from regional
    inner join shared_areas using (function_family)
),

final as (
    select
        roles.region_code,
        region_names.area_name as region_name,
        roles.year,
        roles.function_family,
        roles.function_family_name,
        shared_areas.shared_area,
        shared_areas.shared_area_name,
        roles.municipality_code,
        roles.municipality_name,
        roles.persons,
        roles.fte,
        roles.gap_5y,
        roles.gap_5y_low,
        roles.gap_5y_high,
        roles.role,
        roles.vulnerability_reason,
        ranked.vulnerable_members,
        ranked.capacity_members,
        ranked.host_candidates,
        ranked.region_persons,
        ranked.region_fte,
        ranked.vulnerable_members > 0 and ranked.capacity_members > 0 as has_host_candidate,
        ranked.region_priority_rank
    from roles
    inner join ranked using (region_code, year, function_family)
    inner join shared_areas using (function_family)
    inner join names as region_names
        on region_names.area_type = 'region' and region_names.area_code = roles.region_code
)

select * from final
