-- Grain: one row per (source_code, municipality_code): every municipality code ever seen in
-- KLASS, mapped to the code(s) valid today. Chains of changes are followed (1852 -> 5412 ->
-- 5512); a split code (Tysfjord 1850 -> 1806 and 1875) has one row per successor, with the
-- successor's share in `weight` and `is_primary` on the largest share.
-- `restructured_on` lists the dates of the mergers and splits on the way: every step but a pure
-- renumbering (pipelines/hr/identity.py: one old code, one new, weight 1, a new code that did
-- not exist before), across which an HR system without national ids cannot be followed.
with changes as (
    select old_code, new_code, change_occurred, weight
    from {{ ref('stg_klass__municipality_changes') }}
    where old_code is not null
      and new_code is not null
      and old_code <> new_code
),

first_valid as (
    select municipality_code as code, min(valid_from) as first_valid
    from {{ ref('stg_klass__municipalities') }}
    group by municipality_code
),

steps as (
    -- the rule of pipelines/hr/identity.py's pure_renumberings, negated
    select
        changes.*,
        count(distinct changes.new_code) over (partition by changes.old_code, changes.change_occurred) > 1
            or count(distinct changes.old_code) over (partition by changes.new_code, changes.change_occurred) > 1
            or abs(changes.weight - 1.0) >= 1e-9
            or coalesce(first_valid.first_valid < changes.change_occurred, false)
            as is_restructuring
    from changes
    left join first_valid on first_valid.code = changes.new_code
),

codes as (
    select municipality_code as code from {{ ref('stg_klass__municipalities') }}
    union
    select old_code from changes
    union
    select new_code from changes
),

chain as (
    with recursive walk (source_code, current_code, weight, last_change, first_change, restructured_on, depth) as (
        select code, code, cast(1.0 as double), date '1800-01-01', cast(null as date), cast([] as date[]), 0
        from codes
        union all
        select
            walk.source_code,
            changes.new_code,
            walk.weight * changes.weight,
            changes.change_occurred,
            coalesce(walk.first_change, changes.change_occurred),
            case
                when changes.is_restructuring then list_append(walk.restructured_on, changes.change_occurred)
                else walk.restructured_on
            end,
            walk.depth + 1
        from walk
        inner join steps as changes
            on changes.old_code = walk.current_code
           and changes.change_occurred > walk.last_change
        where walk.depth < 20
    )

    select * from walk
),

terminal as (
    -- a walk ends where no later change leads on from its code
    select chain.*
    from chain
    where not exists (
        select 1 from changes
        where changes.old_code = chain.current_code
          and changes.change_occurred > chain.last_change
    )
),

mapped as (
    select
        source_code,
        current_code as municipality_code,
        sum(weight) as weight,
        min(first_change) as changed_on,
        list_sort(list_distinct(flatten(list(restructured_on)))) as restructured_on
    from terminal
    group by source_code, current_code
),

final as (
    select
        source_code,
        municipality_code,
        weight,
        changed_on,
        restructured_on,
        count(*) over (partition by source_code) > 1 as is_split,
        row_number() over (
            partition by source_code order by weight desc, municipality_code
        ) = 1 as is_primary
    from mapped
)

select * from final
