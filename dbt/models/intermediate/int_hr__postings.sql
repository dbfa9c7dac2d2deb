-- Grain: one row per posting (reported_municipality_code, posting_id) on today's municipality
-- code (a split code goes to its largest successor: postings carry no person to follow).
-- A posting belongs to the year it closed: filled, else its application deadline, else
-- its publication.
with postings as (
    select * from {{ ref('stg_hr__postings') }}
),

code_map as (
    select * from {{ ref('int_municipality_code_map') }}
    where is_primary
),

position_codes as (
    select * from {{ ref('ks_position_codes') }}
    qualify row_number() over (partition by position_code order by valid_from desc) = 1
),

key_codes as (
    select distinct position_code from {{ ref('key_position_codes') }}
),

family_map as (
    -- postings carry no service area or KOSTRA function: the position code maps, else the
    -- title (as for employments: a code shared by many titles, such as 8530, maps by title)
    select match_column, match_value, function_family
    from {{ ref('function_family_map') }}
    where match_column in ('position_code', 'position_title')
),

final as (
    select
        postings.reported_municipality_code,
        coalesce(code_map.municipality_code, postings.reported_municipality_code) as municipality_code,
        postings.posting_id,
        postings.position_code,
        postings.position_title,
        coalesce(postings.manager_level, position_codes.manager_level) as manager_level,
        case
            when coalesce(postings.manager_level, position_codes.manager_level) between 1 and 4 then 'leader'
            else coalesce(position_codes.position_group, 'unknown')
        end as position_group,
        coalesce(coalesce(postings.manager_level, position_codes.manager_level) between 1 and 4, false)
            or key_codes.position_code is not null as is_key_position,
        coalesce(by_code.function_family, by_title.function_family) as function_family,
        postings.fte_percent,
        postings.employment_type,
        postings.published_date,
        postings.closing_date,
        postings.filled_date,
        postings.filled_date is not null as is_filled,
        postings.status,
        coalesce(postings.status in ('readvertised', 'withdrawn'), false) as is_readvertised_or_withdrawn,
        date_diff('day', postings.published_date, postings.filled_date) as days_to_fill,
        year(coalesce(postings.filled_date, postings.closing_date, postings.published_date)) as posting_year,
        postings.applicants,
        postings.qualified_applicants,
        postings.hired_employee_key,
        postings.hire_source,
        postings.cost_nok,
        postings.extraction_date
    from postings
    left join code_map on code_map.source_code = postings.reported_municipality_code
    left join position_codes on position_codes.position_code = postings.position_code
    left join key_codes on key_codes.position_code = postings.position_code
    left join family_map as by_code
        on by_code.match_column = 'position_code' and by_code.match_value = postings.position_code
    left join family_map as by_title
        on by_title.match_column = 'position_title' and by_title.match_value = lower(trim(postings.position_title))
)

select * from final
